package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;

/**
 * PCGrad, gradient surgery (Yu et al., NeurIPS 2020), as in LibMTL: for each task {@code i}, visiting all tasks
 * {@code j} in a random order (the step's seeded random source), {@code g_i^PC -= (g_i^PC . g_j) / |g_j|^2 g_j}
 * whenever {@code g_i^PC . g_j < 0}; the direction is {@code sum_i g_i^PC} (sum scale). Unlike LibMTL there is no
 * {@code + 1e-8} in the denominator (it dominates for gradients of norm below 1e-4 and breaks scale covariance);
 * as in TorchJD the work is done on the Gram matrix (each {@code g_i^PC} is tracked as a combination of the
 * original gradients), so the direction is also given as combination weights. With two tasks the result has a
 * non-negative inner product with both gradients. Task-specific parameters get weight 1.
 */
public final class PcGrad extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("pcgrad",
            "PCGrad (Yu et al. 2020): project each task gradient off the normal planes of conflicting ones",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION), List.of(), PcGrad::new);

    public PcGrad(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[][] gram = VectorMath.gram(gradients);
        int n = taskCount();
        double[] coefficients = new double[n];
        for (int i = 0; i < n; i++) {
            double[] c = new double[n];   // g_i^PC = sum_k c_k g_k
            c[i] = 1;
            for (int j : shuffledTasks(n, context.random())) {
                double inner = VectorMath.dot(c, gram[j]);
                if (inner < 0) c[j] -= inner / gram[j][j];   // inner < 0 implies g_j != 0
            }
            for (int k = 0; k < n; k++) coefficients[k] += c[k];
        }
        return Aggregation.ofDirection(VectorMath.filled(n, 1), VectorMath.combine(gradients, coefficients), coefficients);
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
    static int[] shuffledTasks(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int k = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[k];
            order[k] = tmp;
        }
        return order;
    }
}
