package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;

import java.util.EnumSet;
import java.util.List;

/**
 * Gradient sign dropout (GradDrop; Chen et al., NeurIPS 2020), as in LibMTL; representation gradients only. With
 * the representation {@code Z} ({@code [B, F]} flattened) and the task gradients {@code g_t = dl_t/dZ}, per
 * feature {@code f}: {@code s_tf = sum_b g_t[b,f] sign(Z[b,f])}, the positive-sign purity
 * {@code P_f = (1 + sum_t s_tf / sum_t |s_tf|) / 2} (1/2 when all {@code s_tf} are 0; LibMTL adds 1e-7 to
 * the denominator, which biases small representation gradients towards 1/2) and a uniform draw {@code U_f}; task t keeps feature
 * f ({@code M_tf = 1}) when {@code P_f > U_f} and {@code s_tf > 0}, or {@code P_f < U_f} and {@code s_tf < 0}. The
 * direction is {@code sum_t g_t * (leak + (1 - leak) M_t)}, broadcast over the batch. Needs
 * {@link StepContext#representation()}. Task-specific parameters get weight 1.
 */
public final class GradDrop extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("graddrop",
            "GradDrop (Chen et al. 2020): per feature, keep only the gradients of one randomly chosen sign",
            EnumSet.of(GradientMode.REPRESENTATION),
            List.of(OptionSpec.real("leak", 0.0, 0, 1, "fraction of every dropped gradient that is kept")),
            GradDrop::new);

    private final double leak;

    public GradDrop(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.leak = options.real("leak");
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[] z = context.representation();
        if (z == null) {
            throw new IllegalArgumentException(where(context) + "GradDrop needs the representation Z and its batch size "
                    + "(StepContext.Builder.representation)");
        }
        double[][] gradients = context.gradients();
        int n = taskCount();
        int batch = context.batchSize();
        int features = z.length / batch;
        double[][] signedSums = new double[n][features];
        for (int t = 0; t < n; t++) {
            for (int b = 0; b < batch; b++) {
                for (int f = 0; f < features; f++) {
                    int p = b * features + f;
                    signedSums[t][f] += gradients[t][p] * Math.signum(z[p]);
                }
            }
        }
        double[][] factors = new double[n][features];
        for (int f = 0; f < features; f++) {
            double sum = 0;
            double absSum = 0;
            for (int t = 0; t < n; t++) {
                sum += signedSums[t][f];
                absSum += Math.abs(signedSums[t][f]);
            }
            double purity = absSum > 0 ? 0.5 * (1 + sum / absSum) : 0.5;
            double u = context.random().nextDouble();
            for (int t = 0; t < n; t++) {
                boolean kept = purity > u && signedSums[t][f] > 0 || purity < u && signedSums[t][f] < 0;
                factors[t][f] = leak + (1 - leak) * (kept ? 1 : 0);
            }
        }
        double[] direction = new double[z.length];
        for (int t = 0; t < n; t++) {
            for (int b = 0; b < batch; b++) {
                for (int f = 0; f < features; f++) {
                    int p = b * features + f;
                    direction[p] += gradients[t][p] * factors[t][f];
                }
            }
        }
        return Aggregation.ofDirection(VectorMath.filled(n, 1), direction, null);
    }
}
