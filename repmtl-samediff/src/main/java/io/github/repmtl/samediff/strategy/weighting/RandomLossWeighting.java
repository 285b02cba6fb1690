package io.github.repmtl.samediff.strategy.weighting;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;

import java.util.EnumSet;
import java.util.List;

/**
 * Random loss weighting (RLW; Lin et al., TMLR 2022): every step, {@code w = softmax(x)} with
 * {@code x_t ~ N(0, 1)} drawn from the step's seeded random source (weights sum to 1, as in LibMTL).
 */
public final class RandomLossWeighting extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("rlw",
            "Random loss weighting (Lin et al. 2022): softmax of standard normal samples, redrawn every step",
            EnumSet.of(GradientMode.NONE), List.of(), RandomLossWeighting::new);

    public RandomLossWeighting(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[] samples = new double[taskCount()];
        for (int t = 0; t < samples.length; t++) samples[t] = context.random().nextGaussian();
        return Aggregation.ofWeights(VectorMath.softmax(samples));
    }
}
