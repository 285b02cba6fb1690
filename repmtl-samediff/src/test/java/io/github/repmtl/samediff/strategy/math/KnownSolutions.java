package io.github.repmtl.samediff.strategy.math;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.SingularMatrixException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Test problems with known answers for the inner solvers of MGDA, CAGrad and Nash-MTL: gradients constructed so
 * that the answer is known, and brute-force answers (every support of the simplex, the optimality conditions solved
 * in closed form on each) that use none of the code under test.
 */
public final class KnownSolutions {
    private KnownSolutions() {}

    /** Task gradients (rows) and the weights of their min-norm point. */
    public record MinNormProblem(double[][] gradients, double[] weights) {
        public double[] minNormPoint() {
            return combine(gradients, weights);
        }
    }

    /**
     * Gradients in {@code R^(T+2)} whose min-norm point {@code d* = sum_t w*_t g_t} has {@code zeros} weights exactly
     * 0: {@code g_t = d* + u_t} on the support and {@code g_t = (1 + delta_t) d* + u_t} off it ({@code delta_t >= 0.01}),
     * with {@code u_t} orthogonal to {@code d*} and {@code sum_t w*_t u_t = 0}, so {@code <g_t, d*> = |d*|^2} on the
     * support and {@code > |d*|^2} off it (the optimality conditions). {@code |d*|} is in {@code [0.05, 1.05)} and the
     * {@code u_t} have norms spread as {@code exp(N(0, 1)) sqrt(T + 1)}, so the problems are not well conditioned.
     */
    public static MinNormProblem minNormOnFace(Random random, int tasks, int zeros) {
        int m = tasks + 2;
        double[] d = gaussian(random, m);
        d = scale(d, (0.05 + random.nextDouble()) / norm(d));
        List<Integer> order = new ArrayList<>();
        for (int t = 0; t < tasks; t++) order.add(t);
        Collections.shuffle(order, random);
        boolean[] off = new boolean[tasks];
        for (int k = 0; k < zeros; k++) off[order.get(k)] = true;
        double[] w = new double[tasks];
        int last = -1;
        for (int t = 0; t < tasks; t++) {
            if (!off[t]) {
                w[t] = 0.1 + random.nextDouble();
                last = t;
            }
        }
        w = scale(w, 1 / sum(w));
        double[][] u = new double[tasks][];
        double[] weightedSum = new double[m];
        for (int t = 0; t < tasks; t++) {
            double[] v = gaussian(random, m);
            double along = dot(v, d) / dot(d, d);
            for (int i = 0; i < m; i++) v[i] -= along * d[i];
            u[t] = scale(v, Math.exp(random.nextGaussian()));
            if (!off[t] && t != last) for (int i = 0; i < m; i++) weightedSum[i] += w[t] * u[t][i];
        }
        u[last] = scale(weightedSum, -1 / w[last]);
        double[][] g = new double[tasks][m];
        for (int t = 0; t < tasks; t++) {
            double along = off[t] ? 1.01 + random.nextDouble() : 1;
            for (int i = 0; i < m; i++) g[t][i] = along * d[i] + u[t][i];
        }
        return new MinNormProblem(g, w);
    }

