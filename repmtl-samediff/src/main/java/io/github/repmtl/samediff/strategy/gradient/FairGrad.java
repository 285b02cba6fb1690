package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import org.apache.commons.math3.exception.ConvergenceException;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.exception.TooManyIterationsException;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresProblem;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.util.Pair;

import java.util.EnumSet;
import java.util.List;

/**
 * FairGrad (Ban and Ji, ICML 2024), as in LibMTL: the weights {@code w > 0} solve the non-linear equations
 * {@code G w = w^(-1/alpha)} of alpha-fair resource allocation (at {@code alpha = 1} the Nash-MTL equations,
 * without Nash-MTL's normalisation and clipping). Each loss is weighted by {@code w_t} and the shared direction
 * is {@code J^T w}; it has a positive inner product {@code w_t^(-1/alpha)} with every task gradient.
 *
 * <p>Solved as non-linear least squares by commons-math3's Levenberg-Marquardt from {@code w = 1/T} (LibMTL uses
 * scipy's {@code least_squares}), with {@code w} kept positive. For conditioning, the equations are solved for
 * {@code G / s}, {@code s = trace(G) / T}, and mapped back exactly by {@code w = s^(-alpha/(alpha+1)) w~}.
 * All-zero gradients give {@code w = 1/T} and a zero direction.
 */
public final class FairGrad extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("fairgrad",
            "FairGrad (Ban and Ji 2024): alpha-fair weights solving G w = w^(-1/alpha)",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
            List.of(OptionSpec.real("alpha", 1.0, Double.MIN_VALUE, Double.POSITIVE_INFINITY, "fairness exponent alpha")),
            FairGrad::new);

    private static final double MIN_WEIGHT = 1e-12;
    private static final int MAX_EVALUATIONS = 10_000;

    private final double alpha;

    public FairGrad(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.alpha = options.real("alpha");
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[][] gram = VectorMath.gram(gradients);
        int n = taskCount();
        double scale = 0;
        for (int t = 0; t < n; t++) scale += gram[t][t] / n;
        double[] w;
        if (scale > 0) {
            double[] normalized = solve(context, VectorMath.scale(gram, 1 / scale));
            w = VectorMath.scale(normalized, Math.pow(scale, -alpha / (alpha + 1)));
        } else {
            w = VectorMath.filled(n, 1.0 / n);
        }
        return Aggregation.ofDirection(w.clone(), VectorMath.combine(gradients, w), w);
    }

    private double[] solve(StepContext context, double[][] gram) {
        int n = gram.length;
        RealMatrix g = MatrixUtils.createRealMatrix(gram);
        double exponent = -1 / alpha;
        LeastSquaresProblem problem = new LeastSquaresBuilder()
                .start(VectorMath.filled(n, 1.0 / n))
                .target(new double[n])
                .model(point -> {
                    RealVector residual = g.operate(point);
                    RealMatrix jacobian = g.copy();
                    for (int t = 0; t < n; t++) {
                        double w = point.getEntry(t);
                        residual.addToEntry(t, -Math.pow(w, exponent));
                        jacobian.addToEntry(t, t, -exponent * Math.pow(w, exponent - 1));
                    }
                    return new Pair<>(residual, jacobian);
                })
                .parameterValidator(point -> {
                    RealVector valid = new ArrayRealVector(point);
                    for (int t = 0; t < n; t++) valid.setEntry(t, Math.max(MIN_WEIGHT, point.getEntry(t)));
                    return valid;
                })
                .maxEvaluations(MAX_EVALUATIONS)
                .maxIterations(MAX_EVALUATIONS)
                .build();
        try {
            return new LevenbergMarquardtOptimizer().withCostRelativeTolerance(1e-14).withParameterRelativeTolerance(1e-14)
                    .optimize(problem).getPoint().toArray();
        } catch (TooManyEvaluationsException | TooManyIterationsException | ConvergenceException e) {
            throw new IllegalStateException(where(context) + "the FairGrad equations G w = w^(-1/alpha) did not "
                    + "converge: " + e.getMessage(), e);
        }
    }
}
