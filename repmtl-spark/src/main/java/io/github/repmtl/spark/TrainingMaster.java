package io.github.repmtl.spark;

import org.apache.spark.storage.StorageLevel;

import java.io.Serializable;

/**
 * How {@link SparkMultiTaskTrainer} distributes training, as DL4J's {@code TrainingMaster} for
 * {@code SparkComputationGraph}: {@link GradientTrainingMaster} (synchronous gradient averaging, the single-machine
 * step on the global batch) or {@link ParameterAveragingTrainingMaster} (local steps, averaged every few).
 */
public sealed interface TrainingMaster extends Serializable permits GradientTrainingMaster, ParameterAveragingTrainingMaster {
    /** Partitions (workers) the training data is held in; 0 means the RDD's own partitioning. */
    int workers();

    /** How the partitioned training data is cached while an epoch runs. */
    StorageLevel storageLevel();
}
