package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * Aligned-MTL (Senushkin et al., CVPR 2023, Algorithm 1), as in LibMTL: with the symmetric eigendecomposition
 * {@code G = V diag(lambda) V^T} restricted to the rank {@code r} (eigenvalues above
 * {@code lambda_max * T * eps_float32}), {@code B = sqrt(lambda_scale) V diag(lambda^-1/2) V^T} and the weights
 * {@code a = B 1}; the direction {@code J^T a} has a condition number of 1 in the span of the gradients.
 * {@code lambda_scale} is the smallest retained eigenvalue ({@code min}, the paper and LibMTL), their lower
 * median ({@code median}) or mean ({@code mean}). Scale convention: LibMTL sums ({@code B 1}); TorchJD uses the
 * mean preference vector ({@code B 1 / T}). All-zero gradients give {@code a = 1}. Task-specific parameters get
 * weight 1.
 */
public final class AlignedMtl extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("aligned-mtl",
            "Aligned-MTL (Senushkin et al. 2023): align the principal components of the gradient matrix",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
            List.of(OptionSpec.choice("scale", "min", List.of("min", "median", "mean"),
                    "eigenvalue that sets the scale of the aligned gradients")),
            AlignedMtl::new);

    private static final double FLOAT32_EPSILON = Math.ulp(1.0f);

    private final String scale;

    public AlignedMtl(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.scale = options.choice("scale");
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[] a = balanceWeights(VectorMath.gram(gradients));
        return Aggregation.ofDirection(VectorMath.filled(taskCount(), 1), VectorMath.combine(gradients, a), a);
    }

    private double[] balanceWeights(double[][] gram) {
        int n = gram.length;
        EigenDecomposition eigen = new EigenDecomposition(MatrixUtils.createRealMatrix(gram));
        double[] lambda = eigen.getRealEigenvalues();
        RealMatrix v = eigen.getV();
        double max = Arrays.stream(lambda).max().orElse(0);
        double tolerance = max * n * FLOAT32_EPSILON;
        double[] retained = Arrays.stream(lambda).filter(l -> l > tolerance).sorted().toArray();
        if (retained.length == 0) return VectorMath.filled(n, 1);
        double lambdaScale = switch (scale) {
            case "median" -> retained[(retained.length - 1) / 2];
            case "mean" -> VectorMath.sum(retained) / retained.length;
            default -> retained[0];
        };
        double[] a = new double[n];
        for (int k = 0; k < lambda.length; k++) {
            if (!(lambda[k] > tolerance)) continue;
            double[] column = v.getColumn(k);
            double factor = Math.sqrt(lambdaScale / lambda[k]) * VectorMath.sum(column);
            for (int i = 0; i < n; i++) a[i] += factor * column[i];
        }
        return a;
    }
}
