package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.regularizer.RepMtlSchedule;

import java.io.Serializable;
import java.util.Locale;

/** The Rep-MTL hyperparameters population-based training explores: {@code lambda_tsr}, {@code lambda_csa}, {@code tau}. */
public record PbtHyperparameters(double lambdaTsr, double lambdaCsa, double tau) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The values of a schedule segment. */
    public static PbtHyperparameters of(RepMtlSchedule.Segment s) { return new PbtHyperparameters(s.lambdaTsr(), s.lambdaCsa(), s.tau()); }

    /** These values as a schedule segment from {@code epoch} on. */
    public RepMtlSchedule.Segment from(int epoch) { return new RepMtlSchedule.Segment(epoch, lambdaTsr, lambdaCsa, tau); }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "{lambdaTsr=%s, lambdaCsa=%s, tau=%s}", lambdaTsr, lambdaCsa, tau);
    }
}
