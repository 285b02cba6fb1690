package io.github.repmtl.samediff.metrics;

import java.io.Serializable;
import java.util.Locale;

/**
 * A two-sided confidence interval {@code [low, high]} at a confidence level (e.g. 0.95), as computed by
 * {@link SeedStatistics#difference}.
 *
 * @param level the confidence level in (0, 1)
 * @param low   the lower end
 * @param high  the upper end, {@code >= low}
 */
public record ConfidenceInterval(double level, double low, double high) implements Serializable {
    private static final long serialVersionUID = 1L;

    public ConfidenceInterval {
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("a confidence level must lie in (0, 1), got " + level);
        if (!(low <= high)) throw new IllegalArgumentException("a confidence interval needs low <= high, got [" + low + ", " + high + "]");
    }

    /** Whether {@code value} lies in the closed interval. */
    public boolean contains(double value) { return low <= value && value <= high; }

    /** Whether the whole interval lies above or below zero (the difference it brackets is then significant at its level). */
    public boolean excludesZero() { return low > 0 || high < 0; }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "[%+.4g, %+.4g] (%.0f %%)", low, high, level * 100);
    }
}
