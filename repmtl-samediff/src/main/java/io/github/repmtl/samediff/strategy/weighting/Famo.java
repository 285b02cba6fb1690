package io.github.repmtl.samediff.strategy.weighting;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import io.github.repmtl.samediff.strategy.support.Adam;
import io.github.repmtl.samediff.strategy.support.StateReader;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Fast adaptive multitask optimisation (FAMO; Liu et al., NeurIPS 2023) as in LibMTL, with the minimum losses
 * fixed at 0. Task logits {@code xi} (initially 0) give {@code z = softmax(xi)}; with {@code D_t = L_t + 1e-8} and
 * {@code c = sum_t z_t / D_t} the objective is {@code sum_t z_t log(D_t) / c} ({@code c} constant), whose loss
 * weights {@code w_t = z_t / (c D_t)} are returned.
 *
 * <p>FAMO needs one extra forward pass per step: after the parameter update the trainer re-evaluates the losses
 * on the same batch and passes them to {@link #afterUpdate(double[])}, which takes one Adam step (learning rate
 * {@code weightLr}, L2 weight decay {@code weightDecay}) on {@code xi} with the gradient
 * {@code J_softmax^T (log D_before - log D_after)}. Requires non-negative losses.
 */
public final class Famo extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("famo",
            "FAMO (Liu et al. 2023): loss weights adapted so that all log losses decrease at the same rate",
            EnumSet.of(GradientMode.NONE),
            List.of(OptionSpec.real("weightLr", 0.025, 0, 10, "Adam learning rate of the task logits"),
                    OptionSpec.real("weightDecay", 1e-3, 0, 10, "L2 weight decay of the task logits")),
            Famo::new);

    private static final double EPS = 1e-8;

    private double[] logits;
    private final Adam optimizer;
    private double[] lossesBeforeUpdate;

    public Famo(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.logits = new double[taskCount()];
        this.optimizer = new Adam(taskCount(), options.real("weightLr"), options.real("weightDecay"));
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[] losses = context.losses();
        requireNonNegativeLosses(context, losses, "FAMO takes the log of the losses");
        double[] z = VectorMath.softmax(logits);
        double c = 0;
        for (int t = 0; t < z.length; t++) c += z[t] / (losses[t] + EPS);
        double[] weights = new double[taskCount()];
        for (int t = 0; t < weights.length; t++) weights[t] = z[t] / (c * (losses[t] + EPS));
        lossesBeforeUpdate = losses.clone();
        return Aggregation.ofWeights(weights);
    }

    @Override
    public boolean needsLossesAfterUpdate() {
        return true;
    }

    /**
     * Updates the task logits from the decrease of the log losses over the last parameter update.
     *
     * @param lossesAfterUpdate the task losses of the same batch, evaluated after the update
     * @throws IllegalStateException when no {@code aggregate} call precedes it
     */
    @Override
    public void afterUpdate(double[] lossesAfterUpdate) {
        checkLossVector(lossesAfterUpdate, "losses after the update");
        if (lossesBeforeUpdate == null) {
            throw new IllegalStateException("strategy 'famo': afterUpdate must follow an aggregate call of the same step");
        }
        double[] decrease = new double[taskCount()];
        for (int t = 0; t < decrease.length; t++) {
            if (!(lossesAfterUpdate[t] >= 0)) {
                throw new IllegalArgumentException("strategy 'famo': loss after the update of " + task(t) + " is "
                        + lossesAfterUpdate[t] + " but must be >= 0");
            }
            decrease[t] = Math.log(lossesBeforeUpdate[t] + EPS) - Math.log(lossesAfterUpdate[t] + EPS);
        }
        optimizer.step(logits, VectorMath.softmaxBackward(VectorMath.softmax(logits), decrease));
        lossesBeforeUpdate = null;
    }

    /** The current task logits {@code xi}. */
    public double[] logits() {
        return logits.clone();
    }

    @Override
    protected void saveState(Map<String, Object> state) {
        state.put("logits", logits.clone());
        state.put("adam", optimizer.state());
        state.put("lossesBeforeUpdate", lossesBeforeUpdate == null ? null : lossesBeforeUpdate.clone());
    }

    @Override
    protected void loadState(StateReader state) {
        double[] xi = state.vector("logits", taskCount());
        double[] before = state.nullableVector("lossesBeforeUpdate", taskCount());
        optimizer.restore(state.map("adam"));
        logits = xi;
        lossesBeforeUpdate = before;
    }
}
