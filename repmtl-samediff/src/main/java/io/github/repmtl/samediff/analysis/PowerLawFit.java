package io.github.repmtl.samediff.analysis;

/**
 * A continuous power-law fit {@code p(x) ~ x^-alpha} for {@code x >= xMin} of the tail of a sample
 * (Clauset, Shalizi, Newman 2009).
 *
 * @param alpha      the maximum-likelihood exponent {@code 1 + n / sum ln(x_i / xMin)} over the tail
 * @param xMin       the lower bound of the tail, chosen to minimise {@code ksDistance}
 * @param ksDistance the Kolmogorov-Smirnov distance between the tail's empirical CDF and the fitted one
 * @param tailSize   the number of sample values {@code >= xMin}
 * @param sampleSize the number of values in the whole sample
 */
public record PowerLawFit(double alpha, double xMin, double ksDistance, int tailSize, int sampleSize) {}
