package io.github.repmtl.spark;

import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Round;
import io.github.repmtl.samediff.train.RoundSource;
import io.github.repmtl.samediff.train.StepStats;
import io.github.repmtl.samediff.train.TrainerState;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.dataset.AsyncMultiDataSetIterator;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Parameter-averaging rounds over a partitioned RDD ({@link ParameterAveragingTrainingMaster}): each epoch the data
 * is partitioned (the master's repartitioning), re-batched within each partition to the master's batch size per
 * worker, persisted and counted; round r of an epoch gives partition k its minibatches {@code r*K .. r*K+K-1}
 * (partitions with fewer sit the round out). One Spark job per round: the start state is broadcast, each partition
 * trains its minibatches on a worker trainer of {@link WorkerPools} and returns its state, and the states are
 * summed in partition order, directly on the driver or in a tree of {@code aggregationDepth} levels whose every node
 * sums in partition order; so a round's result depends only on its inputs, and a task Spark re-runs returns the
 * same state. A failed step (NaN or infinite loss or gradient) on any worker stops the run before anything is averaged.
 */
final class AveragingRoundSource implements RoundSource {
    private final JavaSparkContext sc;
    private final IntFunction<JavaRDD<MultiDataSet>> epochs;
    private final ParameterAveragingTrainingMaster master;
    private final Broadcast<AveragingWorkerSpec> spec;
    private JavaRDD<MultiDataSet> given, data;
    private long[][] examples;                                 // [partition][minibatch]
    private int resets, round;

    /** {@code epochs} gives epoch e's data in the workers' partitions (called once per reset, with e = resets so far). */
    AveragingRoundSource(JavaSparkContext sc, IntFunction<JavaRDD<MultiDataSet>> epochs, ParameterAveragingTrainingMaster master, Broadcast<AveragingWorkerSpec> spec) {
        this.sc = sc;
        this.epochs = epochs;
        this.master = master;
        this.spec = spec;
    }

    @Override public void reset() {
        round = 0;
        JavaRDD<MultiDataSet> next = epochs.apply(resets++);
        if (next == given) return;                                     // the same data every epoch: still cached
        given = next;
        if (data != null) data.unpersist(false);
        int batch = master.batchSizePerWorker();
        data = next.mapPartitions(it -> (Iterator<MultiDataSet>) new Rebatching(it, batch), true).persist(master.storageLevel());
        examples = MinibatchCounts.of(data);
        if (longest() == 0) throw new IllegalArgumentException("the training RDD is empty");
    }

    /** Releases the cached data of the last epoch. */
    void close() {
        if (data != null) data.unpersist(false);
    }

    private int longest() { return MinibatchCounts.longest(examples); }

    @Override public int stepsPerEpoch() {
        reset();
        return longest();
    }

    @Override public boolean hasNext() { return (long) round * master.averagingFrequency() < longest(); }

    /** A round as the executors receive it: its start, the epoch, its first minibatch and each partition's share. */
    private record RoundTask(TrainerState start, int epoch, int firstBatch, int steps, double[] fractions, String where) implements Serializable {}

    @Override public Round next(TrainerState start, int epoch, String where) {
        int k = master.averagingFrequency(), first = round++ * k;
        double[] fractions = new double[examples.length];
        double total = 0;
        for (int p = 0; p < examples.length; p++)
            for (int b = first; b < Math.min(first + k, examples[p].length); b++) fractions[p] += examples[p][b];
        for (double f : fractions) total += f;
        for (int p = 0; p < fractions.length; p++) fractions[p] /= total;
        Broadcast<RoundTask> task = sc.broadcast(new RoundTask(start, epoch, first, k, fractions, where));
        Broadcast<AveragingWorkerSpec> run = spec;
        int prefetch = master.workerPrefetchNumBatches(), batch = master.batchSizePerWorker();
        try {
            JavaRDD<WorkerRound> rounds = data.mapPartitionsWithIndex((p, it) -> trainRound(run.value(), task.value(), p, it, batch, prefetch), true);
            StateAverage sum = aggregate(rounds);
            String failure = sum.failure();
            if (failure != null) throw new IllegalStateException(failure);
            return new Round(sum.mean(), sum.steps(start.step()));
        } finally {
            task.destroy();
        }
    }

    /** The workers' results summed in partition order: collected, or through tree levels as Spark's treeAggregate. */
    private StateAverage aggregate(JavaRDD<WorkerRound> rounds) {
        int n = rounds.getNumPartitions(), depth = master.aggregationDepth();
        int scale = Math.max((int) Math.ceil(Math.pow(n, 1.0 / depth)), 2);
        if (depth <= 1 || n <= scale + (n + scale - 1) / scale) return StateAverage.sum(rounds.map(StateAverage::of).collect());
        JavaPairRDD<Integer, StateAverage> level = rounds.mapToPair(r -> new Tuple2<>(r.partition(), StateAverage.of(r)));
        while (n > scale + (n + scale - 1) / scale) {
            n = (n + scale - 1) / scale;
            final int fanIn = scale;
            level = level.mapToPair(t -> new Tuple2<>(t._1() / fanIn, t._2())).groupByKey(new HashPartitioner(n)).mapValues(StateAverage::sum);
        }
        return StateAverage.sum(level.values().collect());
    }

    private static Iterator<WorkerRound> trainRound(AveragingWorkerSpec spec, RoundTask t, int partition, Iterator<MultiDataSet> it, int batch, int prefetch) {
        for (int b = 0; b < t.firstBatch() && it.hasNext(); b++) it.next();
        if (!it.hasNext()) return Collections.emptyIterator();
        AsyncMultiDataSetIterator ahead = prefetch > 0 ? new AsyncMultiDataSetIterator(new Rebatching(it, batch), prefetch, false) : null;
        Iterator<MultiDataSet> source = ahead != null ? ahead : it;
        try {
            WorkerRound r = WorkerPools.with(spec.runId() + "/" + partition, () -> spec.prepare(partition), (MultiTaskTrainer trainer) -> {
                trainer.restoreState(t.start());
                List<StepStats> steps = new ArrayList<>();
                List<Long> n = new ArrayList<>();
                for (int j = 0; j < t.steps() && source.hasNext(); j++) {
                    MultiDataSet m = source.next();                   // reading fails as a task: Spark re-runs it
                    n.add(m.getFeatures(0).size(0));
                    try {
                        steps.add(trainer.step(m, t.epoch()));
                    } catch (IllegalStateException | IllegalArgumentException e) {    // bad data (NaN, shapes): a result, not retried
                        return WorkerRound.failed(partition, t.where() + ", partition " + partition + ", local step " + j + ": " + e.getMessage());
                    }
                }
                return new WorkerRound(partition, t.fractions()[partition], n.stream().mapToLong(Long::longValue).toArray(), steps, trainer.state(), null);
            });
            return Collections.singletonList(r).iterator();
        } finally {
            if (ahead != null) ahead.shutdown();
        }
    }
}
