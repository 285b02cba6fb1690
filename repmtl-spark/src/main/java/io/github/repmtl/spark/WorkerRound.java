package io.github.repmtl.spark;

import io.github.repmtl.samediff.train.StepStats;
import io.github.repmtl.samediff.train.TrainerState;

import java.io.Serializable;
import java.util.List;

/**
 * One worker's part of a parameter-averaging round: the state its local steps ended in, their statistics and
 * example counts, and its share of the round's examples ({@code fraction}, fixed by the driver before the round);
 * or, when a step failed on bad data (a NaN or infinite loss or gradient), the failure and no state.
 */
record WorkerRound(int partition, double fraction, long[] stepExamples, List<StepStats> steps, TrainerState state, String failure) implements Serializable {
    static WorkerRound failed(int partition, String failure) { return new WorkerRound(partition, 0, new long[0], List.of(), null, failure); }
}
