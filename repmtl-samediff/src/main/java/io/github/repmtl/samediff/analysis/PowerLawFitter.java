package io.github.repmtl.samediff.analysis;

import java.util.Arrays;

/**
 * Fits a power law to the tail of a positive sample by the method of Clauset, Shalizi and Newman (2009):
 * for each candidate {@code x_min} (a distinct sample value) the exponent is the continuous maximum-likelihood
 * estimate {@code alpha = 1 + n / sum_{x_i >= x_min} ln(x_i / x_min)}, and the candidate whose fitted CDF
 * {@code 1 - (x / x_min)^(1 - alpha)} is closest to the tail's empirical CDF in Kolmogorov-Smirnov distance
 * wins. The KS distance is the two-sided supremum (both sides of each jump of the empirical CDF; tied values
 * form one jump).
 *
 * <p>Candidates leave at least {@code minTailSize} values in the tail. When there are more than
 * {@code maxCandidates} distinct candidates, that many are taken evenly spaced in rank (always including
 * the smallest), which bounds the cost at {@code maxCandidates x n} instead of {@code n^2}; with fewer the
 * search is exhaustive, as in the reference {@code powerlaw} package.
 */
public final class PowerLawFitter {
    private final int minTailSize;
    private final int maxCandidates;

    private PowerLawFitter(Builder builder) {
        this.minTailSize = builder.minTailSize;
        this.maxCandidates = builder.maxCandidates;
    }

    public static Builder builder() { return new Builder(); }

    public int minTailSize() { return minTailSize; }

    public int maxCandidates() { return maxCandidates; }

    /**
     * Fits the tail of {@code sample} (not modified). Every value must be finite and positive, and the
     * sample must hold at least {@code minTailSize} values, not all equal.
     */
    public PowerLawFit fit(double[] sample) {
        int n = sample.length;
        if (n < minTailSize) {
            throw new IllegalArgumentException("a power-law fit needs at least " + minTailSize + " values, got " + n);
        }
        double[] x = sample.clone();
        Arrays.sort(x);
        if (!(x[0] > 0) || !Double.isFinite(x[n - 1])) {
            throw new IllegalArgumentException("power-law samples must be finite and positive; range is [" + x[0] + ", " + x[n - 1] + "]");
        }
        double[] logs = new double[n];
        for (int i = 0; i < n; i++) logs[i] = Math.log(x[i]);
        double[] logSuffixSums = new double[n + 1];
        for (int i = n - 1; i >= 0; i--) logSuffixSums[i] = logSuffixSums[i + 1] + logs[i];

        int lastCandidate = n - minTailSize;
        int stride = Math.max(1, (int) Math.ceil((lastCandidate + 1) / (double) maxCandidates));
        PowerLawFit best = null;
        int previous = -1;
        for (int candidate = 0; candidate <= lastCandidate; candidate += stride) {
            int j = candidate;
            while (j > 0 && x[j - 1] == x[j]) j--;
            if (j == previous) continue;
            previous = j;
            int tail = n - j;
            double logSum = logSuffixSums[j] - tail * logs[j];
            if (!(logSum > 0)) continue;
            double alpha = 1.0 + tail / logSum;
            double distance = ksDistance(x, logs, j, alpha);
            if (best == null || distance < best.ksDistance()) best = new PowerLawFit(alpha, x[j], distance, tail, n);
        }
        if (best == null) {
            throw new IllegalArgumentException("all " + n + " samples equal " + x[0] + ": there is no tail to fit");
        }
        return best;
    }

    private static double ksDistance(double[] x, double[] logs, int start, double alpha) {
        int n = x.length;
        double tail = n - start;
        double exponent = alpha - 1.0;
        double distance = 0;
        for (int i = start; i < n; i++) {
            double fitted = 1.0 - Math.exp(-exponent * (logs[i] - logs[start]));
            if (i == start || x[i - 1] != x[i]) distance = Math.max(distance, Math.abs(fitted - (i - start) / tail));
            if (i == n - 1 || x[i + 1] != x[i]) distance = Math.max(distance, Math.abs(fitted - (i - start + 1) / tail));
        }
        return distance;
    }

    /** Configuration of a {@link PowerLawFitter}. */
    public static final class Builder {
        private int minTailSize = 10;
        private int maxCandidates = 2000;

        private Builder() {}

        /** Smallest tail considered (default 10); small tails give unreliable exponents. */
        public Builder minTailSize(int minTailSize) {
            if (minTailSize < 2) throw new IllegalArgumentException("minTailSize must be >= 2, got " + minTailSize);
            this.minTailSize = minTailSize;
            return this;
        }

        /** Largest number of {@code x_min} candidates evaluated (default 2000). */
        public Builder maxCandidates(int maxCandidates) {
            if (maxCandidates < 1) throw new IllegalArgumentException("maxCandidates must be >= 1, got " + maxCandidates);
            this.maxCandidates = maxCandidates;
            return this;
        }

        public PowerLawFitter build() { return new PowerLawFitter(this); }
    }
}