    /**
     * {@code argmin_{w in simplex} w^T G w} by enumeration: on each support {@code S} the affine minimiser from
     * {@code [G_SS 1; 1^T 0] [w; -lambda] = [0; 1]}, kept when its weights are non-negative and
     * {@code (G w)_t >= lambda = w^T G w} off {@code S}; the feasible one of least norm.
     */
    public static double[] bruteForceMinNorm(double[][] gram) {
        int n = gram.length;
        double scale = 0;
        for (int t = 0; t < n; t++) scale = Math.max(scale, gram[t][t]);
        double[] best = null;
        double bestValue = Double.POSITIVE_INFINITY;
        for (int mask = 1; mask < 1 << n; mask++) {
            int[] s = support(mask, n);
            int k = s.length;
            double[][] kkt = new double[k + 1][k + 1];
            double[] rhs = new double[k + 1];
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) kkt[a][b] = gram[s[a]][s[b]];
                kkt[a][k] = 1;
                kkt[k][a] = 1;
            }
            rhs[k] = 1;
            double[] x;
            try {
                x = new LUDecomposition(new Array2DRowRealMatrix(kkt), 1e-300).getSolver().solve(new ArrayRealVector(rhs)).toArray();
            } catch (SingularMatrixException e) {
                continue;
            }
            double[] w = new double[n];
            boolean feasible = true;
            for (int a = 0; a < k; a++) {
                w[s[a]] = x[a];
                feasible &= x[a] >= -1e-12;
            }
            double value = quadratic(gram, w);
            double[] gw = multiply(gram, w);
            for (int t = 0; t < n; t++) feasible &= (mask >> t & 1) == 1 || gw[t] >= value - 1e-12 * scale;
            if (feasible && value < bestValue) {
                bestValue = value;
                best = w;
            }
        }
        return best;
    }

    /**
     * The minimiser {@code w} of CAGrad's dual {@code w^T b + r sqrt(w^T G w)}, {@code b = G 1/T}, by enumeration: on
     * a support {@code S}, with {@code v = w / sqrt(w^T G w)}, the optimality conditions {@code r G_SS v = lambda 1 - b_S},
     * {@code v^T G_SS v = 1} give {@code alpha lambda^2 - 2 beta lambda + gamma - r^2 = 0} ({@code alpha = 1^T G_SS^-1 1},
     * {@code beta = 1^T G_SS^-1 b_S}, {@code gamma = b_S^T G_SS^-1 b_S}); the root with {@code 1^T v > 0} is kept
     * when {@code v_S >= 0} and {@code (b + r G v)_t >= lambda} off {@code S}. Needs a positive definite {@code G}.
     */
    public static double[] bruteForceCaGradDual(double[][] gram, double radius) {
        int n = gram.length;
        double[] b = multiply(gram, filled(n, 1.0 / n));
        double[] best = null;
        double bestValue = Double.POSITIVE_INFINITY;
        for (int mask = 1; mask < 1 << n; mask++) {
            int[] s = support(mask, n);
            int k = s.length;
            double[][] gss = new double[k][k];
            double[] bs = new double[k];
            for (int a = 0; a < k; a++) {
                bs[a] = b[s[a]];
                for (int c = 0; c < k; c++) gss[a][c] = gram[s[a]][s[c]];
            }
            DecompositionSolver solver = new CholeskyDecomposition(new Array2DRowRealMatrix(gss)).getSolver();
            double[] inverseOnes = solver.solve(new ArrayRealVector(filled(k, 1))).toArray();
            double[] inverseB = solver.solve(new ArrayRealVector(bs)).toArray();
            double alpha = sum(inverseOnes);
            double beta = sum(inverseB);
            double discriminant = beta * beta - alpha * (dot(bs, inverseB) - radius * radius);
            if (discriminant < 0) continue;
            double lambda = (beta + Math.sqrt(discriminant)) / alpha;
            double[] v = new double[n];
            boolean feasible = true;
            for (int a = 0; a < k; a++) {
                v[s[a]] = (lambda * inverseOnes[a] - inverseB[a]) / radius;
                feasible &= v[s[a]] >= 0;
            }
            double[] gv = multiply(gram, v);
            double slack = 1e-12 * Math.max(Math.abs(lambda), maxAbs(b));
            for (int t = 0; t < n; t++) feasible &= (mask >> t & 1) == 1 || b[t] + radius * gv[t] >= lambda - slack;
            if (!feasible || !(sum(v) > 0)) continue;
            double[] w = scale(v, 1 / sum(v));
            double value = dot(w, b) + radius * Math.sqrt(quadratic(gram, w));
            if (value < bestValue) {
                bestValue = value;
                best = w;
            }
        }
        return best;
    }

    /** Task gradients (rows) and the positive solution {@code a} of Nash-MTL's {@code (G~ + ridge I) a = 1/a}. */
    public record NashProblem(double[][] gradients, double[] weights) {}

    /**
     * Gradients whose Gram matrix {@code G} has the known bargaining solution of {@code (G / |G|_F + ridge I) a = 1/a}:
     * for chosen {@code a* > 0} and a random positive definite {@code M}, the BFGS-type update
     * {@code P = M - M a* a*^T M / (a*^T M a*) + y y^T / (a*^T y)}, {@code y = 1/a*}, is positive definite with
     * {@code P a* = y}; then {@code s P} has the solution {@code a* / sqrt(s)}, and {@code s} is chosen so that
     * {@code N = s P - ridge I} has unit Frobenius norm. The gradients are the rows of a scaled Cholesky factor of
     * {@code N}.
     */
    public static NashProblem nash(Random random, int tasks, double ridge) {
        double[] a = new double[tasks];
        for (int t = 0; t < tasks; t++) a[t] = Math.exp(random.nextGaussian());
        double[][] b = new double[tasks][];
        for (int t = 0; t < tasks; t++) b[t] = gaussian(random, tasks);
        double[][] m = gram(b);
        for (int t = 0; t < tasks; t++) m[t][t] += 0.1;
        double[] ma = multiply(m, a);
        double ama = dot(a, ma);
        double[] y = new double[tasks];
        for (int t = 0; t < tasks; t++) y[t] = 1 / a[t];
        double ay = dot(a, y);
        double[][] p = new double[tasks][tasks];
        double frobenius2 = 0;
        double trace = 0;
        for (int i = 0; i < tasks; i++) {
            for (int j = 0; j < tasks; j++) {
                p[i][j] = m[i][j] - ma[i] * ma[j] / ama + y[i] * y[j] / ay;
                frobenius2 += p[i][j] * p[i][j];
            }
            trace += p[i][i];
        }
        // |s P - ridge I|_F^2 = 1: s^2 |P|^2 - 2 s ridge tr(P) + ridge^2 T = 1
        double s = (ridge * trace + Math.sqrt(ridge * ridge * trace * trace - frobenius2 * (ridge * ridge * tasks - 1))) / frobenius2;
        double[][] n = new double[tasks][tasks];
        for (int i = 0; i < tasks; i++) {
            for (int j = 0; j < tasks; j++) n[i][j] = s * p[i][j] - (i == j ? ridge : 0);
        }
        double[][] l = new CholeskyDecomposition(new Array2DRowRealMatrix(n), 1e-12, 1e-15).getL().getData();
        double gradientScale = Math.exp(2 * random.nextGaussian());
        double[][] g = new double[tasks][tasks + 1];
        for (int t = 0; t < tasks; t++) for (int i = 0; i < tasks; i++) g[t][i] = gradientScale * l[t][i];
        return new NashProblem(g, scale(a, 1 / Math.sqrt(s)));
    }

    public static double[][] gram(double[][] rows) {
        double[][] g = new double[rows.length][rows.length];
        for (int i = 0; i < rows.length; i++) for (int j = 0; j < rows.length; j++) g[i][j] = dot(rows[i], rows[j]);
        return g;
    }

    public static double[] combine(double[][] rows, double[] w) {
        double[] out = new double[rows[0].length];
        for (int t = 0; t < rows.length; t++) for (int i = 0; i < out.length; i++) out[i] += w[t] * rows[t][i];
        return out;
    }

    /** {@code |a - b|}. */
    public static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }

    /** {@code |a - b| / |b|}. */
    public static double relativeError(double[] a, double[] b) {
        return distance(a, b) / norm(b);
    }

    public static double maxAbsDifference(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }

    private static double maxAbs(double[] a) {
        double max = 0;
        for (double v : a) max = Math.max(max, Math.abs(v));
        return max;
    }

    private static int[] support(int mask, int n) {
        int[] s = new int[Integer.bitCount(mask)];
        int k = 0;
        for (int t = 0; t < n; t++) if ((mask >> t & 1) == 1) s[k++] = t;
        return s;
    }

    private static double[] gaussian(Random random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = random.nextGaussian();
        return v;
    }

    private static double[] multiply(double[][] m, double[] x) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) out[i] = dot(m[i], x);
        return out;
    }

    private static double quadratic(double[][] m, double[] x) {
        return dot(x, multiply(m, x));
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double sum(double[] a) {
        double s = 0;
        for (double v : a) s += v;
        return s;
    }

    private static double[] scale(double[] a, double s) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] * s;
        return out;
    }

    private static double[] filled(int n, double value) {
        double[] out = new double[n];
        Arrays.fill(out, value);
        return out;
    }
}
