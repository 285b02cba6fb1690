package io.github.repmtl.samediff.metrics;

import java.io.Serializable;

/**
 * A method's mean of one quantity over seeds and its sample standard deviation (divisor {@code n - 1}), as computed
 * by {@link SeedStatistics#summary}.
 *
 * @param seeds the number of seeds {@code n}
 * @param mean  {@code (1/n) sum_i x_i}
 * @param sd    {@code sqrt(sum_i (x_i - mean)^2 / (n - 1))}; NaN for a single seed (undefined)
 */
public record MeanAndDeviation(int seeds, double mean, double sd) implements Serializable {
    private static final long serialVersionUID = 1L;
}
