package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import io.github.repmtl.samediff.strategy.support.StateReader;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * MoCo, multi-objective gradient correction (Fernando et al., ICLR 2023), as in LibMTL. At step {@code k}
 * (1-based): the loss-scaled unit gradients {@code h_t = g_t / |g_t| * L_t} ({@code 0} for a zero gradient; LibMTL adds 1e-8 to the norm) update the tracking
 * variables {@code y_t <- y_t - beta_k (y_t - h_t)} with {@code beta_k = beta / k^betaSigma} (y starts at 0);
 * the task weights {@code lambda} (starting uniform) take a step
 * {@code lambda <- softmax(lambda - gamma_k (Y Y^T + rho I) lambda)} with {@code gamma_k = gamma / k^gammaSigma};
 * the direction is {@code Y^T lambda}. {@code y} is a per-parameter buffer, so PARAMETERS mode only and the
 * gradient length must not change. Requires non-negative losses. Task-specific parameters get weight 1.
 */
public final class MoCo extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("moco",
            "MoCo (Fernando et al. 2023): bias-corrected tracking of the task gradients with MGDA-like weights",
            EnumSet.of(GradientMode.PARAMETERS),
            List.of(OptionSpec.real("beta", 0.5, 0, 1, "learning rate of the tracking variables y"),
                    OptionSpec.real("betaSigma", 0.5, 0, 10, "decay exponent of beta"),
                    OptionSpec.real("gamma", 0.1, 0, Double.POSITIVE_INFINITY, "learning rate of the task weights lambda"),
                    OptionSpec.real("gammaSigma", 0.5, 0, 10, "decay exponent of gamma"),
                    OptionSpec.real("rho", 0.0, 0, Double.POSITIVE_INFINITY, "L2 regularisation of the lambda update")),
            MoCo::new);

    private final double beta;
    private final double betaSigma;
    private final double gamma;
    private final double gammaSigma;
    private final double rho;
    private double[][] tracking;
    private double[] lambda;
    private long steps;

    public MoCo(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.beta = options.real("beta");
        this.betaSigma = options.real("betaSigma");
        this.gamma = options.real("gamma");
        this.gammaSigma = options.real("gammaSigma");
        this.rho = options.real("rho");
        this.lambda = VectorMath.filled(taskCount(), 1.0 / taskCount());
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[] losses = context.losses();
        requireNonNegativeLosses(context, losses, "MoCo scales the unit gradients by the losses");
        int n = taskCount();
        int length = gradients[0].length;
        if (tracking == null) tracking = new double[n][length];
        if (tracking[0].length != length) {
            throw new IllegalArgumentException(where(context) + "gradient rows have " + length + " entries but earlier "
                    + "steps had " + tracking[0].length + "; MoCo keeps a per-parameter tracking buffer");
        }
        steps++;
        double betaK = beta / Math.pow(steps, betaSigma);
        double gammaK = gamma / Math.pow(steps, gammaSigma);
        for (int t = 0; t < n; t++) {
            double norm = VectorMath.norm(gradients[t]);
            double scale = norm > 0 ? losses[t] / norm : 0;
            double[] y = tracking[t];
            for (int p = 0; p < length; p++) y[p] -= betaK * (y[p] - scale * gradients[t][p]);
        }
        double[] step = VectorMath.multiply(VectorMath.gram(tracking), lambda);
        double[] logits = new double[n];
        for (int t = 0; t < n; t++) logits[t] = lambda[t] - gammaK * (step[t] + rho * lambda[t]);
        lambda = VectorMath.softmax(logits);
        return Aggregation.ofDirection(VectorMath.filled(n, 1), VectorMath.combine(tracking, lambda), null);
    }

    @Override
    protected void saveState(Map<String, Object> state) {
        state.put("steps", steps);
        state.put("lambda", lambda.clone());
        state.put("tracking", tracking == null ? null : VectorMath.copy(tracking));
    }

    @Override
    protected void loadState(StateReader state) {
        long s = state.longValue("steps");
        double[] l = state.vector("lambda", taskCount());
        double[][] y = state.nullableMatrix("tracking", taskCount(), -1);
        steps = s;
        lambda = l;
        tracking = y;
    }
}
