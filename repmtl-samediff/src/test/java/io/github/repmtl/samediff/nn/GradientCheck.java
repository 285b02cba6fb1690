package io.github.repmtl.samediff.nn;

import io.github.repmtl.samediff.util.QuietConsole;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Central finite differences against SameDiff's gradients, in float64. */
final class GradientCheck {
    private static final long MAX_ENTRIES = 48;

    private GradientCheck() {}

    /**
     * Checks d(loss)/d(variable) for evenly spaced entries (all of them for small arrays) of each named variable;
     * entries are perturbed in place and restored.
     *
     * <p>The tolerance is {@code |numeric - analytic| < 1e-7 (1 + |analytic|)}: central differences with
     * {@code h = 1e-5} are exact for quadratic losses up to rounding, which grows with the loss's magnitude.
     */
    static void check(SameDiff sd, String loss, Map<String, INDArray> feed, String... variables) {
        sd.setLossVariables(loss);
        Map<String, INDArray> grads = QuietConsole.call(() -> sd.calculateGradients(feed, variables));
        double h = 1e-5;
        for (String v : variables) {
            INDArray arr = sd.getVariable(v).getArr();
            INDArray g = grads.get(v);
            assertTrue(g != null, "no gradient for " + v);
            long step = Math.max(1, arr.length() / MAX_ENTRIES);           // evenly spaced, about MAX_ENTRIES of them
            for (long i = 0; i < arr.length(); i += step) {
                double orig = arr.getDouble(i);
                arr.putScalar(i, orig + h);
                double up = sd.output(feed, loss).get(loss).getDouble(0);
                arr.putScalar(i, orig - h);
                double down = sd.output(feed, loss).get(loss).getDouble(0);
                arr.putScalar(i, orig);
                double numeric = (up - down) / (2 * h);
                double analytic = g.getDouble(i);
                double err = Math.abs(numeric - analytic) / (1 + Math.abs(analytic));
                assertTrue(err < 1e-7, v + "[" + i + "]: analytic " + analytic + " vs numeric " + numeric);
            }
        }
    }
}
