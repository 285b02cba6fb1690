package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import io.github.repmtl.samediff.strategy.support.LossScales;
import io.github.repmtl.samediff.strategy.support.StateReader;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * IMTL, the hybrid of IMTL-L and IMTL-G (Liu et al., ICLR 2021; LibMTL's {@code IMTL}): the losses are scaled
 * to {@code exp(s_t) L_t - s_t} with learnable {@code s_t} (see {@code imtl-l}), and IMTL-G combines the
 * gradients {@code exp(s_t) g_t} of the scaled losses. Task-specific parameters get weight {@code exp(s_t)};
 * the shared direction is {@code sum_t a_t exp(s_t) g_t}. After each step {@code s} takes one Adam step with the
 * gradient {@code exp(s_t) L_t - 1}.
 */
public final class Imtl extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("imtl",
            "IMTL (Liu et al. 2021): IMTL-L loss scales combined with IMTL-G gradient balancing",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
            List.of(OptionSpec.real("lr", 1e-4, 0, 10, "Adam learning rate of the loss scales s_t")),
            Imtl::new);

    private final LossScales lossScales;

    public Imtl(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.lossScales = new LossScales(taskCount(), options.real("lr"));
    }

    @Override
    protected Aggregation compute(StepContext context) {
        int n = taskCount();
        double[] factors = lossScales.factors();
        double[][] gram = VectorMath.gram(context.gradients());
        double[][] scaledGram = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) scaledGram[i][j] = factors[i] * factors[j] * gram[i][j];
        }
        double[] a = ImtlG.impartialWeights(scaledGram);
        double[] coefficients = new double[n];
        for (int t = 0; t < n; t++) coefficients[t] = a[t] * factors[t];
        lossScales.step(context.losses());
        return Aggregation.ofDirection(factors, VectorMath.combine(context.gradients(), coefficients), coefficients);
    }

    /** The current loss scales {@code s_t}. */
    public double[] scales() {
        return lossScales.scales();
    }

    @Override
    protected void saveState(Map<String, Object> state) {
        lossScales.save(state);
    }

    @Override
    protected void loadState(StateReader state) {
        lossScales.load(state);
    }
}
