package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.QuadraticProgram;
import io.github.repmtl.samediff.strategy.math.VectorMath;

import java.util.EnumSet;
import java.util.List;

/**
 * UPGrad, unconflicting projection of gradients (Quinton and Rey, "Jacobian Descent for Multi-Objective
 * Optimization", 2024), as in TorchJD / LibMTL: each {@code g_i / T} is projected onto the dual cone
 * {@code {x : g_t . x >= 0 for all t}} of the task gradients and the projections are summed. By their
 * Proposition 1 the projection of {@code J^T u} is {@code J^T v} with {@code v = argmin v^T G v s.t. v >= u}, a
 * small QP solved by ojAlgo per task, on the Gram matrix normalised by its trace (zero when the trace is below
 * {@code normEps}) plus {@code regEps I}. The direction has a non-negative inner product with every task
 * gradient (up to the regularisation). Task-specific parameters get weight 1.
 */
public final class UpGrad extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("upgrad",
            "UPGrad (Quinton and Rey 2024): the mean of the task gradients projected onto their dual cone",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
            List.of(OptionSpec.real("normEps", 1e-4, 0, 1, "the Gram matrix is treated as zero when its trace is below this"),
                    OptionSpec.real("regEps", 1e-4, 0, 1, "ridge added to the normalised Gram matrix")),
            UpGrad::new);

    private final double normEps;
    private final double regEps;

    public UpGrad(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.normEps = options.real("normEps");
        this.regEps = options.real("regEps");
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[][] gram = VectorMath.gram(gradients);
        int n = taskCount();
        double trace = 0;
        for (int t = 0; t < n; t++) trace += gram[t][t];
        double[][] g = trace < normEps ? new double[n][n] : VectorMath.scale(gram, 1 / trace);
        for (int t = 0; t < n; t++) g[t][t] += regEps;
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            double[] u = new double[n];
            u[i] = 1.0 / n;
            double[] v = QuadraticProgram.minimize(g).lowerBounds(u).solve("the UPGrad projection of " + task(i));
            for (int t = 0; t < n; t++) weights[t] += Math.max(v[t], u[t]);
        }
        return Aggregation.ofDirection(VectorMath.filled(n, 1), VectorMath.combine(gradients, weights), weights);
    }
}
