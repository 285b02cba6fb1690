package io.github.repmtl.samediff.strategy.weighting;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import io.github.repmtl.samediff.strategy.support.EpochLossAverages;
import io.github.repmtl.samediff.strategy.support.StateReader;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Dynamic weight average (DWA; Liu et al., MTAN, CVPR 2019): in epoch {@code e >= 2},
 * {@code w = T * softmax(r / temperature)} with {@code r_t = Lbar_t(e-1) / Lbar_t(e-2)}, the ratio of the task's
 * average training losses over the two previous epochs; {@code w_t = 1} in epochs 0 and 1. The averages are
 * accumulated from the losses this strategy sees, so it must see every training step and epochs must not
 * decrease.
 */
public final class DynamicWeightAverage extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("dwa",
            "Dynamic weight average (Liu et al. 2019): softmax of the loss descent rates of the last two epochs",
            EnumSet.of(GradientMode.NONE),
            List.of(OptionSpec.real("temperature", 2.0, Double.MIN_VALUE, Double.POSITIVE_INFINITY,
                    "softmax temperature T of the descent rates")),
            DynamicWeightAverage::new);

    private final double temperature;
    private final EpochLossAverages averages;

    public DynamicWeightAverage(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.temperature = options.real("temperature");
        this.averages = new EpochLossAverages(taskCount());
    }

    @Override
    protected Aggregation compute(StepContext context) {
        int epoch = context.epoch();
        try {
            averages.record(epoch, context.losses());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where(context) + e.getMessage(), e);
        }
        if (epoch < 2) return Aggregation.ofWeights(VectorMath.filled(taskCount(), 1));
        double[] last = averages.average(epoch - 1);
        double[] beforeLast = averages.average(epoch - 2);
        if (last == null || beforeLast == null) {
            throw new IllegalStateException(where(context) + "epoch " + epoch + " needs the average losses of epochs "
                    + (epoch - 2) + " and " + (epoch - 1) + ", which this strategy did not see; restore its state "
                    + "from the checkpoint when resuming");
        }
        double[] scaledRates = new double[taskCount()];
        for (int t = 0; t < scaledRates.length; t++) {
            if (!(beforeLast[t] > 0)) {
                throw new IllegalArgumentException(where(context) + "average loss of " + task(t) + " in epoch "
                        + (epoch - 2) + " is " + beforeLast[t] + "; DWA divides by it and needs positive losses");
            }
            scaledRates[t] = last[t] / beforeLast[t] / temperature;
        }
        return Aggregation.ofWeights(VectorMath.scale(VectorMath.softmax(scaledRates), taskCount()));
    }

    @Override
    protected void saveState(Map<String, Object> state) {
        state.put("epochAverages", averages.state());
    }

    @Override
    protected void loadState(StateReader state) {
        averages.restore(state.map("epochAverages"));
    }
}
