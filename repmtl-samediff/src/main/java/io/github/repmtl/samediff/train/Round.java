package io.github.repmtl.samediff.train;

import java.io.Serializable;
import java.util.List;

/**
 * What one round of a {@link RoundSource} did: the state it ended in and its steps' statistics in step order (for
 * listeners; the trainer numbers their batches within the epoch).
 */
public record Round(TrainerState state, List<StepStats> steps) implements Serializable {
    public Round {
        if (state == null) throw new IllegalArgumentException("round without a state");
        if (steps == null || steps.isEmpty()) throw new IllegalArgumentException("round without steps");
        steps = List.copyOf(steps);
    }
}
