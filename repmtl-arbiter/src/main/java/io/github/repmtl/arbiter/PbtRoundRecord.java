package io.github.repmtl.arbiter;

/**
 * What one member did in one round: the hyperparameters it trained with, its validation objective afterwards
 * ({@code NaN} when its training failed, with the error, or when the objective is undefined), its rank (1 = best),
 * and, once the round's exploit and explore are decided (not after the last round), the member whose checkpoint it
 * copied ({@code null} when it kept its own) and the hyperparameters of its next round.
 */
public record PbtRoundRecord(int round, int member, PbtHyperparameters hyperparameters, double objective, String error, int rank,
                             Integer exploitedFrom, PbtHyperparameters next) {

    /** This record with the round's exploit and explore decision. */
    PbtRoundRecord decided(Integer source, PbtHyperparameters nextValues) {
        return new PbtRoundRecord(round, member, hyperparameters, objective, error, rank, source, nextValues);
    }
}
