package io.github.repmtl.samediff.strategy.math;

import io.github.repmtl.samediff.strategy.math.KnownSolutions.MinNormProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.github.repmtl.samediff.strategy.math.KnownSolutions.bruteForceMinNorm;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.combine;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.distance;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.gram;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.maxAbsDifference;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.minNormOnFace;
import static io.github.repmtl.samediff.strategy.math.KnownSolutions.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MinNormSolver} on gradients whose min-norm point lies on a face of the simplex (one or two weights 0), 2 to
 * 10 tasks, against the constructed answer and a brute-force one ({@link KnownSolutions}); the Frank-Wolfe option's
 * away steps, its certified bound and the result it returns at its iteration limit.
 */
class MinNormSolverTest {
    private static final int DRAWS = 15;
    private static final double TOL = 1e-8;

    static Stream<Arguments> faces() {
        return IntStream.rangeClosed(2, 10).boxed()
                .flatMap(tasks -> IntStream.rangeClosed(1, Math.min(2, tasks - 1)).mapToObj(zeros -> Arguments.of(tasks, zeros)));
    }

    @ParameterizedTest(name = "{0} tasks, {1} weight(s) 0")
    @MethodSource("faces")
    void exactSolverFindsTheMinNormPointOnAFace(int tasks, int zeros) {
        Random random = new Random(100L * tasks + zeros);
        for (int draw = 0; draw < DRAWS; draw++) {
            MinNormProblem problem = minNormOnFace(random, tasks, zeros);
            double[][] gram = gram(problem.gradients());
            assertEquals(0, maxAbsDifference(bruteForceMinNorm(gram), problem.weights()), TOL, "brute force vs construction");
            MinNormSolver.Result result = MinNormSolver.exact(gram);
            assertTrue(result.converged(), "converged, gap " + result.gap());
            assertTrue(result.gap() <= MinNormSolver.EXACT_TOLERANCE, "gap " + result.gap());
            double error = relativeError(combine(problem.gradients(), result.weights()), problem.minNormPoint());
            assertTrue(error <= TOL, "draw " + draw + ": |d - d*| / |d*| = " + error);
            assertEquals(0, maxAbsDifference(result.weights(), problem.weights()), TOL, "draw " + draw + ": weights");
            for (int t = 0; t < tasks; t++) {
                if (problem.weights()[t] == 0) assertEquals(0, result.weights()[t], 0, "draw " + draw + ": weight of task " + t);
            }
        }
    }

    @ParameterizedTest(name = "{0} tasks, {1} weight(s) 0")
    @MethodSource("faces")
    void frankWolfeMeetsItsCertifiedBound(int tasks, int zeros) {
        Random random = new Random(200L * tasks + zeros);
        for (int draw = 0; draw < DRAWS; draw++) {
            MinNormProblem problem = minNormOnFace(random, tasks, zeros);
            double[][] gram = gram(problem.gradients());
            double tolerance = 1e-12;
            MinNormSolver.Result result = MinNormSolver.frankWolfe(gram, 1_000_000, tolerance);
            double maxSquare = 0;
            for (int t = 0; t < tasks; t++) maxSquare = Math.max(maxSquare, gram[t][t]);
            assertTrue(result.converged() && result.gap() <= tolerance, "draw " + draw + ": gap " + result.gap());
            assertEquals(MinNormSolver.gap(gram, result.weights()) / maxSquare, result.gap(), 1e-15, "reported gap");
            double distance = distance(combine(problem.gradients(), result.weights()), problem.minNormPoint());
            assertTrue(distance <= (Math.sqrt(2 * Math.max(0, result.gap())) + 1e-12) * Math.sqrt(maxSquare),
                    "draw " + draw + ": |d - d*| = " + distance + " above the bound");
        }
    }

