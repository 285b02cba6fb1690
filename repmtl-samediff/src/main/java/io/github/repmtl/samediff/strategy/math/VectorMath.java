package io.github.repmtl.samediff.strategy.math;

import java.util.Arrays;

/**
 * Small dense linear algebra on {@code double[]} rows: Gram matrices of task gradients, linear combinations,
 * dot products, norms and softmax. Nothing here allocates more than one output array.
 */
public final class VectorMath {
    private VectorMath() {}

    /** {@code G = J J^T}, the {@code T x T} Gram matrix of the gradient rows. */
    public static double[][] gram(double[][] rows) {
        int n = rows.length;
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double v = dot(rows[i], rows[j]);
                g[i][j] = v;
                g[j][i] = v;
            }
        }
        return g;
    }

    /** {@code J^T w = sum_t w[t] * rows[t]}. */
    public static double[] combine(double[][] rows, double[] w) {
        double[] out = new double[rows[0].length];
        for (int t = 0; t < rows.length; t++) {
            if (w[t] == 0) continue;
            double[] row = rows[t];
            for (int p = 0; p < out.length; p++) out[p] += w[t] * row[p];
        }
        return out;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Dot product of {@code a[from..to)} and {@code b[from..to)}. */
    public static double dot(double[] a, double[] b, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += a[i] * b[i];
        return s;
    }

    public static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** {@code a += s * b} on {@code [from, to)}. */
    public static void addScaled(double[] a, double s, double[] b, int from, int to) {
        for (int i = from; i < to; i++) a[i] += s * b[i];
    }

    /** {@code M x}. */
    public static double[] multiply(double[][] m, double[] x) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) out[i] = dot(m[i], x);
        return out;
    }

    /** A copy of {@code v} times {@code s}. */
    public static double[] scale(double[] v, double s) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] * s;
        return out;
    }

    /** A copy of {@code m} with every entry times {@code s}. */
    public static double[][] scale(double[][] m, double s) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) out[i] = scale(m[i], s);
        return out;
    }

    public static double sum(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s;
    }

    /** {@code exp(x) / sum(exp(x))}, computed after subtracting the maximum. */
    public static double[] softmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) max = Math.max(max, v);
        double[] out = new double[x.length];
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.exp(x[i] - max);
            s += out[i];
        }
        for (int i = 0; i < x.length; i++) out[i] /= s;
        return out;
    }

    /**
     * The vector-Jacobian product of softmax: given {@code z = softmax(x)} and an upstream gradient {@code u}
     * w.r.t. {@code z}, returns the gradient w.r.t. {@code x}: {@code z_k (u_k - sum_t z_t u_t)}.
     */
    public static double[] softmaxBackward(double[] z, double[] upstream) {
        double mean = dot(z, upstream);
        double[] out = new double[z.length];
        for (int k = 0; k < z.length; k++) out[k] = z[k] * (upstream[k] - mean);
        return out;
    }

    /** A deep copy of a matrix. */
    public static double[][] copy(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) out[i] = m[i].clone();
        return out;
    }

    /** A deep copy of a 3-d array. */
    public static double[][][] copy(double[][][] m) {
        double[][][] out = new double[m.length][][];
        for (int i = 0; i < m.length; i++) out[i] = copy(m[i]);
        return out;
    }

    /** Filled with {@code value}. */
    public static double[] filled(int n, double value) {
        double[] out = new double[n];
        Arrays.fill(out, value);
        return out;
    }
}
