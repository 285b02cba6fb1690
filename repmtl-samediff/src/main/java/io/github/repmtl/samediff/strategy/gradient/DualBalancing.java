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
 * DB-MTL, dual-balancing multi-task learning (Lin et al., 2023), as in LibMTL. Loss scale: the log losses
 * {@code log(L_t + 1e-8)}, whose gradients are {@code g_t / (L_t + 1e-8)}; task-specific parameters therefore get
 * the weights {@code 1 / (L_t + 1e-8)}. Gradient scale: at step {@code k} (1-based) an EMA buffer
 * {@code b_t <- h_t + beta / k^betaSigma (b_t - h_t)} of the log-loss gradients {@code h_t} (starting at 0) is
 * normalised to the largest buffer norm: the direction is
 * {@code sum_t max_s |b_s| / |b_t| b_t} (a zero buffer contributes nothing; LibMTL adds 1e-8 to the norm). The buffer is per parameter, so PARAMETERS mode only and the
 * gradient length must not change. Requires non-negative losses (do not combine with a log transform).
 */
public final class DualBalancing extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("db-mtl",
            "DB-MTL (Lin et al. 2023): log losses and EMA gradients rescaled to the largest gradient norm",
            EnumSet.of(GradientMode.PARAMETERS),
            List.of(OptionSpec.real("beta", 0.9, 0, 1, "EMA rate of the gradient buffer"),
                    OptionSpec.real("betaSigma", 0.0, 0, 10, "decay exponent of beta over the steps")),
            DualBalancing::new);

    private static final double EPS = 1e-8;

    private final double beta;
    private final double betaSigma;
    private double[][] buffer;
    private long steps;

    public DualBalancing(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.beta = options.real("beta");
        this.betaSigma = options.real("betaSigma");
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[] losses = context.losses();
        requireNonNegativeLosses(context, losses, "DB-MTL takes the log of the losses");
        int n = taskCount();
        int length = gradients[0].length;
        if (buffer == null) buffer = new double[n][length];
        if (buffer[0].length != length) {
            throw new IllegalArgumentException(where(context) + "gradient rows have " + length + " entries but earlier "
                    + "steps had " + buffer[0].length + "; DB-MTL keeps a per-parameter gradient buffer");
        }
        steps++;
        double rate = beta / Math.pow(steps, betaSigma);
        double[] weights = new double[n];
        double[] norms = new double[n];
        for (int t = 0; t < n; t++) {
            weights[t] = 1 / (losses[t] + EPS);
            double[] b = buffer[t];
            for (int p = 0; p < length; p++) {
                double h = gradients[t][p] * weights[t];
                b[p] = h + rate * (b[p] - h);
            }
            norms[t] = VectorMath.norm(b);
        }
        double maxNorm = 0;
        for (double norm : norms) maxNorm = Math.max(maxNorm, norm);
        double[] scales = new double[n];
        for (int t = 0; t < n; t++) scales[t] = norms[t] > 0 ? maxNorm / norms[t] : 0;
        return Aggregation.ofDirection(weights, VectorMath.combine(buffer, scales), null);
    }

    @Override
    protected void saveState(Map<String, Object> state) {
        state.put("steps", steps);
        state.put("buffer", buffer == null ? null : VectorMath.copy(buffer));
    }

    @Override
    protected void loadState(StateReader state) {
        long s = state.longValue("steps");
        double[][] b = state.nullableMatrix("buffer", taskCount(), -1);
        steps = s;
        buffer = b;
    }
}
