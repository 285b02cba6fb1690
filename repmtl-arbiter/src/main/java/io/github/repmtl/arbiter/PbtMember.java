package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.regularizer.RepMtlSchedule;

import java.util.List;

/**
 * One member of a population-based training: its index, the Rep-MTL schedule its current weights were trained with
 * (after an exploit the source's up to the copied epoch, then its explored values) and its record of every round.
 */
public record PbtMember(int index, RepMtlSchedule schedule, List<PbtRoundRecord> rounds) {
    public PbtMember {
        rounds = List.copyOf(rounds);
    }

    /** The hyperparameters of epoch {@code epoch}. */
    public PbtHyperparameters at(int epoch) { return PbtHyperparameters.of(schedule.at(epoch)); }
}
