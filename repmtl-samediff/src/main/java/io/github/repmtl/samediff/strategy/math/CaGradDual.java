package io.github.repmtl.samediff.strategy.math;

import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.SingularMatrixException;

/**
 * CAGrad's dual problem {@code min_{w in simplex} phi(w) = w^T b + r sqrt(w^T G w)} with {@code b = G 1/T}
 * (Liu et al. 2021), for a Gram matrix normalised to unit trace.
 *
 * <p>{@code sqrt(q) = min_{tau>0} (q / tau + tau) / 2} turns it into the jointly convex
 * {@code w^T b + r (w^T G w / (2 tau) + tau / 2)}, minimised alternately over {@code w} and
 * {@code tau = sqrt(w^T G w)}. The {@code w} step is a min-norm problem, solved exactly by
 * {@link MinNormSolver#exact}: since {@code b = G 1/T} and the weights sum to 1, it is the min-norm point of the
 * gradients shifted by {@code (tau / r) g0}. After each step the optimality conditions are solved in closed form on
 * the support {@code S} of {@code w}: with {@code v = w / sqrt(w^T G w)}, {@code r G_SS v = lambda 1 - b_S} and
 * {@code v^T G_SS v = 1} give a quadratic in {@code lambda}; the answer is returned when its weights are positive
 * and {@code (b + r G v)_t >= lambda} outside {@code S} (then it is the minimiser, to round-off). Otherwise the
 * alternation goes on until {@code tau} is stable to {@code 1e-12} (relative) or the limit of alternations is
 * reached.
 */
public final class CaGradDual {
    private static final double TAU_TOLERANCE = 1e-12;
    private static final double KKT_TOLERANCE = 1e-11;
    private static final double MIN_TAU = 1e-12;

    private CaGradDual() {}

    /**
     * A solution of the dual.
     *
     * @param weights      the weights {@code w} on the simplex
     * @param alternations the {@code w} steps taken
     * @param gap          the duality gap {@code w . grad phi - min_t (grad phi)_t}, relative to
     *                     {@code max_t |(grad phi)_t|}; it bounds {@code phi(w) - min phi} (relative)
     * @param converged    whether the optimality conditions held or {@code tau} was stable; {@code false} when the
     *                     limit of alternations stopped it
     */
    public record Result(double[] weights, int alternations, double gap, boolean converged) {}

    /**
     * Solves the dual for the unit-trace Gram matrix {@code gram} and radius {@code r > 0}, starting from the
     * uniform weights.
     */
    public static Result solve(double[][] gram, double radius, int maxAlternations) {
        int n = gram.length;
        double[] uniform = VectorMath.filled(n, 1.0 / n);
        double[] b = VectorMath.multiply(gram, uniform);
        double meanSquare = VectorMath.dot(uniform, b);
        double[] w = uniform;
        double tau = tau(gram, w);
        for (int alternation = 1; alternation <= maxAlternations; alternation++) {
            double shift = tau / radius;
            double[][] shifted = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) shifted[i][j] = gram[i][j] + shift * (b[i] + b[j]) + shift * shift * meanSquare;
            }
            w = MinNormSolver.exact(shifted).weights();
            double[] optimum = onSupport(gram, b, radius, w);
            if (optimum != null) return new Result(optimum, alternation, gap(gram, b, radius, optimum), true);
            double next = tau(gram, w);
            boolean stable = Math.abs(next - tau) <= TAU_TOLERANCE * tau;
            tau = next;
            if (stable) return new Result(w, alternation, gap(gram, b, radius, w), true);
        }
        return new Result(w, maxAlternations, gap(gram, b, radius, w), false);
    }

    /**
     * The closed-form minimiser on the face of the support of {@code w}, or {@code null} when the optimality
     * conditions fail there or {@code G_SS} is singular.
     */
    private static double[] onSupport(double[][] gram, double[] b, double radius, double[] w) {
        int n = w.length;
        int[] support = new int[n];
        int k = 0;
        for (int t = 0; t < n; t++) if (w[t] > 0) support[k++] = t;
        double[][] gss = new double[k][k];
        double[] bs = new double[k];
        for (int i = 0; i < k; i++) {
            bs[i] = b[support[i]];
            for (int j = 0; j < k; j++) gss[i][j] = gram[support[i]][support[j]];
        }
        DecompositionSolver solver = new LUDecomposition(MatrixUtils.createRealMatrix(gss)).getSolver();
        double[] inverseOnes;
        double[] inverseB;
        try {
            inverseOnes = solver.solve(MatrixUtils.createRealVector(VectorMath.filled(k, 1))).toArray();
            inverseB = solver.solve(MatrixUtils.createRealVector(bs)).toArray();
        } catch (SingularMatrixException e) {
            return null;
        }
        double alpha = VectorMath.sum(inverseOnes);
        double beta = VectorMath.sum(inverseB);
        double discriminant = beta * beta - alpha * (VectorMath.dot(bs, inverseB) - radius * radius);
        if (!(alpha > 0) || !(discriminant >= 0)) return null;
        double lambda = (beta + Math.sqrt(discriminant)) / alpha;
        double[] v = new double[n];
        for (int i = 0; i < k; i++) {
            v[support[i]] = (lambda * inverseOnes[i] - inverseB[i]) / radius;
            if (!(v[support[i]] > 0)) return null;
        }
        double[] gradient = VectorMath.multiply(gram, v);
        double largest = Math.abs(lambda);
        for (int t = 0; t < n; t++) {
            gradient[t] = b[t] + radius * gradient[t];
            largest = Math.max(largest, Math.abs(gradient[t]));
        }
        for (int t = 0; t < n; t++) {
            if (v[t] == 0 && gradient[t] < lambda - KKT_TOLERANCE * largest) return null;
        }
        return VectorMath.scale(v, 1 / VectorMath.sum(v));
    }

    /** The duality gap of {@code w} relative to {@code max_t |(grad phi)_t|}, {@code grad phi = b + r G w / tau}. */
    private static double gap(double[][] gram, double[] b, double radius, double[] w) {
        double[] gradient = VectorMath.multiply(gram, w);
        double tau = tau(gram, w);
        double min = Double.POSITIVE_INFINITY;
        double largest = 0;
        for (int t = 0; t < w.length; t++) {
            gradient[t] = b[t] + radius * gradient[t] / tau;
            min = Math.min(min, gradient[t]);
            largest = Math.max(largest, Math.abs(gradient[t]));
        }
        return largest > 0 ? (VectorMath.dot(w, gradient) - min) / largest : 0;
    }

    /** {@code sqrt(w^T G w)}, at least {@code 1e-12} (relative to the unit trace). */
    private static double tau(double[][] gram, double[] w) {
        return Math.max(MIN_TAU, Math.sqrt(Math.max(0, VectorMath.dot(w, VectorMath.multiply(gram, w)))));
    }
}
