package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import io.github.repmtl.samediff.strategy.support.Adam;
import io.github.repmtl.samediff.strategy.support.EpochLossAverages;
import io.github.repmtl.samediff.strategy.support.StateReader;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * GradNorm (Chen et al., ICML 2018), as in LibMTL. Learnable logits {@code s} (initially 1) give the weights
 * {@code w = T softmax(s)}. During the first epoch the strategy sees, the weights are 1 and its average losses
 * {@code L(0)} are recorded. Afterwards: with {@code n_t = |g_t|}, {@code G_t = w_t n_t}, {@code Gbar = mean G},
 * the relative inverse training rates {@code r_t = Ltilde_t / mean(Ltilde)}, {@code Ltilde_t = L_t / L_t(0)}, the
 * shared direction is {@code sum_t w_t g_t}, and {@code s} takes one Adam step on
 * {@code L_grad = sum_t |G_t - Gbar r_t^alpha|} (the target held constant). Task-specific parameters get
 * weight 1 (LibMTL); LibMTL trains {@code s} with the model's optimiser, so set {@code lr} to the trainer's
 * learning rate to reproduce it.
 */
public final class GradNorm extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("gradnorm",
            "GradNorm (Chen et al. 2018): learn weights that equalise the weighted gradient norms by training rate",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
            List.of(OptionSpec.real("alpha", 1.5, 0, Double.POSITIVE_INFINITY, "strength of the restoring force towards equal training rates"),
                    OptionSpec.real("lr", 1e-4, 0, 10, "Adam learning rate of the weight logits")),
            GradNorm::new);

    private final double alpha;
    private double[] logits;
    private final Adam optimizer;
    private final EpochLossAverages averages;

    public GradNorm(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.alpha = options.real("alpha");
        this.logits = VectorMath.filled(taskCount(), 1);
        this.optimizer = new Adam(taskCount(), options.real("lr"), 0);
        this.averages = new EpochLossAverages(taskCount());
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[] losses = context.losses();
        int n = taskCount();
        try {
            averages.record(context.epoch(), losses);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where(context) + e.getMessage(), e);
        }
        OptionalInt first = averages.firstEpoch();
        double[] ones = VectorMath.filled(n, 1);
        if (first.getAsInt() == context.epoch()) {
            return Aggregation.ofDirection(ones, VectorMath.combine(gradients, ones), ones.clone());
        }
        double[] initial = averages.average(first.getAsInt());
        double[] p = VectorMath.softmax(logits);
        double[] w = VectorMath.scale(p, n);
        double[] norms = new double[n];
        double[] weightedNorms = new double[n];
        double[] relativeLosses = new double[n];
        for (int t = 0; t < n; t++) {
            if (!(initial[t] > 0)) {
                throw new IllegalArgumentException(where(context) + "average loss of " + task(t) + " in epoch "
                        + first.getAsInt() + " is " + initial[t] + "; GradNorm divides by it and needs positive losses");
            }
            norms[t] = VectorMath.norm(gradients[t]);
            weightedNorms[t] = w[t] * norms[t];
            relativeLosses[t] = losses[t] / initial[t];
        }
        double meanNorm = VectorMath.sum(weightedNorms) / n;
        double meanRelative = VectorMath.sum(relativeLosses) / n;
        double[] upstream = new double[n];   // d L_grad / d w_t, times T for w = T softmax(s)
        for (int t = 0; t < n; t++) {
            double target = meanNorm * Math.pow(relativeLosses[t] / meanRelative, alpha);
            upstream[t] = n * Math.signum(weightedNorms[t] - target) * norms[t];
        }
        optimizer.step(logits, VectorMath.softmaxBackward(p, upstream));
        return Aggregation.ofDirection(ones, VectorMath.combine(gradients, w), w);
    }

    /** The current weights {@code T softmax(s)} (used from the second epoch on). */
    public double[] currentWeights() {
        return VectorMath.scale(VectorMath.softmax(logits), taskCount());
    }

    @Override
    protected void saveState(Map<String, Object> state) {
        state.put("logits", logits.clone());
        state.put("adam", optimizer.state());
        state.put("epochAverages", averages.state());
    }

    @Override
    protected void loadState(StateReader state) {
        double[] s = state.vector("logits", taskCount());
        optimizer.restore(state.map("adam"));
        averages.restore(state.map("epochAverages"));
        logits = s;
    }
}
