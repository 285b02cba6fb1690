package io.github.repmtl.samediff.strategy.math;

import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.SingularMatrixException;

/**
 * The minimum-norm point of the convex hull of the task gradients, {@code argmin_{w in simplex} w^T G w}, given
 * their Gram matrix {@code G}: exactly as a quadratic program, or by Frank-Wolfe with away steps and a duality-gap
 * stopping test.
 */
public final class MinNormSolver {
    /** The duality-gap tolerance of {@link #exact}, relative to {@code max_t G_tt}. */
    public static final double EXACT_TOLERANCE = 1e-13;
    private static final double SINGULARITY = 1e-15;

    private MinNormSolver() {}

    /**
     * A solution.
     *
     * @param weights    the weights on the simplex
     * @param iterations the Frank-Wolfe steps, or the gradients added to the corral by {@link #exact}
     * @param gap        the duality gap {@link #gap} of {@code weights} divided by {@code max_t G_tt}, so that
     *                   {@code |d - d*| <= sqrt(2 gap) max_t |g_t|}
     * @param converged  whether {@code gap} met the tolerance; {@code false} when an iteration limit or round-off
     *                   stopped the solver
     */
    public record Result(double[] weights, int iterations, double gap, boolean converged) {}

    /**
     * The duality gap {@code w^T G w - min_t (G w)_t = |d|^2 - min_t <g_t, d>} of {@code d = sum_t w_t g_t}: zero
     * exactly at the minimiser, and the min-norm point {@code d*} satisfies {@code |d - d*|^2 <= 2 gap}.
     */
    public static double gap(double[][] gram, double[] w) {
        double[] gw = VectorMath.multiply(gram, w);
        double min = gw[0];
        for (double v : gw) min = Math.min(min, v);
        return VectorMath.dot(w, gw) - min;
    }

    /**
     * Frank-Wolfe from the uniform weights (Sener and Koltun 2018, Algorithm 2) with away steps (Lacoste-Julien and
     * Jaggi 2015), which converges linearly also when the minimiser is on a face of the simplex, where plain
     * Frank-Wolfe is sublinear. Each iteration takes the exact line-search step towards the vertex {@code e_s} with
     * the smallest {@code (G w)_s}, or away from the vertex {@code e_v} in the support with the largest
     * {@code (G w)_v} when that promises more, dropping {@code e_v} when its weight reaches 0. It stops when the
     * {@link #gap} is at most {@code tolerance * max_t G_tt}, or after {@code maxIterations} steps (then
     * {@link Result#converged()} is {@code false}).
     */
    public static Result frankWolfe(double[][] gram, int maxIterations, double tolerance) {
        int n = gram.length;
        double scale = 0;
        for (int t = 0; t < n; t++) scale = Math.max(scale, gram[t][t]);
        double[] w = VectorMath.filled(n, 1.0 / n);
        for (int iteration = 0; ; iteration++) {
            double[] gw = VectorMath.multiply(gram, w);
            double wgw = VectorMath.dot(w, gw);
            int s = 0;
            int v = -1;
            for (int t = 0; t < n; t++) {
                if (gw[t] < gw[s]) s = t;
                if (w[t] > 0 && (v < 0 || gw[t] > gw[v])) v = t;
            }
            double gap = wgw - gw[s];
            if (gap <= tolerance * scale || iteration == maxIterations) {
                return new Result(w, iteration, scale > 0 ? gap / scale : 0, gap <= tolerance * scale);
            }
            double away = gw[v] - wgw;
            if (gap >= away) {
                double curvature = gram[s][s] - 2 * gw[s] + wgw;          // |g_s - d|^2
                double gamma = curvature > 0 ? Math.min(1, gap / curvature) : 1;
                for (int i = 0; i < n; i++) w[i] *= 1 - gamma;
                w[s] += gamma;
            } else {
                double curvature = gram[v][v] - 2 * gw[v] + wgw;          // |g_v - d|^2
                double maxGamma = w[v] / (1 - w[v]);
                double gamma = curvature > 0 ? Math.min(maxGamma, away / curvature) : maxGamma;
                double wv = (1 + gamma) * w[v] - gamma;
                for (int i = 0; i < n; i++) w[i] *= 1 + gamma;
                w[v] = gamma == maxGamma ? 0 : Math.max(0, wv);
            }
        }
    }

