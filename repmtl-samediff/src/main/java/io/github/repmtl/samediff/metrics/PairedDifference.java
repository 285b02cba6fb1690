package io.github.repmtl.samediff.metrics;

import java.io.Serializable;

/**
 * The difference {@code d_i = x_i - r_i} between a method and a reference method on the same seeds, averaged over
 * the seeds, with two 95 % confidence intervals for its mean, as computed by {@link SeedStatistics#difference}.
 *
 * @param method        the method {@code x}
 * @param reference     the reference method {@code r}
 * @param seeds         the number of seeds {@code n >= 2}
 * @param mean          {@code dbar = (1/n) sum_i d_i}
 * @param sd            the sample standard deviation of the {@code d_i} (divisor {@code n - 1})
 * @param pairedT       {@code dbar -+ t_{n-1, 0.975} * sd / sqrt(n)}, the paired t interval
 * @param bootstrap     the percentile bootstrap interval of {@code dbar} (see {@link SeedStatistics})
 * @param resamples     bootstrap resamples drawn
 * @param bootstrapSeed seed of the bootstrap's {@link java.util.Random}
 */
public record PairedDifference(String method, String reference, int seeds, double mean, double sd, ConfidenceInterval pairedT,
                               ConfidenceInterval bootstrap, int resamples, long bootstrapSeed) implements Serializable {
    private static final long serialVersionUID = 1L;
}
