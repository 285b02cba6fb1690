package io.github.repmtl.samediff.train;

/**
 * Where the trainer's steps come from, epoch by epoch: {@link IteratorStepSource} over DL4J iterators on one
 * machine, or a distributed source whose steps are sharded over a cluster. An epoch is {@link #batchesPerEpoch()}
 * steps, or fewer when {@link #hasNext()} turns false first; {@link #reset()} starts the next epoch (seeded
 * shuffles replay, so that resuming after {@code e} epochs resets {@code e} times).
 */
public interface StepSource {
    /** Steps in one epoch (reads one epoch through; at least 1). */
    int batchesPerEpoch();

    /** Starts an epoch. */
    void reset();

    /** Whether the current epoch has another step. */
    boolean hasNext();

    /** The next step's data; {@code where} names the step in error messages. */
    StepData next(String where);
}
