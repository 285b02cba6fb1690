package io.github.repmtl.samediff.train;

/** Receives the trainer's own statistics (in place of SameDiff's listeners, whose M2.1 loss values are wrong). */
public interface TrainingListener {
    default void onTrainingStart(MultiTaskTrainer trainer, int firstEpoch, int epochs, int batchesPerEpoch) {}

    default void onStep(StepStats stats) {}

    default void onEpochEnd(EpochSummary summary) {}

    default void onTrainingEnd(TrainingResult result) {}
}
