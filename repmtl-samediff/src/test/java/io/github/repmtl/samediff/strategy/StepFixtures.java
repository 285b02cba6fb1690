package io.github.repmtl.samediff.strategy;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared fixtures of the strategy tests: contexts, random Jacobians and vector assertions. */
final class StepFixtures {
    /** TorchJD's reference Jacobian (rows = tasks). */
    static final double[][] J_BASE = {{-4, 1, 1}, {6, 1, 1}};

    /** Gradient length used by {@link #validContext}: 4 samples of 3 features, or parameter arrays of 5 and 7. */
    static final int LENGTH = 12;
    static final int BATCH = 4;
    static final int[] PARAMETER_SIZES = {5, 7};

    private StepFixtures() {}

    static MultiTaskStrategy create(String name, int tasks) {
        return Strategies.create(name, tasks, Map.of());
    }

    static MultiTaskStrategy create(String name, int tasks, Map<String, String> options) {
        return Strategies.create(name, tasks, options);
    }

    /** A context in the given mode with only losses and gradients. */
    static StepContext context(double[] losses, GradientMode mode, double[][] gradients) {
        StepContext.Builder b = StepContext.builder().losses(losses).random(new Random(7));
        if (mode != GradientMode.NONE) b.gradients(mode, gradients);
        return b.build();
    }

    /** Runs one PARAMETERS-mode step with unit losses. */
    static Aggregation run(MultiTaskStrategy s, double[][] jacobian) {
        double[] losses = new double[jacobian.length];
        Arrays.fill(losses, 1);
        return s.aggregate(context(losses, GradientMode.PARAMETERS, jacobian));
    }

    /** The update of the shared part for a Jacobian: the direction, or the weighted sum of the rows. */
    static double[] shared(Aggregation a, double[][] jacobian) {
        return a.sharedDirection(jacobian);
    }

    /**
     * A valid context for any strategy in its preferred mode: {@link #LENGTH}-entry gradient rows, a representation
     * of {@link #BATCH} samples in REPRESENTATION mode and {@link #PARAMETER_SIZES} in PARAMETERS mode.
     */
    static StepContext validContext(MultiTaskStrategy s, long step, int epoch, double[] losses, double[][] gradients,
                                    Random random) {
        StepContext.Builder b = StepContext.builder().step(step).epoch(epoch).losses(losses).random(random);
        GradientMode mode = s.preferredMode();
        if (mode == GradientMode.NONE) return b.build();
        b.gradients(mode, gradients);
        if (mode == GradientMode.REPRESENTATION) {
            double[] z = new double[gradients[0].length];
            for (int p = 0; p < z.length; p++) z[p] = random.nextGaussian();
            b.representation(z, BATCH);
        } else if (gradients[0].length == LENGTH) {
            b.parameterSizes(PARAMETER_SIZES);
        }
        return b.build();
    }

    static double[][] randomJacobian(Random random, int tasks, int length) {
        double[][] j = new double[tasks][length];
        for (double[] row : j) for (int p = 0; p < length; p++) row[p] = random.nextGaussian();
        return j;
    }

    static double[] positiveLosses(Random random, int tasks) {
        double[] l = new double[tasks];
        for (int t = 0; t < tasks; t++) l[t] = 0.2 + 2 * random.nextDouble();
        return l;
    }

    static void assertVector(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + " [" + i + "]: expected " + Arrays.toString(expected)
                    + " got " + Arrays.toString(actual));
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    static double[] scale(double[] a, double s) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) out[i] *= s;
        return out;
    }
}
