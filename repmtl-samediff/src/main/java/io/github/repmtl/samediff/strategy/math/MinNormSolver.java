package io.github.repmtl.samediff.strategy.math;

/**
 * The minimum-norm point of the convex hull of the task gradients, {@code argmin_{w in simplex} w^T G w}, given
 * their Gram matrix {@code G}: by Frank-Wolfe with exact line search (Sener and Koltun 2018, Algorithm 2), or
 * exactly as a quadratic program.
 */
public final class MinNormSolver {
    private MinNormSolver() {}

    /**
     * Frank-Wolfe from the uniform weights: each iteration moves towards the vertex {@code e_t} with the smallest
     * {@code (G w)_t} by the exact line-search step, and stops when the step falls below {@code tolerance}.
     * With two tasks the first step is already exact.
     */
    public static double[] frankWolfe(double[][] gram, int maxIterations, double tolerance) {
        int n = gram.length;
        double[] w = VectorMath.filled(n, 1.0 / n);
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            double[] gw = VectorMath.multiply(gram, w);
            int t = 0;
            for (int i = 1; i < n; i++) if (gw[i] < gw[t]) t = i;
            double a = gw[t];                   // w^T G e_t
            double b = VectorMath.dot(w, gw);   // w^T G w
            double c = gram[t][t];              // e_t^T G e_t
            double gamma;
            if (c <= a) gamma = 1;
            else if (b <= a) gamma = 0;
            else gamma = (b - a) / (b + c - 2 * a);
            for (int i = 0; i < n; i++) w[i] *= 1 - gamma;
            w[t] += gamma;
            if (gamma < tolerance) break;
        }
        return w;
    }

    /**
     * The exact minimiser by ojAlgo's convex QP solver, on the Gram matrix normalised by its trace (the minimiser
     * is scale-invariant, ojAlgo's tolerances are not), clipped to the simplex against round-off. A zero Gram
     * matrix gives the uniform weights.
     */
    public static double[] exact(double[][] gram) {
        double trace = 0;
        for (int t = 0; t < gram.length; t++) trace += gram[t][t];
        if (!(trace > 0)) return VectorMath.filled(gram.length, 1.0 / gram.length);
        double[] w = QuadraticProgram.minimize(VectorMath.scale(gram, 1 / trace)).onSimplex()
                .solve("the min-norm element of the task gradients");
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.max(0, w[i]);
            sum += w[i];
        }
        for (int i = 0; i < w.length; i++) w[i] /= sum;
        return w;
    }
}
