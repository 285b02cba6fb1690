package io.github.repmtl.arbiter;

import java.io.Serializable;
import java.util.Random;

/**
 * Where population-based training may move each hyperparameter: start values must lie within, explored values are
 * clipped to, and resampled values are drawn from these ranges (log-uniformly for a log range). A fixed range
 * ({@code [v, v]}) keeps its hyperparameter at {@code v}.
 */
public record PbtBounds(ParameterRange lambdaTsr, ParameterRange lambdaCsa, ParameterRange tau) implements Serializable {
    private static final long serialVersionUID = 1L;

    public PbtBounds {
        if (lambdaTsr == null || lambdaCsa == null || tau == null) throw new IllegalArgumentException("bounds of lambdaTsr, lambdaCsa and tau are required");
        if (!(tau.min() > 0)) throw new IllegalArgumentException("tau's bounds must be > 0, got " + tau);
    }

    /**
     * The bounds of a search space's {@code lambdaTsr}, {@code lambdaCsa} and {@code tau} ({@link RepMtlSpace#range}):
     * a range's ends, a value list's smallest and largest value, a fixed value alone.
     *
     * @throws IllegalArgumentException when one of them is an arbitrary Arbiter space without known bounds
     */
    public static PbtBounds of(RepMtlSpace space) {
        return new PbtBounds(range(space, "lambdaTsr"), range(space, "lambdaCsa"), range(space, "tau"));
    }

    private static ParameterRange range(RepMtlSpace space, String dimension) {
        return space.range(dimension).orElseThrow(() -> new IllegalArgumentException("population-based training needs bounds for " + dimension
                + ": give it as a value, a list of values or a range, not as an arbitrary Arbiter space"));
    }

    /**
     * @param who names the values in the error, e.g. "start values of member 2"
     * @throws IllegalArgumentException naming the first value outside its bounds
     */
    public void check(PbtHyperparameters h, String who) {
        check(who, "lambdaTsr", h.lambdaTsr(), lambdaTsr);
        check(who, "lambdaCsa", h.lambdaCsa(), lambdaCsa);
        check(who, "tau", h.tau(), tau);
    }

    public boolean contains(PbtHyperparameters h) {
        return lambdaTsr.contains(h.lambdaTsr()) && lambdaCsa.contains(h.lambdaCsa()) && tau.contains(h.tau());
    }

    /** Values drawn from every range (uniformly, log-uniformly for log ranges), in the order lambdaTsr, lambdaCsa, tau. */
    public PbtHyperparameters sample(Random random) {
        return new PbtHyperparameters(lambdaTsr.sample(random), lambdaCsa.sample(random), tau.sample(random));
    }

    private static void check(String who, String name, double v, ParameterRange r) {
        if (!r.contains(v)) throw new IllegalArgumentException(who + ": " + name + " " + v + " lies outside its bounds " + r);
    }

    @Override
    public String toString() { return "{lambdaTsr=" + lambdaTsr + ", lambdaCsa=" + lambdaCsa + ", tau=" + tau + "}"; }
}
