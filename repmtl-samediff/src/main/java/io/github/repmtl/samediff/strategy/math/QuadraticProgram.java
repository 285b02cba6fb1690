package io.github.repmtl.samediff.strategy.math;

import org.ojalgo.matrix.store.MatrixStore;
import org.ojalgo.matrix.store.Primitive64Store;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.convex.ConvexSolver;

import java.util.Arrays;

/**
 * A small convex quadratic program {@code minimize 1/2 x^T Q x + c^T x} subject to optional lower bounds
 * {@code x >= l}, solved by ojAlgo's {@link ConvexSolver} (an active-set method). {@code Q} must be symmetric
 * positive semi-definite; it is symmetrised before solving. ojAlgo's stopping tolerances are its own: on
 * ill-conditioned problems it can stop short of the optimum (as a simplex-constrained min-norm solver, with gradient
 * norms spread over one to two orders of magnitude, it was seen to end with duality gaps of {@code 1e-7} to
 * {@code 1e-5} of the trace, some with a positive weight set to 0), which is why the min-norm problems of MGDA and
 * CAGrad use {@link MinNormSolver#exact} instead.
 *
 * <pre>{@code double[] x = QuadraticProgram.minimize(q).plusLinear(c).lowerBounds(lower).solve("a sub-problem");}</pre>
 */
public final class QuadraticProgram {
    static {
        // ojAlgo prints a hardware-profile notice to stdout on first use unless this documented property is set
        if (System.getProperty("shut.up.ojAlgo") == null) System.setProperty("shut.up.ojAlgo", "true");
    }

    private final double[][] quadratic;
    private double[] linear;
    private double[] lowerBounds;

    private QuadraticProgram(double[][] quadratic) {
        this.quadratic = quadratic;
    }

    /** Starts the program {@code minimize 1/2 x^T Q x}. */
    public static QuadraticProgram minimize(double[][] q) {
        for (double[] row : q) {
            if (row.length != q.length) throw new IllegalArgumentException("Q must be square, got " + q.length + " x " + row.length);
        }
        return new QuadraticProgram(q);
    }

    /** Adds the linear term {@code c^T x}. */
    public QuadraticProgram plusLinear(double[] c) {
        if (c.length != quadratic.length) throw new IllegalArgumentException("c has " + c.length + " entries for " + quadratic.length + " variables");
        this.linear = c.clone();
        return this;
    }

    /** Adds {@code x >= lower}. */
    public QuadraticProgram lowerBounds(double[] lower) {
        if (lower.length != quadratic.length) throw new IllegalArgumentException("lower bounds have " + lower.length + " entries for " + quadratic.length + " variables");
        this.lowerBounds = lower.clone();
        return this;
    }

    /**
     * Solves the program.
     *
     * @param what what is being solved, for the error message
     * @throws IllegalStateException when ojAlgo reports no feasible solution
     */
    public double[] solve(String what) {
        int n = quadratic.length;
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) q[i][j] = 0.5 * (quadratic[i][j] + quadratic[j][i]);
        }
        double[] c = new double[n];
        if (linear != null) {
            for (int i = 0; i < n; i++) c[i] = -linear[i];           // ojAlgo minimises 1/2 x^T Q x - C^T x
        }
        ConvexSolver.Builder builder = ConvexSolver.newBuilder()
                .objective(store(q), Primitive64Store.FACTORY.column(c));
        if (lowerBounds != null) {
            double[][] negIdentity = new double[n][n];
            double[] negLower = new double[n];
            for (int i = 0; i < n; i++) {
                negIdentity[i][i] = -1;
                negLower[i] = -lowerBounds[i];
            }
            builder.inequalities(store(negIdentity), Primitive64Store.FACTORY.column(negLower));
        }
        Optimisation.Result result = builder.build().solve();
        if (!result.getState().isFeasible()) {
            throw new IllegalStateException("quadratic program for " + what + " failed: ojAlgo state "
                    + result.getState() + " (Q = " + Arrays.deepToString(quadratic) + ")");
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = result.doubleValue(i);
        return x;
    }

    private static MatrixStore<Double> store(double[][] rows) {
        return Primitive64Store.FACTORY.rows(rows);
    }
}
