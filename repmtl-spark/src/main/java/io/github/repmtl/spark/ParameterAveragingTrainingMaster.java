package io.github.repmtl.spark;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Parameter averaging, DL4J's {@code ParameterAveragingTrainingMaster} semantics and option names: each worker
 * (partition) trains {@link #averagingFrequency()} local steps on its own minibatches of
 * {@link #batchSizePerWorker()} examples with the single-machine trainer's step (strategy, Rep-MTL, optimiser),
 * starting from the broadcast state; then the parameters, the optimiser state, the running statistics (batch norm)
 * and the strategy's state are averaged, weighted by the examples each worker trained on in the round (integral
 * counters such as step counts take the largest). Rep-MTL's TSR and CSA act on each worker's own minibatches.
 * With one worker this is the single-machine trainer on the same minibatches, bitwise; with K = 1 and plain SGD
 * it is the big-batch step (averaging parameters after one SGD step averages the gradients).
 */
public final class ParameterAveragingTrainingMaster implements TrainingMaster {
    private final int workers;
    private final int batchSizePerWorker;
    private final int averagingFrequency;
    private final int aggregationDepth;
    private final int workerPrefetchNumBatches;
    private final Repartition repartition;
    private final StorageLevel storageLevel;
    private final Long rngSeed;

    private ParameterAveragingTrainingMaster(Builder b) {
        this.workers = b.workers;
        this.batchSizePerWorker = b.batchSizePerWorker;
        this.averagingFrequency = b.averagingFrequency;
        this.aggregationDepth = b.aggregationDepth;
        this.workerPrefetchNumBatches = b.workerPrefetchNumBatches;
        this.repartition = b.repartition;
        this.storageLevel = b.storageLevel;
        this.rngSeed = b.rngSeed;
    }

    public static Builder builder() { return new Builder(); }

    /** Workers (partitions); 0: Spark's default parallelism. */
    @Override public int workers() { return workers; }

    @Override public StorageLevel storageLevel() { return storageLevel; }

    /** Examples in each minibatch a worker trains on (the data is re-batched to this size within each partition). */
    public int batchSizePerWorker() { return batchSizePerWorker; }

    /** Local steps per worker between two averagings (K). */
    public int averagingFrequency() { return averagingFrequency; }

    /** Depth of the tree in which the workers' states are summed (1: every state goes to the driver). */
    public int aggregationDepth() { return aggregationDepth; }

    /** Minibatches a worker prepares ahead in a background thread while it trains (0: none). */
    public int workerPrefetchNumBatches() { return workerPrefetchNumBatches; }

    public Repartition repartition() { return repartition; }

    /** Seed of the balanced repartitioning's shuffle (a new order every epoch), or {@code null}: elements keep their order. */
    public Long rngSeed() { return rngSeed; }

    /**
     * {@code data} as the workers hold it in epoch {@code epoch}: as given, or (see {@link #repartition()}) balanced
     * into {@code workers} partitions, element i of the (with {@link #rngSeed()}: shuffled) order going to partition
     * {@code i mod workers}, in order.
     */
    JavaRDD<MultiDataSet> partition(JavaRDD<MultiDataSet> data, int workers, int epoch) {
        boolean again = switch (repartition) {
            case ALWAYS -> true;
            case NEVER -> false;
            case NUM_PARTITIONS_WORKERS_DIFFERS -> data.getNumPartitions() != workers;
        };
        if (!again) return data;
        JavaPairRDD<Long, MultiDataSet> indexed = data.zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()));
        if (rngSeed != null) {
            Broadcast<long[]> order = JavaSparkContext.fromSparkContext(data.context()).broadcast(shuffled(data.count(), rngSeed + epoch));
            indexed = indexed.mapToPair(t -> new Tuple2<>(order.value()[(int) (long) t._1()], t._2()));
        }
        return indexed.repartitionAndSortWithinPartitions(new Modulo(workers)).values();
    }

    private static long[] shuffled(long n, long seed) {
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("rngSeed shuffles at most 2^31 - 1 minibatches, the RDD has " + n);
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < n; i++) order.add(i);
        Collections.shuffle(order, new Random(seed));
        return order.stream().mapToLong(Long::longValue).toArray();
    }

    /** Key {@code i} to partition {@code i mod n}. */
    private static final class Modulo extends Partitioner {
        private final int n;

        Modulo(int n) { this.n = n; }

        @Override public int numPartitions() { return n; }
        @Override public int getPartition(Object key) { return (int) ((Long) key % n); }
        @Override public boolean equals(Object o) { return o instanceof Modulo m && m.n == n; }
        @Override public int hashCode() { return n; }
    }

    /** Builder with DL4J's option names and defaults. */
    public static final class Builder {
        private int workers;
        private int batchSizePerWorker = 16;
        private int averagingFrequency = 5;
        private int aggregationDepth = 2;
        private int workerPrefetchNumBatches;
        private Repartition repartition = Repartition.ALWAYS;
        private StorageLevel storageLevel = StorageLevel.MEMORY_ONLY_SER();
        private Long rngSeed;

        /** Number of workers (default: Spark's default parallelism). */
        public Builder workers(int n) {
            if (n < 1) throw new IllegalArgumentException("workers must be >= 1, got " + n);
            this.workers = n;
            return this;
        }

        public Builder batchSizePerWorker(int n) {
            if (n < 1) throw new IllegalArgumentException("batchSizePerWorker must be >= 1, got " + n);
            this.batchSizePerWorker = n;
            return this;
        }

        public Builder averagingFrequency(int k) {
            if (k < 1) throw new IllegalArgumentException("averagingFrequency must be >= 1, got " + k);
            this.averagingFrequency = k;
            return this;
        }

        public Builder aggregationDepth(int d) {
            if (d < 1) throw new IllegalArgumentException("aggregationDepth must be >= 1, got " + d);
            this.aggregationDepth = d;
            return this;
        }

        public Builder workerPrefetchNumBatches(int n) {
            if (n < 0) throw new IllegalArgumentException("workerPrefetchNumBatches must be >= 0, got " + n);
            this.workerPrefetchNumBatches = n;
            return this;
        }

        public Builder repartitionData(Repartition r) {
            if (r == null) throw new IllegalArgumentException("repartition is null");
            this.repartition = r;
            return this;
        }

        public Builder storageLevel(StorageLevel level) {
            if (level == null) throw new IllegalArgumentException("storage level is null");
            this.storageLevel = level;
            return this;
        }

        public Builder rngSeed(long seed) {
            this.rngSeed = seed;
            return this;
        }

        public ParameterAveragingTrainingMaster build() { return new ParameterAveragingTrainingMaster(this); }
    }
}
