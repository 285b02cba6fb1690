package io.github.repmtl.samediff.metrics;

import org.apache.commons.math3.distribution.TDistribution;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Statistics over seeds of one quantity (a metric, or Delta-p) measured for several methods on the same seeds: per
 * method the mean and sample standard deviation, the paired difference against a reference method with two 95 %
 * confidence intervals, and how many seeds each method won.
 *
 * <p>Definitions, with {@code x_i} a method's value on seed {@code i}, {@code r_i} the reference's, {@code n} seeds
 * taken in ascending seed order:
 * <ul>
 *   <li>mean {@code (1/n) sum_i x_i}; sample standard deviation {@code sqrt(sum_i (x_i - mean)^2 / (n - 1))}
 *       ({@link MeanAndDeviation});</li>
 *   <li>paired difference {@code d_i = x_i - r_i}, its mean {@code dbar} and sample standard deviation {@code s_d};</li>
 *   <li>paired t interval {@code dbar -+ t * s_d / sqrt(n)}, {@code t} the 0.975 quantile of Student's t with
 *       {@code n - 1} degrees of freedom (commons-math3); {@code [dbar, dbar]} when every {@code d_i} is equal;</li>
 *   <li>percentile bootstrap interval: {@code B} resamples (default {@value #DEFAULT_RESAMPLES}); resample {@code b}
 *       draws {@code n} seed positions with replacement, each {@code new Random(bootstrapSeed).nextInt(n)} in turn
 *       (one generator for all resamples, default seed {@value #DEFAULT_BOOTSTRAP_SEED}), and takes the mean
 *       {@code m_b} of the drawn {@code d_i} (summed in draw order, divided by {@code n}); with {@code m} the sorted
 *       {@code m_b}, the interval is {@code [q(0.025), q(0.975)]}, {@code q(p) = m[k] + (h - k) (m[k+1] - m[k])},
 *       {@code h = (B - 1) p}, {@code k = floor(h)} (linear interpolation between order statistics, R's type 7 and
 *       numpy's default). The same seed gives the same draws for every method and quantity;</li>
 *   <li>wins: on each seed the methods with the highest value (exact equality) are best; a method best alone wins
 *       the seed, methods sharing the best value tie it ({@link SeedWins}). Meant for quantities where higher is
 *       better, such as Delta-p.</li>
 * </ul>
 * Every method must have a finite value for the same set of seeds; intervals need at least 2 seeds.
 */
public final class SeedStatistics {
    /** Confidence level of both intervals. */
    public static final double CONFIDENCE = 0.95;
    /** Bootstrap resamples unless given. */
    public static final int DEFAULT_RESAMPLES = 10_000;
    /** Seed of the bootstrap's generator unless given. */
    public static final long DEFAULT_BOOTSTRAP_SEED = 1;

    private final String quantity;
    private final List<Long> seeds;
    private final Map<String, double[]> values;

    private SeedStatistics(String quantity, List<Long> seeds, Map<String, double[]> values) {
        this.quantity = quantity;
        this.seeds = seeds;
        this.values = values;
    }

    /**
     * Checks and stores a table method -> seed -> value (methods keep their order, seeds are sorted).
     *
     * @param quantity names the quantity in error messages, e.g. {@code "Delta-p"}
     * @throws IllegalArgumentException when there is no method, a method has no seed, two methods have different
     *                                  seed sets, or a value is missing, NaN or infinite (each names method and seed)
     */
    public static SeedStatistics of(String quantity, Map<String, ? extends Map<Long, Double>> table) {
        if (table == null || table.isEmpty()) throw new IllegalArgumentException(quantity + ": no methods to compare");
        List<Long> seeds = null;
        String first = null;
        Map<String, double[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, ? extends Map<Long, Double>> m : table.entrySet()) {
            String method = m.getKey();
            if (method == null) throw new IllegalArgumentException(quantity + ": a method has no name");
            Map<Long, Double> bySeed = m.getValue();
            if (bySeed == null || bySeed.isEmpty()) throw new IllegalArgumentException(quantity + ": method '" + method + "' has no seeds");
            List<Long> own = new ArrayList<>(new TreeSet<>(bySeed.keySet()));
            if (seeds == null) {
                seeds = own;
                first = method;
            } else if (!seeds.equals(own)) {
                throw new IllegalArgumentException(quantity + ": method '" + method + "' has seeds " + own + " but '" + first + "' has " + seeds
                        + "; every method needs the same seeds");
            }
            double[] v = new double[own.size()];
            for (int i = 0; i < v.length; i++) {
                Double x = bySeed.get(own.get(i));
                if (x == null || !Double.isFinite(x))
                    throw new IllegalArgumentException(quantity + ": method '" + method + "' seed " + own.get(i) + " has no finite value (" + x + ")");
                v[i] = x;
            }
            values.put(method, v);
        }
        return new SeedStatistics(quantity, Collections.unmodifiableList(seeds), Collections.unmodifiableMap(values));
    }

    public String quantity() { return quantity; }

    /** The methods, in the table's order. */
    public List<String> methods() { return List.copyOf(values.keySet()); }

    /** The seeds, ascending. */
    public List<Long> seeds() { return seeds; }

    /** A method's values in seed order. */
    public double[] values(String method) { return row(method, "method").clone(); }

    /** Mean and sample standard deviation of a method's values. */
    public MeanAndDeviation summary(String method) {
        double[] x = row(method, "method");
        return new MeanAndDeviation(x.length, mean(x), sampleSd(x));
    }

    /** {@link #difference(String, String, int, long)} with {@value #DEFAULT_RESAMPLES} resamples and seed {@value #DEFAULT_BOOTSTRAP_SEED}. */
    public PairedDifference difference(String method, String reference) {
        return difference(method, reference, DEFAULT_RESAMPLES, DEFAULT_BOOTSTRAP_SEED);
    }

    /**
     * The paired difference {@code method - reference} over the seeds with its paired t and percentile bootstrap
     * intervals (class documentation).
     *
     * @throws IllegalArgumentException for an unknown method or reference, fewer than 2 seeds, or {@code resamples < 1}
     */
    public PairedDifference difference(String method, String reference, int resamples, long bootstrapSeed) {
        double[] x = row(method, "method"), r = row(reference, "reference");
        int n = x.length;
        if (n < 2)
            throw new IllegalArgumentException(quantity + ": a confidence interval needs at least 2 seeds, got " + n + " (seed " + seeds + ")");
        if (resamples < 1) throw new IllegalArgumentException("bootstrap resamples must be >= 1, got " + resamples);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = x[i] - r[i];
        double mean = mean(d), sd = sampleSd(d);
        double t = new TDistribution(null, n - 1, 1e-14).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2);
        double half = t * sd / Math.sqrt(n);
        ConfidenceInterval pairedT = new ConfidenceInterval(CONFIDENCE, mean - half, mean + half);

        Random random = new Random(bootstrapSeed);
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += d[random.nextInt(n)];
            means[b] = sum / n;
        }
        Arrays.sort(means);
        double tail = (1 - CONFIDENCE) / 2;
        ConfidenceInterval bootstrap = new ConfidenceInterval(CONFIDENCE, quantile(means, tail), quantile(means, 1 - tail));
        return new PairedDifference(method, reference, n, mean, sd, pairedT, bootstrap, resamples, bootstrapSeed);
    }

    /** Seeds won and tied per method (highest value best), in the table's method order. */
    public Map<String, SeedWins> wins() {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (String m : values.keySet()) counts.put(m, new int[2]);
        for (int i = 0; i < seeds.size(); i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (double[] v : values.values()) best = Math.max(best, v[i]);
            List<String> winners = new ArrayList<>();
            for (Map.Entry<String, double[]> e : values.entrySet()) if (e.getValue()[i] == best) winners.add(e.getKey());
            for (String w : winners) counts.get(w)[winners.size() == 1 ? 0 : 1]++;
        }
        Map<String, SeedWins> wins = new LinkedHashMap<>();
        counts.forEach((m, c) -> wins.put(m, new SeedWins(c[0], c[1])));
        return Collections.unmodifiableMap(wins);
    }

    private double[] row(String method, String role) {
        double[] x = values.get(method);
        if (x == null) throw new IllegalArgumentException(quantity + ": unknown " + role + " '" + method + "'; methods: " + values.keySet());
        return x;
    }

    private static double mean(double[] x) {
        double sum = 0;
        for (double v : x) sum += v;
        return sum / x.length;
    }

    private static double sampleSd(double[] x) {
        if (x.length < 2) return Double.NaN;
        double mean = mean(x), squares = 0;
        for (double v : x) squares += (v - mean) * (v - mean);
        return Math.sqrt(squares / (x.length - 1));
    }

    /** Linear interpolation between the order statistics of {@code sorted} at {@code h = (B - 1) p}. */
    private static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int k = (int) Math.floor(h);
        if (k + 1 >= sorted.length) return sorted[sorted.length - 1];
        return sorted[k] + (h - k) * (sorted[k + 1] - sorted[k]);
    }
}