    /**
     * The exact minimiser by Wolfe's min-norm-point algorithm (Wolfe 1976), a finite active-set method: it keeps a
     * set of affinely independent gradients (the corral) whose affine minimum-norm combination, solved directly from
     * its KKT system, has positive weights; it adds the gradient with the smallest {@code (G w)_t} while the
     * {@link #gap} exceeds {@value #EXACT_TOLERANCE} {@code max_t G_tt}, and when the affine minimiser leaves the
     * simplex it steps to the boundary and drops the gradients whose weight reaches 0. On {@code G / max_t G_tt},
     * so the weights do not depend on the scale. A zero Gram matrix gives the uniform weights. Not converged
     * ({@link Result#converged()} {@code false}) only when round-off stops it (the gradient to add is already in
     * the corral or the corral's KKT system is singular) or after {@code 50 (T + 1)} corral changes.
     */
    public static Result exact(double[][] gram) {
        int n = gram.length;
        double scale = 0;
        int first = 0;
        for (int t = 0; t < n; t++) {
            scale = Math.max(scale, gram[t][t]);
            if (gram[t][t] < gram[first][first]) first = t;
        }
        if (!(scale > 0)) return new Result(VectorMath.filled(n, 1.0 / n), 0, 0, true);
        double[][] g = VectorMath.scale(gram, 1 / scale);
        double[] w = new double[n];
        w[first] = 1;
        boolean[] corral = new boolean[n];
        corral[first] = true;
        int maxChanges = 50 * (n + 1);
        int changes = 0;
        for (int iteration = 0; ; iteration++) {
            double[] gw = VectorMath.multiply(g, w);
            int t = 0;
            for (int i = 1; i < n; i++) if (gw[i] < gw[t]) t = i;
            double gap = VectorMath.dot(w, gw) - gw[t];
            if (gap <= EXACT_TOLERANCE || corral[t] || changes >= maxChanges) {
                return new Result(w, iteration, gap, gap <= EXACT_TOLERANCE);
            }
            corral[t] = true;
            while (changes++ < maxChanges) {
                double[] y = affineMinimizer(g, corral);
                if (y == null) return new Result(w, iteration, gap, false);
                double theta = 1;
                int leaving = -1;
                for (int i = 0; i < n; i++) {
                    if (corral[i] && y[i] <= 0 && w[i] / (w[i] - y[i]) < theta) {
                        theta = w[i] / (w[i] - y[i]);
                        leaving = i;
                    }
                }
                if (leaving < 0) {
                    w = y;
                    break;
                }
                for (int i = 0; i < n; i++) {
                    w[i] += theta * (y[i] - w[i]);
                    if (i == leaving || w[i] <= 0) {
                        w[i] = 0;
                        corral[i] = false;
                    }
                }
            }
        }
    }

    /**
     * The affine minimiser {@code y = argmin y^T G y} subject to {@code sum y = 1} on the corral (zero elsewhere),
     * from the bordered KKT system {@code [G_SS 1; 1^T 0] [y; -lambda] = [0; 1]}; {@code null} when it is singular.
     */
    private static double[] affineMinimizer(double[][] g, boolean[] corral) {
        int n = g.length;
        int[] index = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) if (corral[i]) index[k++] = i;
        double[][] kkt = new double[k + 1][k + 1];
        double[] rhs = new double[k + 1];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) kkt[a][b] = g[index[a]][index[b]];
            kkt[a][k] = 1;
            kkt[k][a] = 1;
        }
        rhs[k] = 1;
        double[] solution;
        try {
            solution = new LUDecomposition(MatrixUtils.createRealMatrix(kkt), SINGULARITY).getSolver()
                    .solve(new ArrayRealVector(rhs, false)).toArray();
        } catch (SingularMatrixException e) {
            return null;
        }
        double[] y = new double[n];
        for (int a = 0; a < k; a++) y[index[a]] = solution[a];
        return y;
    }
}
