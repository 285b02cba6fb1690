package io.github.repmtl.samediff.strategy.weighting;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.support.Adam;
import io.github.repmtl.samediff.strategy.support.StateReader;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Uncertainty weighting (UW; Kendall et al., CVPR 2018) in LibMTL's form: learnable log-variances {@code s_t}
 * and the objective {@code sum_t L_t / (2 exp(s_t)) + s_t / 2}.
 *
 * <p>The strategy owns {@code s} and trains it itself: each {@link #aggregate} returns the weights
 * {@code w_t = 1 / (2 exp(s_t))} of the current {@code s} (the trainer weights the losses with them), then takes
 * one Adam step on {@code s} with the gradient {@link #logVarianceGradient(double[])}
 * {@code = 1/2 - L_t / (2 exp(s_t))} of the objective. LibMTL trains {@code s} with the model's optimiser, so set
 * {@code lr} to the trainer's learning rate to reproduce it. The constant-in-the-weights term {@code sum_t s_t/2}
 * does not change the network's gradients; {@link #objective(double[])} includes it for logging.
 */
public final class UncertaintyWeighting extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("uw",
            "Uncertainty weighting (Kendall et al. 2018): learnable log-variances, L_t/(2 exp(s_t)) + s_t/2",
            EnumSet.of(GradientMode.NONE),
            List.of(OptionSpec.real("lr", 1e-4, 0, 10, "Adam learning rate of the log-variances s_t"),
                    OptionSpec.real("initialLogVariance", -0.5, -20, 20, "initial value of every s_t (LibMTL: -0.5)")),
            UncertaintyWeighting::new);

    private double[] logVariances;
    private final Adam optimizer;

    public UncertaintyWeighting(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.logVariances = new double[taskCount()];
        Arrays.fill(logVariances, options.real("initialLogVariance"));
        this.optimizer = new Adam(taskCount(), options.real("lr"), 0);
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[] weights = new double[taskCount()];
        for (int t = 0; t < weights.length; t++) weights[t] = 1 / (2 * Math.exp(logVariances[t]));
        optimizer.step(logVariances, logVarianceGradient(context.losses()));
        return Aggregation.ofWeights(weights);
    }

    /** The current log-variances {@code s_t}. */
    public double[] logVariances() {
        return logVariances.clone();
    }

    /** {@code d/ds_t [L_t / (2 exp(s_t)) + s_t / 2] = 1/2 - L_t / (2 exp(s_t))} at the current {@code s}. */
    public double[] logVarianceGradient(double[] losses) {
        checkLossVector(losses, "losses");
        double[] g = new double[taskCount()];
        for (int t = 0; t < g.length; t++) g[t] = 0.5 - losses[t] / (2 * Math.exp(logVariances[t]));
        return g;
    }

    /** The full UW objective {@code sum_t L_t / (2 exp(s_t)) + s_t / 2} at the current {@code s}. */
    public double objective(double[] losses) {
        checkLossVector(losses, "losses");
        double value = 0;
        for (int t = 0; t < taskCount(); t++) value += losses[t] / (2 * Math.exp(logVariances[t])) + logVariances[t] / 2;
        return value;
    }

    @Override
    protected void saveState(Map<String, Object> state) {
        state.put("logVariances", logVariances.clone());
        state.put("adam", optimizer.state());
    }

    @Override
    protected void loadState(StateReader state) {
        double[] s = state.vector("logVariances", taskCount());
        optimizer.restore(state.map("adam"));
        logVariances = s;
    }
}
