package io.github.repmtl.samediff.strategy.math;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static io.github.repmtl.samediff.strategy.math.KnownSolutions.bruteForceCaGradDual;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.gram;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.maxAbsDifference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CaGradDual} against the brute-force closed form of {@link KnownSolutions#bruteForceCaGradDual} on random
 * gradients (norms spread over orders of magnitude) whose dual minimiser has one or two weights 0, 2 to 10 tasks.
 */
class CaGradDualTest {
    private static final int CASES = 10;
    private static final double TOL = 1e-8;

    /** A random unit-trace Gram matrix of {@code tasks} gradients in {@code R^(tasks + 2)}. */
    static double[][] randomGram(Random random, int tasks) {
        double[][] gradients = new double[tasks][tasks + 2];
        for (double[] row : gradients) {
            double scale = Math.exp(random.nextGaussian());
            for (int i = 0; i < row.length; i++) row[i] = scale * random.nextGaussian();
        }
        double[][] gram = gram(gradients);
        double trace = 0;
        for (int t = 0; t < tasks; t++) trace += gram[t][t];
        for (double[] row : gram) for (int j = 0; j < tasks; j++) row[j] /= trace;
        return gram;
    }

    static double radius(double[][] gram, double c) {
        double mean = 0;
        for (double[] row : gram) for (double v : row) mean += v;
        return c * Math.sqrt(mean) / gram.length;
    }

    @ParameterizedTest(name = "{0} tasks")
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8, 9, 10})
    void matchesTheClosedFormOnAFace(int tasks) {
        Random random = new Random(tasks);
        int found = 0;
        for (int draw = 0; found < CASES && draw < 2000; draw++) {
            double[][] gram = randomGram(random, tasks);
            double radius = radius(gram, 0.05 + random.nextDouble());
            double[] expected = bruteForceCaGradDual(gram, radius);
            int zeros = 0;
            for (double w : expected) if (w == 0) zeros++;
            if (zeros < 1 || zeros > 2) continue;
            found++;
            CaGradDual.Result result = CaGradDual.solve(gram, radius, 1000);
            assertTrue(result.converged(), "draw " + draw);
            assertTrue(result.gap() <= 1e-12, "draw " + draw + ": gap " + result.gap());
            assertEquals(0, maxAbsDifference(result.weights(), expected), TOL, "draw " + draw + ": weights");
            for (int t = 0; t < tasks; t++) {
                if (expected[t] == 0) assertEquals(0, result.weights()[t], 0, "draw " + draw + ": weight of task " + t);
            }
        }
        assertEquals(CASES, found, "problems with one or two weights 0");
    }

    @Test
    void reportsTheGapWhenItsLimitStopsIt() {
        double[][] gram = randomGram(new Random(4), 5);
        CaGradDual.Result result = CaGradDual.solve(gram, radius(gram, 0.5), 0);
        assertFalse(result.converged());
        assertEquals(0, result.alternations());
        assertTrue(result.gap() > 1e-6, "gap of the uniform start " + result.gap());
    }
}
