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
 * Equal weighting (EW): {@code w_t = 1}, i.e. the objective {@code sum_t l_t} (LibMTL's convention, and the
 * Rep-MTL objective's {@code w_t} for EW).
 */
public final class EqualWeighting extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("ew",
            "Equal weighting: the sum of the task losses", EnumSet.of(GradientMode.NONE), List.of(), EqualWeighting::new);

    public EqualWeighting(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
    }

    @Override
    protected Aggregation compute(StepContext context) {
        return Aggregation.ofWeights(VectorMath.filled(taskCount(), 1));
    }
}
