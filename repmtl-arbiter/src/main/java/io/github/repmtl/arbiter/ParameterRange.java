package io.github.repmtl.arbiter;

import java.io.Serializable;
import java.util.Locale;
import java.util.Random;

/**
 * The bounds of one numeric dimension of a {@link RepMtlSpace}: {@code [min, max]}, sampled uniformly or, when
 * {@code log}, log-uniformly (uniform in the logarithm; then {@code min > 0}). A fixed value is the range
 * {@code [v, v]}. Population-based training keeps every explored value within these bounds.
 */
public record ParameterRange(double min, double max, boolean log) implements Serializable {
    private static final long serialVersionUID = 1L;

    public ParameterRange {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max)
            throw new IllegalArgumentException("a range needs finite min <= max, got [" + min + ", " + max + "]");
        if (log && !(min > 0)) throw new IllegalArgumentException("a log range needs min > 0, got [" + min + ", " + max + "]");
    }

    /** The one-value range {@code [v, v]}. */
    public static ParameterRange fixed(double v) { return new ParameterRange(v, v, false); }

    /** True when the range holds one value only (nothing to explore). */
    public boolean isFixed() { return min == max; }

    public boolean contains(double v) { return v >= min && v <= max; }

    /** {@code v} moved to the nearest bound when outside. */
    public double clip(double v) { return Math.max(min, Math.min(max, v)); }

    /** The value at {@code u} in {@code [0, 1)} of the range: linear, or geometric when log. */
    public double at(double u) {
        if (isFixed()) return min;
        double v = log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
        return clip(v);
    }

    /** A value drawn uniformly (log-uniformly when log) from the range. */
    public double sample(Random random) { return at(random.nextDouble()); }

    @Override
    public String toString() {
        return isFixed() ? String.format(Locale.ROOT, "%s", min) : String.format(Locale.ROOT, "[%s, %s]%s", min, max, log ? " log" : "");
    }
}
