package io.github.repmtl.samediff.strategy.weighting;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;

import java.util.EnumSet;
import java.util.List;

/**
 * Geometric loss strategy (GLS; Chennupati et al., MultiNet++, CVPRW 2019): the objective is the geometric mean
 * of the losses, {@code L_geo = (prod_t L_t)^(1/T)}. Its gradient is {@code sum_t w_t dL_t} with
 * {@code w_t = dL_geo/dL_t = L_geo / (T * L_t)}, so these are the weights returned (computed in log space);
 * weighting the losses with them gives exactly the gradient of LibMTL's {@code GLS} objective. Requires positive
 * losses.
 */
public final class GeometricLossStrategy extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("gls",
            "Geometric loss strategy (Chennupati et al. 2019): minimise the geometric mean of the task losses",
            EnumSet.of(GradientMode.NONE), List.of(), GeometricLossStrategy::new);

    public GeometricLossStrategy(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[] losses = context.losses();
        requirePositiveLosses(context, losses, "GLS takes the geometric mean of the losses");
        int n = taskCount();
        double meanLog = 0;
        for (double loss : losses) meanLog += Math.log(loss) / n;
        double geometricMean = Math.exp(meanLog);
        double[] weights = new double[n];
        for (int t = 0; t < n; t++) weights[t] = geometricMean / (n * losses[t]);
        return Aggregation.ofWeights(weights);
    }
}
