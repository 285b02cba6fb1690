package io.github.repmtl.spark;

import io.github.repmtl.samediff.train.ShardRequest;
import io.github.repmtl.samediff.train.ShardResult;
import io.github.repmtl.samediff.train.StepData;
import io.github.repmtl.samediff.train.StepSource;
import io.github.repmtl.samediff.train.TrainingGraph;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Steps over a partitioned, persisted RDD of minibatches: step s of an epoch is, for every partition that has an
 * s-th element, that element as the partition's shard; an epoch has as many steps as the longest partition has
 * elements (shorter partitions sit out their missing steps, empty ones every step). Each request is one Spark job:
 * the current parameters and the request are broadcast, every taking part partition computes its shard on a graph
 * of {@link WorkerPools}, and the results are collected and combined in partition order, so that the result does
 * not depend on which task finishes first, and a task Spark re-runs computes the same result.
 */
final class PartitionedStepSource implements StepSource {
    private final JavaSparkContext sc;
    private final IntFunction<JavaRDD<MultiDataSet>> epochs;
    private final StorageLevel storageLevel;
    private final Broadcast<WorkerSpec> spec;
    private final Supplier<Map<String, INDArray>> parameters;
    private final int tasks;
    private JavaRDD<MultiDataSet> data;
    private long[][] examples;                                // [partition][element]: examples of each minibatch
    private int cursor, resets;

    /**
     * {@code epochs} gives epoch e's partitioned minibatches (e = resets so far; the same RDD every time, or a new one per epoch);
     * it is persisted at {@code storageLevel} while the epoch runs.
     */
    PartitionedStepSource(JavaSparkContext sc, IntFunction<JavaRDD<MultiDataSet>> epochs, StorageLevel storageLevel, Broadcast<WorkerSpec> spec,
                          int tasks, Supplier<Map<String, INDArray>> parameters) {
        this.sc = sc;
        this.epochs = epochs;
        this.storageLevel = storageLevel;
        this.tasks = tasks;
        this.spec = spec;
        this.parameters = parameters;
    }

    /** Reads the next epoch's data (the trainer resets before it asks for the epoch length, and before each epoch). */
    @Override public void reset() {
        cursor = 0;
        JavaRDD<MultiDataSet> next = epochs.apply(resets++);
        if (next == data) return;
        if (data != null) data.unpersist(false);
        data = next.persist(storageLevel);
        examples = MinibatchCounts.of(data);
        if (batchesPerEpochCounted() == 0) throw new IllegalArgumentException("the training RDD is empty");
    }

    /** Releases the cached data of the last epoch. */
    void close() {
        if (data != null) data.unpersist(false);
    }

    /** Steps of an epoch (reads one epoch, as the single-machine iterator source does). */
    @Override public int batchesPerEpoch() {
        reset();
        return batchesPerEpochCounted();
    }

    private int batchesPerEpochCounted() { return MinibatchCounts.longest(examples); }

    @Override public boolean hasNext() { return cursor < batchesPerEpochCounted(); }

    @Override public StepData next(String where) {
        int element = cursor++;
        List<Integer> partitions = new ArrayList<>();
        List<long[]> shards = new ArrayList<>();
        for (int k = 0; k < examples.length; k++) {
            if (examples[k].length <= element) continue;
            partitions.add(k);
            long[] perTask = new long[tasks];
            Arrays.fill(perTask, examples[k][element]);                     // single-input: every task sees the whole minibatch
            shards.add(perTask);
        }
        return new Step(element, partitions.stream().mapToInt(Integer::intValue).toArray(), shards.toArray(new long[0][]));
    }

    /** One request of one step, as executors receive it. */
    private record StepTask(ShardRequest request, Map<String, INDArray> parameters, int element, int[] partitions) implements Serializable {}

    /** Step {@code element} of the epoch, held by {@code partitions}. */
    private final class Step implements StepData {
        private final int element;
        private final int[] partitions;
        private final long[][] shardExamples;

        Step(int element, int[] partitions, long[][] shardExamples) {
            this.element = element;
            this.partitions = partitions;
            this.shardExamples = shardExamples;
        }

        @Override public long[][] shardExamples() { return shardExamples; }

        @Override public ShardResult compute(ShardRequest request) {
            String[] names = new String[partitions.length];
            for (int s = 0; s < names.length; s++) names[s] = "partition " + partitions[s];
            Broadcast<StepTask> task = sc.broadcast(new StepTask(request.withShardNames(names), parameters.get(), element, partitions));
            Broadcast<WorkerSpec> run = spec;
            try {
                List<ShardResult> parts = data.mapPartitionsWithIndex((k, it) -> computeShard(run.value(), task.value(), k, it), true).collect();
                return ShardResult.combine(parts);
            } finally {
                task.destroy();
            }
        }
    }

    private static Iterator<ShardResult> computeShard(WorkerSpec spec, StepTask t, int partition, Iterator<MultiDataSet> it) {
        int shard = -1;
        for (int s = 0; s < t.partitions().length; s++) if (t.partitions()[s] == partition) shard = s;
        if (shard < 0) return Collections.emptyIterator();
        MultiDataSet batch = null;
        for (int e = 0; e <= t.element() && it.hasNext(); e++) batch = it.next();
        final int index = shard;
        final MultiDataSet mine = batch;
        ShardResult r = WorkerPools.with(spec.runId(), spec::prepare, g -> {
            setParameters(g, t.parameters());
            return g.compute(t.request(), g.feed(mine, t.request().where(index)), index);
        });
        return Collections.singletonList(r).iterator();
    }

    private static void setParameters(TrainingGraph g, Map<String, INDArray> values) {
        for (String p : g.parameters()) {
            INDArray v = values.get(p);
            if (v == null) throw new IllegalStateException("the driver sent no value for parameter '" + p + "'");
            g.model().sameDiff().getVariable(p).getArr().assign(v);
        }
    }
}
