package io.github.repmtl.samediff.strategy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.github.repmtl.samediff.strategy.StepFixtures.assertVector;
import static io.github.repmtl.samediff.strategy.StepFixtures.dot;
import static io.github.repmtl.samediff.strategy.StepFixtures.norm;
import static io.github.repmtl.samediff.strategy.StepFixtures.randomJacobian;
import static io.github.repmtl.samediff.strategy.StepFixtures.scale;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TorchJD-style properties over seeded random Jacobians (T in 2..5 tasks, P from T - 1 to 8 so that linearly
 * dependent rows occur): non-conflicting directions, invariance under task permutation, and behaviour under
 * scaling of the Jacobian.
 */
class AggregatorPropertiesTest {
    private static final int DRAWS = 60;

    /** Fresh strategy from "name" or "name:option=value,option=value". */
    private static MultiTaskStrategy strategy(String spec, int tasks) {
        String[] parts = spec.split(":");
        Map<String, String> options = new HashMap<>();
        if (parts.length > 1) {
            for (String kv : parts[1].split(",")) options.put(kv.split("=")[0], kv.split("=")[1]);
        }
        return Strategies.create(parts[0], tasks, options);
    }

    private static Aggregation aggregate(String spec, double[][] jacobian, long seed) {
        double[] losses = new double[jacobian.length];
        Arrays.fill(losses, 1);
        return strategy(spec, jacobian.length).aggregate(StepContext.builder().losses(losses)
                .gradients(GradientMode.PARAMETERS, jacobian).random(new Random(seed)).build());
    }

    private static Stream<double[][]> jacobians(long seed, int minTasks, int maxTasks, boolean fullRowRank) {
        Random random = new Random(seed);
        return Stream.generate(() -> {
            int tasks = minTasks + random.nextInt(maxTasks - minTasks + 1);
            int minLength = fullRowRank ? tasks : tasks - 1;
            int length = minLength + random.nextInt(9 - minLength);
            double[][] j = randomJacobian(random, tasks, length);
            double rowScale = Math.exp(2 * random.nextGaussian());   // spread gradient norms over orders of magnitude
            j[0] = scale(j[0], rowScale);
            return j;
        }).limit(DRAWS);
    }

    static Stream<Arguments> nonConflicting() {
        return Stream.of(
                Arguments.of("mgda:solver=qp", 2, 5, false),
                Arguments.of("mgda:solver=frank-wolfe,tolerance=1e-12,maxIterations=100000", 2, 3, false),
                Arguments.of("upgrad:normEps=0", 2, 5, false),
                Arguments.of("pcgrad", 2, 2, false),
                Arguments.of("nash-mtl:maxNorm=0,maxIterations=200", 2, 5, true),
                Arguments.of("fairgrad", 2, 5, true),
                Arguments.of("fairgrad:alpha=2", 2, 5, true));
    }

    /**
     * {@code d . g_t >= 0} up to round-off ({@code 1e-7 |g_t| max_s |g_s|}); for UPGrad also up to its ridge:
     * the QP's optimality conditions give {@code d . g_t >= -regEps * trace(G) * w_t}.
     */
    @ParameterizedTest(name = "{0} with {1}..{2} tasks")
    @MethodSource
    void nonConflicting(String spec, int minTasks, int maxTasks, boolean fullRowRank) {
        jacobians(11, minTasks, maxTasks, fullRowRank).forEach(j -> {
            Aggregation a = aggregate(spec, j, 1);
            double[] d = a.direction();
            double maxNorm = 0;
            double trace = 0;
            for (double[] row : j) {
                maxNorm = Math.max(maxNorm, norm(row));
                trace += dot(row, row);
            }
            for (int t = 0; t < j.length; t++) {
                double inner = dot(d, j[t]);
                double slack = 1e-7 * norm(j[t]) * maxNorm;
                if (spec.startsWith("upgrad")) slack += 1e-4 * trace * a.directionWeights()[t];
                assertTrue(inner >= -slack, spec + ": direction conflicts with task " + t + " (inner " + inner + ")");
            }
        });
    }

