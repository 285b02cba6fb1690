package io.github.repmtl.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Synchronous data-parallel training, MLlib's {@code GradientDescent} pattern: every step each partition computes
 * on its minibatch (the training RDD's elements are the workers' minibatches: partition {@code k}'s s-th element is
 * its shard of step s) what the strategy needs, scaled as its share of the global batch (see
 * {@code io.github.repmtl.samediff.train.ShardRequest}); the driver sums the partitions' results in partition
 * order, applies the strategy and the optimizer once. For the task losses and every strategy this is the
 * single-machine step on the concatenated batch; Rep-MTL's TSR and CSA act on each partition's own minibatch and
 * their gradients are summed, as PyTorch DDP treats batch-wide losses. Batch norm normalises each partition's
 * minibatch by its own statistics (DDP without SyncBN); the running statistics follow the example-weighted mean
 * of the partitions' batch statistics.
 */
public final class GradientTrainingMaster implements TrainingMaster {
    private final int workers;
    private final StorageLevel storageLevel;

    private GradientTrainingMaster(Builder b) {
        this.workers = b.workers;
        this.storageLevel = b.storageLevel;
    }

    public static Builder builder() { return new Builder(); }

    /** Partitions the training data is held in (0: as given; for an iterator's minibatches, 0 means 1). */
    @Override public int workers() { return workers; }

    @Override public StorageLevel storageLevel() { return storageLevel; }

    /** {@code data} in {@link #workers()} partitions (repartitioned only when the count differs). */
    JavaRDD<MultiDataSet> partition(JavaRDD<MultiDataSet> data) {
        return workers > 0 && data.getNumPartitions() != workers ? data.repartition(workers) : data;
    }

    /** Builder with DL4J's training-master option names. */
    public static final class Builder {
        private int workers;
        private StorageLevel storageLevel = StorageLevel.MEMORY_ONLY();

        /** Number of workers: the training RDD is repartitioned into this many partitions when it has another count. */
        public Builder workers(int n) {
            if (n < 1) throw new IllegalArgumentException("workers must be >= 1, got " + n);
            this.workers = n;
            return this;
        }

        /** How the partitioned training data is cached between steps (default MEMORY_ONLY). */
        public Builder storageLevel(StorageLevel level) {
            if (level == null) throw new IllegalArgumentException("storage level is null");
            this.storageLevel = level;
            return this;
        }

        public GradientTrainingMaster build() { return new GradientTrainingMaster(this); }
    }
}
