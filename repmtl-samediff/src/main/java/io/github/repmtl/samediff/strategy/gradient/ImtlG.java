package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

import java.util.EnumSet;
import java.util.List;

/**
 * IMTL-G, the gradient-balancing half of impartial multi-task learning (Liu et al., ICLR 2021): the direction
 * {@code d = sum_t a_t g_t} with {@code sum_t a_t = 1} whose projections on all unit task gradients are equal.
 * Computed from the Gram matrix as {@code a = G^+ sqrt(diag G)}, normalised to sum 1 (Quinton and Rey's form,
 * equal to LibMTL's closed form when the gradients are linearly independent and still defined when they are
 * not); {@code a = 0} when the sum is 0. Task-specific parameters get weight 1.
 */
public final class ImtlG extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("imtl-g",
            "IMTL-G (Liu et al. 2021): the combination with equal projections on every unit task gradient",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION), List.of(), ImtlG::new);

    public ImtlG(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[] a = impartialWeights(VectorMath.gram(gradients));
        return Aggregation.ofDirection(VectorMath.filled(taskCount(), 1), VectorMath.combine(gradients, a), a);
    }

    /** The IMTL-G combination weights {@code G^+ sqrt(diag G) / sum(...)} of a Gram matrix. */
    public static double[] impartialWeights(double[][] gram) {
        int n = gram.length;
        RealMatrix pseudoInverse = new SingularValueDecomposition(MatrixUtils.createRealMatrix(gram)).getSolver().getInverse();
        double[] norms = new double[n];
        for (int t = 0; t < n; t++) norms[t] = Math.sqrt(Math.max(0, gram[t][t]));
        double[] v = pseudoInverse.operate(norms);
        double sum = VectorMath.sum(v);
        if (sum == 0 || !Double.isFinite(sum)) return new double[n];
        return VectorMath.scale(v, 1 / sum);
    }
}
