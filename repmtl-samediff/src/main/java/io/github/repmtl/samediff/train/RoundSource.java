package io.github.repmtl.samediff.train;

/**
 * Training whose steps run elsewhere, several at a time, each round from the trainer's current state: parameter
 * averaging, where every worker trains a few local steps from a broadcast {@link TrainerState} and the round's
 * result is the workers' averaged state. The trainer keeps the epochs, listeners, evaluation and checkpoints; an
 * epoch is rounds until {@link #hasNext()} turns false, and {@link #reset()} starts the next epoch (as
 * {@link StepSource#reset()}: resuming after {@code e} epochs resets {@code e} times).
 */
public interface RoundSource {
    /** Steps one epoch reports to listeners (reads one epoch through; at least 1). */
    int stepsPerEpoch();

    /** Starts an epoch. */
    void reset();

    /** Whether the current epoch has another round. */
    boolean hasNext();

    /** Runs the next round of epoch {@code epoch} from {@code start}; {@code where} names it in error messages. */
    Round next(TrainerState start, int epoch, String where);
}
