package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import io.github.repmtl.samediff.strategy.support.StateReader;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Gradient vaccine (GradVac; Wang et al., ICLR 2021), as in LibMTL. Per block {@code k} of the gradient vector
 * (the whole vector, or each shared parameter array) and ordered task pair {@code (i, j)}, an EMA target
 * similarity {@code phi_ijk} (initially 0, decay {@code beta}) is kept. For each task {@code i} and the other
 * tasks {@code j} in a random order, with {@code rho = cos(g_i^GV, g_j)} on the block (0 if either is zero): if {@code rho < phi},
 * {@code g_i^GV += |g_i^GV| (phi sqrt(1-rho^2) - rho sqrt(1-phi^2)) / (|g_j| sqrt(1-phi^2)) g_j} (skipped when the
 * denominator is 0); then {@code phi = (1-beta) phi + beta rho}. After the update {@code cos(g_i^GV, g_j) = phi}.
 * The direction is {@code sum_i g_i^GV} (sum scale). With all targets 0 (the first step) this is PCGrad's
 * projection. LibMTL's {@code + 1e-8} guards are replaced by exact zero checks (scale covariance). Task-specific
 * parameters get weight 1.
 *
 * <p>{@code granularity=parameter} (LibMTL's {@code all_matrix}) needs {@link StepContext#parameterSizes()} and
 * runs in PARAMETERS mode only; the number of blocks must stay the same across steps.
 */
public final class GradVac extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("gradvac",
            "GradVac (Wang et al. 2021): raise pairwise gradient similarities towards their running averages",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
            List.of(OptionSpec.real("beta", 0.5, 0, 1, "EMA rate of the target similarities"),
                    OptionSpec.choice("granularity", "whole", List.of("whole", "parameter"),
                            "one block for the whole vector, or one block per shared parameter array")),
            GradVac::new);

    private final double beta;
    private final boolean perParameter;
    private double[][][] targets;

    public GradVac(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, options.choice("granularity").equals("parameter")
                ? EnumSet.of(GradientMode.PARAMETERS) : DESCRIPTOR.modes());
        this.beta = options.real("beta");
        this.perParameter = options.choice("granularity").equals("parameter");
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        int[] bounds = blockBounds(context);
        int blocks = bounds.length - 1;
        int n = taskCount();
        if (targets == null) targets = new double[n][n][blocks];
        if (targets[0][0].length != blocks) {
            throw new IllegalArgumentException(where(context) + "gradients come in " + blocks + " parameter blocks but "
                    + "earlier steps had " + targets[0][0].length + "; GradVac keeps a target similarity per block");
        }
        int[][] orders = new int[n][];   // one random order of the other tasks per task, shared by all blocks
        for (int i = 0; i < n; i++) orders[i] = PcGrad.shuffledTasks(n, context.random());
        double[][] blockCoefficients = new double[blocks][];
        for (int k = 0; k < blocks; k++) {
            blockCoefficients[k] = vaccinate(blockGram(gradients, bounds[k], bounds[k + 1]), k, orders);
        }
        double[] direction = new double[gradients[0].length];
        for (int k = 0; k < blocks; k++) {
            for (int t = 0; t < n; t++) {
                VectorMath.addScaled(direction, blockCoefficients[k][t], gradients[t], bounds[k], bounds[k + 1]);
            }
        }
        return Aggregation.ofDirection(VectorMath.filled(n, 1), direction, blocks == 1 ? blockCoefficients[0] : null);
    }

    /** Updates the targets of block {@code k} and returns the combination weights of {@code sum_i g_i^GV} on it. */
    private double[] vaccinate(double[][] gram, int k, int[][] orders) {
        int n = taskCount();
        double[] sumCoefficients = new double[n];
        for (int i = 0; i < n; i++) {
            double[] c = new double[n];   // g_i^GV on this block = sum_m c_m g_m
            c[i] = 1;
            for (int j : orders[i]) {
                if (j == i) continue;
                double[] gc = VectorMath.multiply(gram, c);
                double norm = Math.sqrt(Math.max(0, VectorMath.dot(c, gc)));
                double normJ = Math.sqrt(gram[j][j]);
                double rho = norm > 0 && normJ > 0 ? Math.max(-1, Math.min(1, gc[j] / (norm * normJ))) : 0;
                double phi = targets[i][j][k];
                double sinPhi = Math.sqrt(Math.max(0, 1 - phi * phi));
                if (rho < phi && normJ > 0 && sinPhi > 0) {
                    c[j] += norm * (phi * Math.sqrt(1 - rho * rho) - rho * sinPhi) / (normJ * sinPhi);
                }
                targets[i][j][k] = (1 - beta) * phi + beta * rho;
            }
            for (int m = 0; m < n; m++) sumCoefficients[m] += c[m];
        }
        return sumCoefficients;
    }

    private int[] blockBounds(StepContext context) {
        int length = context.gradientLength();
        if (!perParameter) return new int[] {0, length};
        int[] sizes = context.parameterSizes();
        if (sizes == null) {
            throw new IllegalArgumentException(where(context) + "granularity 'parameter' needs the parameter sizes in "
                    + "the step context (StepContext.Builder.parameterSizes)");
        }
        int[] bounds = new int[sizes.length + 1];
        for (int k = 0; k < sizes.length; k++) bounds[k + 1] = bounds[k] + sizes[k];
        return bounds;
    }

    private static double[][] blockGram(double[][] gradients, int from, int to) {
        int n = gradients.length;
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                g[i][j] = VectorMath.dot(gradients[i], gradients[j], from, to);
                g[j][i] = g[i][j];
            }
        }
        return g;
    }

    @Override
    protected void saveState(Map<String, Object> state) {
        state.put("targets", targets == null ? null : VectorMath.copy(targets));
    }

    @Override
    protected void loadState(StateReader state) {
        if (state.isNull("targets")) {
            targets = null;
            return;
        }
        double[][][] restored = state.tensor3("targets", taskCount(), taskCount(), -1);
        for (double[][] slice : restored) {
            for (double[] blockTargets : slice) {
                if (blockTargets.length != restored[0][0].length) {
                    throw new IllegalArgumentException("strategy 'gradvac': state entry 'targets' has an inconsistent "
                            + "number of blocks");
                }
            }
        }
        targets = restored;
    }
}