    static Stream<String> permutationInvariant() {
        return Stream.of("mgda:solver=qp", "upgrad:normEps=0", "imtl-g", "aligned-mtl", "cagrad", "nash-mtl", "fairgrad", "gradnorm",
                "pcgrad");
    }

    @ParameterizedTest
    @MethodSource
    void permutationInvariant(String spec) {
        Random random = new Random(21);
        int maxTasks = spec.equals("pcgrad") ? 2 : 5;        // PCGrad's random order breaks the symmetry beyond 2 tasks
        jacobians(13, 2, maxTasks, true).forEach(j -> {
            int n = j.length;
            List<Integer> shuffled = new ArrayList<>();
            for (int t = 0; t < n; t++) shuffled.add(t);
            Collections.shuffle(shuffled, random);
            int[] order = shuffled.stream().mapToInt(Integer::intValue).toArray();
            double[][] permuted = new double[n][];
            for (int t = 0; t < n; t++) permuted[t] = j[order[t]];
            Aggregation a = aggregate(spec, j, 1);
            Aggregation b = aggregate(spec, permuted, 1);
            double tol = 1e-6 * (1 + norm(a.direction()));
            assertVector(a.direction(), b.direction(), tol, spec + " direction under permutation");
            for (int t = 0; t < n; t++) {
                double scaleT = 1e-6 * (1 + Math.abs(a.directionWeights()[order[t]]));
                assertTrue(Math.abs(a.directionWeights()[order[t]] - b.directionWeights()[t]) <= scaleT,
                        spec + " weights follow the permutation");
            }
        });
    }

    static Stream<Arguments> scaling() {
        return Stream.of(
                Arguments.of("mgda:solver=qp", 1.0),
                Arguments.of("upgrad:normEps=0", 1.0),
                Arguments.of("imtl-g", 1.0),
                Arguments.of("aligned-mtl", 1.0),
                Arguments.of("cagrad", 1.0),
                Arguments.of("pcgrad", 1.0),
                Arguments.of("nash-mtl:maxNorm=0,maxIterations=200,tolerance=1e-10", 1.0),
                Arguments.of("fairgrad", 0.0),            // d(aJ) = a^((1 - alpha) / (1 + alpha)) d(J)
                Arguments.of("fairgrad:alpha=3", -0.5),
                Arguments.of("fairgrad:alpha=0.5", 1.0 / 3));
    }

    /** {@code d(a J) = a^exponent d(J)} for {@code a > 0}. */
    @ParameterizedTest(name = "{0}: d(aJ) = a^{1} d(J)")
    @MethodSource
    void scaling(String spec, double exponent) {
        Random random = new Random(5);
        jacobians(17, 2, 5, true).forEach(j -> {
            double a = Math.exp(3 * random.nextGaussian());
            double[][] scaled = new double[j.length][];
            for (int t = 0; t < j.length; t++) scaled[t] = scale(j[t], a);
            double[] expected = scale(aggregate(spec, j, 2).direction(), Math.pow(a, exponent));
            assertVector(expected, aggregate(spec, scaled, 2).direction(), 1e-5 * (1 + norm(expected)), spec + " scaling by " + a);
        });
    }

    @ParameterizedTest
    @MethodSource("permutationInvariant")
    void sharedDirectionIsTheWeightedCombination(String spec) {
        jacobians(19, 2, 4, false).forEach(j -> {
            Aggregation a = aggregate(spec, j, 3);
            double[] combination = new double[j[0].length];
            for (int t = 0; t < j.length; t++) {
                for (int p = 0; p < combination.length; p++) combination[p] += a.directionWeights()[t] * j[t][p];
            }
            assertVector(combination, a.direction(), 1e-9 * (1 + norm(combination)), spec + " direction = J^T directionWeights");
        });
    }
}
