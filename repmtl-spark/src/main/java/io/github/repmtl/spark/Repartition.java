package io.github.repmtl.spark;

/** When {@link ParameterAveragingTrainingMaster} repartitions the training RDD (DL4J's {@code Repartition}). */
public enum Repartition {
    /** Every epoch, into exactly the number of workers, balanced (element counts differ by at most one). */
    ALWAYS,
    /** Never: the RDD's partitions are the workers. */
    NEVER,
    /** Only when the RDD's partition count differs from the number of workers. */
    NUM_PARTITIONS_WORKERS_DIFFERS
}
