package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.CaGradDual;
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
 * <p>The dual is solved exactly (to round-off) by {@link CaGradDual} on the trace-normalised Gram matrix (the same
 * minimiser): alternating exact min-norm steps, each followed by the closed-form solution of the optimality
 * conditions on the current support. If it stops at its limit of 1000 alternations instead, the first occurrence
 * is logged as a warning with the remaining duality gap and later ones at debug level. Task-specific parameters get
 * weight 1.
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
    private static final double MIN_TAU = 1e-12;

    private final double c;
    private final int rescale;
    private boolean warned;

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
                CaGradDual.Result dual = CaGradDual.solve(normalized, radius, MAX_ALTERNATIONS);
                if (!dual.converged()) warnNotConverged(context, dual);
                double[] w = dual.weights();
                double normGw = Math.sqrt(Math.max(0, VectorMath.dot(w, VectorMath.multiply(normalized, w))));
                if (normGw > MIN_TAU) {
                    for (int t = 0; t < n; t++) coefficients[t] += radius / normGw * w[t] / divisor;
                }
            }
        }
        return Aggregation.ofDirection(VectorMath.filled(n, 1), VectorMath.combine(gradients, coefficients), coefficients);
    }

    private void warnNotConverged(StepContext context, CaGradDual.Result dual) {
        String message = where(context) + "the CAGrad dual stopped after {} alternations with relative duality gap {}";
        if (warned) {
            LOG.debug(message, dual.alternations(), dual.gap());
        } else {
            warned = true;
            LOG.warn(message + "; later occurrences are logged at debug level", dual.alternations(), dual.gap());
        }
    }
}
