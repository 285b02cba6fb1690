package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.MinNormSolver;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.List;

/**
 * MGDA (Désidéri 2012; Sener and Koltun, NeurIPS 2018): the shared direction is the minimum-norm element
 * {@code d = sum_t w_t g~_t} of the convex hull of the (optionally normalised) task gradients
 * {@code g~_t = g_t / s_t}; {@code s_t} = 1 ({@code none}), {@code ||g_t||} ({@code l2}), {@code L_t}
 * ({@code loss}) or {@code L_t ||g_t||} ({@code loss+}), LibMTL's {@code mgda_gn}. The weights sum to 1, so
 * {@code d} is on the mean scale; it has a non-negative inner product with every task gradient. Solved exactly by
 * default ({@link MinNormSolver#exact}, Wolfe's min-norm-point algorithm), or by Frank-Wolfe with away steps
 * ({@link MinNormSolver#frankWolfe}) to a duality-gap tolerance. When a solver stops short of its tolerance (the
 * Frank-Wolfe iteration limit, or round-off in the exact solver) the first occurrence is logged as a warning with
 * the remaining gap and later ones at debug level. Task-specific parameters get weight 1 (LibMTL).
 */
public final class Mgda extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("mgda",
            "MGDA (Sener and Koltun 2018): the min-norm point of the convex hull of the task gradients",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
            List.of(OptionSpec.choice("normalization", "none", List.of("none", "l2", "loss", "loss+"),
                            "gradient normalisation before the min-norm problem (LibMTL mgda_gn)"),
                    OptionSpec.choice("solver", "qp", List.of("frank-wolfe", "qp"),
                            "qp: the exact QP solution by Wolfe's finite min-norm-point algorithm (duality gap at most 1e-13"
                                    + " max_t |g~_t|^2, the direction exact to round-off); frank-wolfe: Sener and Koltun's Algorithm 2"
                                    + " with away steps, as accurate as maxIterations and tolerance allow"),
                    OptionSpec.integer("maxIterations", 10_000, 1, 1_000_000,
                            "Frank-Wolfe iteration limit (solver=frank-wolfe); reaching it logs a warning with the remaining gap"),
                    OptionSpec.real("tolerance", 1e-10, 0, 1, "Frank-Wolfe (solver=frank-wolfe) stops when the duality gap"
                            + " |d|^2 - min_t <g~_t, d> is at most this times max_t |g~_t|^2;"
                            + " then |d - d*| <= sqrt(2 tolerance) max_t |g~_t|")),
            Mgda::new);

    private static final Logger LOG = LoggerFactory.getLogger(Mgda.class);

    private final String normalization;
    private final boolean exact;
    private final int maxIterations;
    private final double tolerance;
    private boolean warned;

    public Mgda(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.normalization = options.choice("normalization");
        this.exact = options.choice("solver").equals("qp");
        this.maxIterations = options.integer("maxIterations");
        this.tolerance = options.real("tolerance");
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[][] gram = VectorMath.gram(gradients);
        double[] scales = normalizers(context, gram);
        int n = taskCount();
        double[][] normalizedGram = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) normalizedGram[i][j] = gram[i][j] / (scales[i] * scales[j]);
        }
        MinNormSolver.Result solution = exact ? MinNormSolver.exact(normalizedGram)
                : MinNormSolver.frankWolfe(normalizedGram, maxIterations, tolerance);
        if (!solution.converged()) warnNotConverged(context, solution);
        double[] w = solution.weights();
        double[] coefficients = new double[n];
        for (int t = 0; t < n; t++) coefficients[t] = w[t] / scales[t];
        return Aggregation.ofDirection(VectorMath.filled(n, 1), VectorMath.combine(gradients, coefficients), coefficients);
    }

    private void warnNotConverged(StepContext context, MinNormSolver.Result solution) {
        String message = where(context) + (exact ? "the exact min-norm solver stopped by round-off"
                : "Frank-Wolfe reached maxIterations = " + maxIterations) + " with duality gap {} (relative to max_t |g~_t|^2,"
                + " tolerance {}), so |d - d*| <= {} max_t |g~_t|";
        Object[] arguments = {solution.gap(), exact ? MinNormSolver.EXACT_TOLERANCE : tolerance, Math.sqrt(2 * solution.gap())};
        if (warned) {
            LOG.debug(message, arguments);
        } else {
            warned = true;
            LOG.warn(message + "; later occurrences are logged at debug level", arguments);
        }
    }

    private double[] normalizers(StepContext context, double[][] gram) {
        double[] losses = context.losses();
        if (normalization.startsWith("loss")) {
            requirePositiveLosses(context, losses, "MGDA normalisation '" + normalization + "' divides by it");
        }
        double[] s = new double[taskCount()];
        for (int t = 0; t < s.length; t++) {
            double norm = Math.sqrt(gram[t][t]);
            s[t] = switch (normalization) {
                case "l2" -> norm > 0 ? norm : 1;
                case "loss" -> losses[t];
                case "loss+" -> norm > 0 ? losses[t] * norm : 1;
                default -> 1;
            };
        }
        return s;
    }
}
