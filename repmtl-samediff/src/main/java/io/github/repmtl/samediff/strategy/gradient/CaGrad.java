package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.QuadraticProgram;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.List;

/**
 * Conflict-averse gradient descent (CAGrad; Liu et al., NeurIPS 2021), as in LibMTL. With the mean gradient
 * {@code g0} ({@code |g0| = sqrt(mean(G))}) and {@code r = c |g0|}, the dual problem
 * {@code min_{w in simplex} w^T G 1/T + r sqrt(w^T G w)} gives {@code g_w = J^T w} and the direction
 * {@code (g0 + r g_w / |g_w|) / s}, with {@code s = 1} ({@code rescale=0}; TorchJD's and the paper's scale),
 * {@code 1 + c^2} ({@code rescale=1}, LibMTL's default) or {@code 1 + c} ({@code rescale=2}). When {@code r} or
 * {@code g_w} is 0 (Pareto-stationary gradients) the direction is {@code g0 / s}. LibMTL's {@code 1e-8} guards are
 * left out, so the direction scales exactly with the gradients.
 *
 * <p>The dual is solved with ojAlgo on the trace-normalised Gram matrix (the same minimiser):
 * {@code sqrt(q) = min_{tau>0} (q / tau + tau) / 2} turns it into the jointly convex
 * {@code w^T G 1/T + r (w^T G w / (2 tau) + tau / 2)}, minimised alternately over {@code w} (a simplex QP) and
 * {@code tau = sqrt(w^T G w)} until {@code tau} is stable. Task-specific parameters get weight 1.
 */
public final class CaGrad extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("cagrad",
            "CAGrad (Liu et al. 2021): maximise the worst task improvement near the mean gradient",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
            List.of(OptionSpec.real("c", 0.5, 0, Double.POSITIVE_INFINITY, "radius of the ball around the mean gradient, in units of |g0|"),
                    OptionSpec.integer("rescale", 1, 0, 2, "divide the direction by 1 (0), 1 + c^2 (1) or 1 + c (2)")),
            CaGrad::new);

    private static final Logger LOG = LoggerFactory.getLogger(CaGrad.class);
    private static final int MAX_ALTERNATIONS = 1000;
    private static final double RELATIVE_TOLERANCE = 1e-12;
    private static final double MIN_TAU = 1e-12;

    private final double c;
    private final int rescale;

    public CaGrad(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.c = options.real("c");
        this.rescale = options.integer("rescale");
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[][] gram = VectorMath.gram(gradients);
        int n = taskCount();
        double[] uniform = VectorMath.filled(n, 1.0 / n);
        double divisor = switch (rescale) {
            case 1 -> 1 + c * c;
            case 2 -> 1 + c;
            default -> 1;
        };
        double[] coefficients = VectorMath.scale(uniform, 1 / divisor);
        double trace = 0;
        for (int t = 0; t < n; t++) trace += gram[t][t];
        if (trace > 0) {
            double[][] normalized = VectorMath.scale(gram, 1 / trace);
            double radius = c * Math.sqrt(Math.max(0, VectorMath.dot(uniform, VectorMath.multiply(normalized, uniform))));
            if (radius > 0) {
                double[] w = solveDual(normalized, uniform, radius);
                double normGw = Math.sqrt(Math.max(0, VectorMath.dot(w, VectorMath.multiply(normalized, w))));
                if (normGw > MIN_TAU) {
                    for (int t = 0; t < n; t++) coefficients[t] += radius / normGw * w[t] / divisor;
                }
            }
        }
        return Aggregation.ofDirection(VectorMath.filled(n, 1), VectorMath.combine(gradients, coefficients), coefficients);
    }

    private static double[] solveDual(double[][] gram, double[] uniform, double radius) {
        double[] linear = VectorMath.multiply(gram, uniform);
        double[] w = uniform;
        double tau = tau(gram, w);
        for (int iteration = 0; iteration < MAX_ALTERNATIONS; iteration++) {
            double[][] quadratic = VectorMath.scale(gram, radius / tau);
            w = QuadraticProgram.minimize(quadratic).plusLinear(linear).onSimplex().solve("the CAGrad dual");
            double next = tau(gram, w);
            boolean stable = Math.abs(next - tau) <= RELATIVE_TOLERANCE * tau;
            tau = next;
            if (stable) return w;
        }
        LOG.debug("CAGrad dual: tau not stable after {} alternations (tau = {})", MAX_ALTERNATIONS, tau);
        return w;
    }

    /** {@code sqrt(w^T G w)}, at least {@link #MIN_TAU} (relative to the unit trace of the normalised G). */
    private static double tau(double[][] gram, double[] w) {
        return Math.max(MIN_TAU, Math.sqrt(Math.max(0, VectorMath.dot(w, VectorMath.multiply(gram, w)))));
    }
}