    /**
     * {@code g1 = (1, 1)}, {@code g2 = (-1, 1)}, {@code g3 = (0, 3)}: the min-norm point {@code (0, 1)} has weights
     * {@code (1/2, 1/2, 0)}. Plain Frank-Wolfe from the uniform weights approaches {@code w3 = 0} like {@code 1/k};
     * an away step drops {@code g3} exactly.
     */
    @Test
    void awayStepsReachAFaceExactly() {
        double[][] gram = gram(new double[][] {{1, 1}, {-1, 1}, {0, 3}});
        MinNormSolver.Result result = MinNormSolver.frankWolfe(gram, 100, 1e-15);
        assertTrue(result.converged(), "converged within 100 steps, gap " + result.gap());
        assertArrayEquals(new double[] {0.5, 0.5, 0}, result.weights(), 1e-15);
        assertArrayEquals(new double[] {0.5, 0.5, 0}, MinNormSolver.exact(gram).weights(), 1e-15);
    }

    @Test
    void frankWolfeReportsTheGapWhenItsLimitStopsIt() {
        MinNormProblem problem = minNormOnFace(new Random(3), 6, 2);
        double[][] gram = gram(problem.gradients());
        double maxSquare = 0;
        for (int t = 0; t < gram.length; t++) maxSquare = Math.max(maxSquare, gram[t][t]);
        MinNormSolver.Result result = MinNormSolver.frankWolfe(gram, 2, 1e-12);
        assertFalse(result.converged());
        assertEquals(2, result.iterations());
        assertTrue(result.gap() > 1e-12, "gap " + result.gap());
        assertEquals(MinNormSolver.gap(gram, result.weights()) / maxSquare, result.gap(), 1e-15);
    }

    @Test
    void paretoStationaryGradientsGiveTheZeroDirection() {
        double[][] gradients = {{1, 0}, {-2, 0}, {0, 1}};
        MinNormSolver.Result result = MinNormSolver.exact(gram(gradients));
        assertTrue(result.converged());
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3, 0}, result.weights(), 1e-15);
        assertArrayEquals(new double[] {0, 0}, combine(gradients, result.weights()), 1e-15);
    }

    @Test
    void degenerateGramMatrices() {
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, MinNormSolver.exact(new double[3][3]).weights(), 0);
        double[][] withZero = gram(new double[][] {{1, 2}, {0, 0}, {-3, 1}});
        assertArrayEquals(new double[] {0, 1, 0}, MinNormSolver.exact(withZero).weights(), 0, "a zero gradient is the min-norm point");
        double[][] duplicates = {{1, 1}, {1, 1}, {-1, 1}};
        assertArrayEquals(new double[] {0, 1}, combine(duplicates, MinNormSolver.exact(gram(duplicates)).weights()), 1e-15,
                "duplicate gradients");
    }

    /** More tasks than dimensions: the weights are not unique, the optimality certificate (gap 0) still holds. */
    @Test
    void rankDeficientGradientsReachAZeroGap() {
        Random random = new Random(5);
        for (int draw = 0; draw < 50; draw++) {
            int tasks = 4 + random.nextInt(7);
            double[][] gradients = new double[tasks][3];
            for (double[] row : gradients) for (int i = 0; i < row.length; i++) row[i] = random.nextGaussian() + (i == 0 ? 1 : 0);
            double[][] gram = gram(gradients);
            MinNormSolver.Result result = MinNormSolver.exact(gram);
            assertTrue(result.converged() && result.gap() <= MinNormSolver.EXACT_TOLERANCE, "draw " + draw + ": gap " + result.gap());
            double sum = 0;
            for (double w : result.weights()) {
                assertTrue(w >= 0);
                sum += w;
            }
            assertEquals(1, sum, 1e-14);
        }
    }

    @Test
    void exactWeightsDoNotDependOnTheScale() {
        double[][] gram = gram(minNormOnFace(new Random(9), 7, 2).gradients());
        double[] w = MinNormSolver.exact(gram).weights();
        for (double s : new double[] {1e-30, 1e30}) {
            assertArrayEquals(w, MinNormSolver.exact(scaled(gram, s)).weights(), 1e-14, "scale " + s);
        }
    }

    private static double[][] scaled(double[][] m, double s) {
        double[][] out = new double[m.length][m.length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m.length; j++) out[i][j] = m[i][j] * s;
        return out;
    }
}
