package io.github.repmtl.samediff.analysis;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PowerLawFitterTest {
    private final PowerLawFitter fitter = PowerLawFitter.builder().build();

    /** Inverse-CDF samples of the continuous power law p(x) ~ x^-alpha on [xMin, inf). */
    private static double[] pareto(double alpha, double xMin, int n, long seed) {
        Random random = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = xMin * Math.pow(1 - random.nextDouble(), -1 / (alpha - 1));
        return x;
    }

    @Test
    void recoversTheExponentOfParetoSamples() {
        double[] alphas = {1.5, 2.0, 2.5, 3.0, 4.0};
        for (int i = 0; i < alphas.length; i++) {
            PowerLawFit fit = fitter.fit(pareto(alphas[i], 1.0, 20_000, 100 + i));
            assertEquals(alphas[i], fit.alpha(), 0.1, "alpha " + alphas[i] + ": " + fit);
            assertTrue(fit.xMin() >= 1.0 && fit.tailSize() >= 10 && fit.sampleSize() == 20_000, fit.toString());
        }
    }

    @Test
    void findsWhereTheTailStarts() {
        // a uniform body on [0.1, 1) below a power-law tail with alpha 2.5 from 1
        Random random = new Random(3);
        double[] tail = pareto(2.5, 1.0, 10_000, 4);
        double[] sample = Arrays.copyOf(tail, 20_000);
        for (int i = 10_000; i < 20_000; i++) sample[i] = 0.1 + 0.9 * random.nextDouble();
        PowerLawFit fit = fitter.fit(sample);
        assertEquals(2.5, fit.alpha(), 0.1, fit.toString());
        // the KS choice may start somewhat inside the tail, but never in the uniform body below 1
        assertTrue(fit.xMin() >= 0.99 && fit.xMin() <= 1.5, fit.toString());
    }

    @Test
    void agreesWithABruteForceClausetSearch() {
        Random random = new Random(5);
        double[] sample = new double[400];
        for (int i = 0; i < sample.length; i++) sample[i] = Math.exp(1.5 * random.nextGaussian());
        sample[7] = sample[8]; // a tie
        double[] x = sample.clone();
        Arrays.sort(x);
        double bestD = Double.POSITIVE_INFINITY, bestAlpha = 0, bestXMin = 0;
        for (int j = 0; j <= x.length - 10; j++) {
            if (j > 0 && x[j] == x[j - 1]) continue;
            int n = x.length - j;
            double logSum = 0;
            for (int i = j; i < x.length; i++) logSum += Math.log(x[i] / x[j]);
            double alpha = 1 + n / logSum;
            double d = 0;
            for (int i = j; i < x.length; i++) {
                double cdf = 1 - Math.pow(x[i] / x[j], 1 - alpha);
                int below = 0, atOrBelow = 0;
                for (int k = j; k < x.length; k++) {
                    if (x[k] < x[i]) below++;
                    if (x[k] <= x[i]) atOrBelow++;
                }
                d = Math.max(d, Math.max(Math.abs(cdf - (double) below / n), Math.abs(cdf - (double) atOrBelow / n)));
            }
            if (d < bestD) { bestD = d; bestAlpha = alpha; bestXMin = x[j]; }
        }
        PowerLawFit fit = fitter.fit(sample);
        assertEquals(bestXMin, fit.xMin(), 0.0);
        assertEquals(bestAlpha, fit.alpha(), 1e-9);
        assertEquals(bestD, fit.ksDistance(), 1e-12);
    }

    @Test
    void badSamplesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> fitter.fit(new double[]{1, 2, 3}));
        double[] withZero = pareto(2, 1, 100, 1);
        withZero[3] = 0;
        assertThrows(IllegalArgumentException.class, () -> fitter.fit(withZero));
        double[] withNaN = pareto(2, 1, 100, 1);
        withNaN[5] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> fitter.fit(withNaN));
        double[] constant = new double[50];
        Arrays.fill(constant, 2.0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> fitter.fit(constant)).getMessage().contains("equal"));
        assertThrows(IllegalArgumentException.class, () -> PowerLawFitter.builder().minTailSize(1));
    }
}
