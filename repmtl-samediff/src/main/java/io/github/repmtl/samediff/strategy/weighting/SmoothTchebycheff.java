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
 * Smooth Tchebycheff scalarisation (STCH; Lin et al., ICML 2024) as in LibMTL. Up to and including epoch
 * {@code warmupEpochs} the objective is {@code sum_t log(L_t + 1e-20)}; the average losses of epoch
 * {@code warmupEpochs} become the nadir point {@code n}; afterwards the objective is
 * {@code T * mu * log sum_t exp(log(L_t / n_t + 1e-20) / mu)}.
 *
 * <p>Returned weights are the derivatives of the objective w.r.t. each loss, so the weighted losses have the
 * objective's gradient: {@code w_t = 1 / (L_t + 1e-20)} during warm-up, then
 * {@code w_t = T * softmax_t(log(L/n + 1e-20) / mu) / (n_t (L_t/n_t + 1e-20))}. Requires non-negative losses.
 */
public final class SmoothTchebycheff extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("stch",
            "Smooth Tchebycheff scalarisation (Lin et al. 2024) of the log losses relative to a nadir point",
            EnumSet.of(GradientMode.NONE),
            List.of(OptionSpec.real("mu", 1.0, Double.MIN_VALUE, Double.POSITIVE_INFINITY, "smoothing parameter mu"),
                    OptionSpec.integer("warmupEpochs", 4, 0, Integer.MAX_VALUE,
                            "epochs of plain log-loss training; the last one's average losses are the nadir point")),
            SmoothTchebycheff::new);

    private static final double EPS = 1e-20;

    private final double mu;
    private final int warmupEpochs;
    private final EpochLossAverages averages;

    public SmoothTchebycheff(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.mu = options.real("mu");
        this.warmupEpochs = options.integer("warmupEpochs");
        this.averages = new EpochLossAverages(taskCount());
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[] losses = context.losses();
        requireNonNegativeLosses(context, losses, "STCH takes the log of the losses");
        int epoch = context.epoch();
        double[] weights = new double[taskCount()];
        if (epoch <= warmupEpochs) {
            try {
                averages.record(epoch, losses);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where(context) + e.getMessage(), e);
            }
            for (int t = 0; t < weights.length; t++) weights[t] = 1 / (losses[t] + EPS);
            return Aggregation.ofWeights(weights);
        }
        double[] nadir = nadir(context);
        double[] scaled = new double[taskCount()];
        for (int t = 0; t < scaled.length; t++) scaled[t] = Math.log(losses[t] / nadir[t] + EPS) / mu;
        double[] softmax = VectorMath.softmax(scaled);
        for (int t = 0; t < weights.length; t++) {
            weights[t] = taskCount() * softmax[t] / (nadir[t] * (losses[t] / nadir[t] + EPS));
        }
        return Aggregation.ofWeights(weights);
    }

    private double[] nadir(StepContext context) {
        double[] nadir = averages.average(warmupEpochs);
        if (nadir == null) {
            throw new IllegalStateException(where(context) + "epoch " + context.epoch() + " needs the nadir point, the "
                    + "average losses of warm-up epoch " + warmupEpochs + ", which this strategy did not see; restore "
                    + "its state from the checkpoint when resuming");
        }
        for (int t = 0; t < nadir.length; t++) {
            if (!(nadir[t] > 0)) {
                throw new IllegalStateException(where(context) + "nadir loss of " + task(t) + " is " + nadir[t]
                        + "; STCH divides by it and needs positive average losses in epoch " + warmupEpochs);
            }
        }
        return nadir;
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
