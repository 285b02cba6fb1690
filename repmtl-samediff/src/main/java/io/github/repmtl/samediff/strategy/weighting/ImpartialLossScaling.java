package io.github.repmtl.samediff.strategy.weighting;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.support.LossScales;
import io.github.repmtl.samediff.strategy.support.StateReader;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * IMTL-L, the loss-balancing half of impartial multi-task learning (Liu et al., ICLR 2021): learnable scales
 * {@code s_t} (initially 0) and the objective {@code sum_t exp(s_t) L_t - s_t}, which drives every scaled loss
 * {@code exp(s_t) L_t} towards 1.
 *
 * <p>Each {@link #aggregate} returns {@code w_t = exp(s_t)} of the current {@code s}, then takes one Adam step on
 * {@code s} with {@link #scaleGradient(double[])} {@code = exp(s_t) L_t - 1}. LibMTL trains {@code s} with the
 * model's optimiser: set {@code lr} to the trainer's learning rate to reproduce it.
 */
public final class ImpartialLossScaling extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("imtl-l",
            "IMTL-L (Liu et al. 2021): learnable loss scales, exp(s_t) L_t - s_t",
            EnumSet.of(GradientMode.NONE),
            List.of(OptionSpec.real("lr", 1e-4, 0, 10, "Adam learning rate of the scales s_t")),
            ImpartialLossScaling::new);

    private final LossScales lossScales;

    public ImpartialLossScaling(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.lossScales = new LossScales(taskCount(), options.real("lr"));
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[] weights = lossScales.factors();
        lossScales.step(context.losses());
        return Aggregation.ofWeights(weights);
    }

    /** The current scales {@code s_t}. */
    public double[] scales() {
        return lossScales.scales();
    }

    /** {@code d/ds_t [exp(s_t) L_t - s_t] = exp(s_t) L_t - 1} at the current {@code s}. */
    public double[] scaleGradient(double[] losses) {
        checkLossVector(losses, "losses");
        return lossScales.gradient(losses);
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
