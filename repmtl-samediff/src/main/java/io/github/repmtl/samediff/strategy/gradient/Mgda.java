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

import java.util.EnumSet;
import java.util.List;

/**
 * MGDA (Désidéri 2012; Sener and Koltun, NeurIPS 2018): the shared direction is the minimum-norm element
 * {@code d = sum_t w_t g~_t} of the convex hull of the (optionally normalised) task gradients
 * {@code g~_t = g_t / s_t}; {@code s_t} = 1 ({@code none}), {@code ||g_t||} ({@code l2}), {@code L_t}
 * ({@code loss}) or {@code L_t ||g_t||} ({@code loss+}), LibMTL's {@code mgda_gn}. The weights sum to 1, so
 * {@code d} is on the mean scale; it has a non-negative inner product with every task gradient. Solved by
 * Frank-Wolfe or exactly by ojAlgo's QP solver. Task-specific parameters get weight 1 (LibMTL).
 */
public final class Mgda extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("mgda",
            "MGDA (Sener and Koltun 2018): the min-norm point of the convex hull of the task gradients",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
            List.of(OptionSpec.choice("normalization", "none", List.of("none", "l2", "loss", "loss+"),
                            "gradient normalisation before the min-norm problem (LibMTL mgda_gn)"),
                    OptionSpec.choice("solver", "frank-wolfe", List.of("frank-wolfe", "qp"),
                            "Frank-Wolfe (Sener and Koltun, Algorithm 2) or the exact QP by ojAlgo"),
                    OptionSpec.integer("maxIterations", 250, 1, 1_000_000, "Frank-Wolfe iteration limit"),
                    OptionSpec.real("tolerance", 1e-5, 0, 1, "Frank-Wolfe stops when its step size falls below this")),
            Mgda::new);

    private final String normalization;
    private final boolean exact;
    private final int maxIterations;
    private final double tolerance;

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
        double[] w = exact ? MinNormSolver.exact(normalizedGram)
                : MinNormSolver.frankWolfe(normalizedGram, maxIterations, tolerance);
        double[] coefficients = new double[n];
        for (int t = 0; t < n; t++) coefficients[t] = w[t] / scales[t];
        return Aggregation.ofDirection(VectorMath.filled(n, 1), VectorMath.combine(gradients, coefficients), coefficients);
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
