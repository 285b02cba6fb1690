package io.github.repmtl.samediff.strategy.gradient;

import io.github.repmtl.samediff.strategy.AbstractStrategy;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.OptionSpec;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.strategy.StrategyOptions;
import io.github.repmtl.samediff.strategy.math.QuadraticProgram;
import io.github.repmtl.samediff.strategy.math.VectorMath;
import io.github.repmtl.samediff.strategy.support.StateReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Nash-MTL (Navon et al., ICML 2022), as in LibMTL / the official code: the bargaining weights {@code a > 0}
 * solve {@code G~ a = 1 / a} for the Gram matrix normalised by its Frobenius norm, {@code G~ = G / |G|_F}; task
 * t's loss is weighted by {@code a_t} and the shared direction {@code J^T a} is clipped to norm
 * {@code maxNorm} (PyTorch's {@code clip_grad_norm_}: factor {@code maxNorm / (|d| + 1e-6)}; 0 disables it).
 * The weights are recomputed every {@code updateWeightsEvery} steps and reused in between. In REPRESENTATION mode
 * the clipping applies to the representation gradient (LibMTL supports Nash-MTL on parameters only).
 *
 * <p>Solver: the official code runs a concave-convex procedure (CCCP) whose convex sub-problems have logarithmic
 * constraints (solved by cvxpy/ECOS). {@code G~ a = 1/a} is the stationarity condition of the strictly convex
 * {@code F(a) = a^T G~ a / 2 - sum_t log a_t}, so here the CCCP runs on {@code F}: on the region
 * {@code a >= m} ({@code m = gamma * a_prev}, {@code gamma = 0.9}, shrunk for tasks whose bound was active),
 * {@code -log a_t = kappa_t a_t^2 / 2 + (-log a_t - kappa_t a_t^2 / 2)} with {@code kappa_t = 1/m_t^2} splits into
 * a convex quadratic and a concave part; linearising the concave part gives a box-constrained convex QP solved by
 * ojAlgo. Every step decreases {@code F}; the sequence starts from the previous step's weights (all ones at
 * first) and stops after {@code maxIterations} sub-problems or when {@code |G~ a - 1/a| <= tolerance}; stopping at
 * the limit with a larger residual is logged, the first time as a warning with the residual and later at debug
 * level. With the defaults (LibMTL's 20 sub-problems, tolerance 1e-6) the weights are within a few 1e-6 of the
 * fixed point (relative); {@code tolerance=1e-12,maxIterations=200} gives them to about 1e-11. The fixed point is
 * the same as the official procedure's. A tiny ridge {@code 1e-8 I} keeps {@code F} bounded when the gradients are
 * linearly dependent.
 */
public final class NashMtl extends AbstractStrategy {
    public static final StrategyDescriptor DESCRIPTOR = new StrategyDescriptor("nash-mtl",
            "Nash-MTL (Navon et al. 2022): the Nash bargaining solution G a = 1/a of the task gradients",
            EnumSet.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION),
            List.of(OptionSpec.real("maxNorm", 1.0, 0, Double.POSITIVE_INFINITY, "clip the shared direction to this norm; 0 disables clipping"),
                    OptionSpec.integer("updateWeightsEvery", 1, 1, Integer.MAX_VALUE, "recompute the weights every this many steps"),
                    OptionSpec.integer("maxIterations", 20, 1, 100_000,
                            "limit of convex sub-problems per update (LibMTL optim_niter); stopping there above the tolerance logs a warning"),
                    OptionSpec.real("tolerance", 1e-6, 0, 1,
                            "stop when |G~ a - 1/a| is at most this; the weights are then within a few times this (relative) of the fixed point")),
            NashMtl::new);

    private static final Logger LOG = LoggerFactory.getLogger(NashMtl.class);
    private static final double TRUST = 0.9;
    private static final double MIN_TRUST = 1e-3;
    private static final double RIDGE = 1e-8;

    private final double maxNorm;
    private final int updateWeightsEvery;
    private final int maxIterations;
    private final double tolerance;
    private double[] alpha;
    private long steps;
    private boolean warned;

    public NashMtl(List<String> taskNames, StrategyOptions options) {
        super(DESCRIPTOR.name(), taskNames, DESCRIPTOR.modes());
        this.maxNorm = options.real("maxNorm");
        this.updateWeightsEvery = options.integer("updateWeightsEvery");
        this.maxIterations = options.integer("maxIterations");
        this.tolerance = options.real("tolerance");
        this.alpha = VectorMath.filled(taskCount(), 1);
    }

    @Override
    protected Aggregation compute(StepContext context) {
        double[][] gradients = context.gradients();
        double[][] gram = VectorMath.gram(gradients);
        if (steps % updateWeightsEvery == 0) {
            double frobenius = 0;
            for (double[] row : gram) frobenius += VectorMath.dot(row, row);
            frobenius = Math.sqrt(frobenius);
            if (frobenius > 0) alpha = bargain(context, VectorMath.scale(gram, 1 / frobenius));
        }
        steps++;
        double norm = Math.sqrt(Math.max(0, VectorMath.dot(alpha, VectorMath.multiply(gram, alpha))));
        double clip = maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
        double[] coefficients = VectorMath.scale(alpha, clip);
        return Aggregation.ofDirection(alpha.clone(), VectorMath.combine(gradients, coefficients), coefficients);
    }

    private double[] bargain(StepContext context, double[][] normalizedGram) {
        int n = taskCount();
        double[][] g = VectorMath.copy(normalizedGram);
        for (int t = 0; t < n; t++) g[t][t] += RIDGE;
        double[] a = alpha.clone();
        double[] trust = VectorMath.filled(n, TRUST);
        for (int iteration = 0; iteration < maxIterations && residual(g, a) > tolerance; iteration++) {
            double[] lower = new double[n];
            double[][] quadratic = VectorMath.copy(g);
            double[] linear = new double[n];
            for (int t = 0; t < n; t++) {
                lower[t] = trust[t] * a[t];
                double kappa = 1 / (lower[t] * lower[t]);
                quadratic[t][t] += kappa;
                linear[t] = -1 / a[t] - kappa * a[t];
            }
            double[] next = QuadraticProgram.minimize(quadratic).plusLinear(linear).lowerBounds(lower)
                    .solve("a Nash-MTL bargaining sub-problem");
            for (int t = 0; t < n; t++) {
                boolean boundActive = next[t] <= lower[t] * (1 + 1e-9);
                next[t] = Math.max(next[t], lower[t]);
                trust[t] = boundActive ? Math.max(MIN_TRUST, trust[t] * trust[t]) : TRUST;
            }
            a = next;
        }
        double remaining = residual(g, a);
        if (remaining > tolerance) {
            String message = where(context)
                    + "Nash-MTL stopped at maxIterations = {} sub-problems with |G~ a - 1/a| = {} > tolerance {}";
            if (warned) {
                LOG.debug(message, maxIterations, remaining, tolerance);
            } else {
                warned = true;
                LOG.warn(message + "; later occurrences are logged at debug level", maxIterations, remaining, tolerance);
            }
        }
        return a;
    }

    private static double residual(double[][] g, double[] a) {
        double[] ga = VectorMath.multiply(g, a);
        double sum = 0;
        for (int t = 0; t < a.length; t++) {
            double r = ga[t] - 1 / a[t];
            sum += r * r;
        }
        return Math.sqrt(sum);
    }

    @Override
    protected void saveState(Map<String, Object> state) {
        state.put("alpha", alpha.clone());
        state.put("steps", steps);
    }

    @Override
    protected void loadState(StateReader state) {
        double[] a = state.vector("alpha", taskCount());
        long s = state.longValue("steps");
        for (int t = 0; t < a.length; t++) {
            if (!(a[t] > 0)) {
                throw new IllegalArgumentException("strategy 'nash-mtl': state entry 'alpha' must be positive, got "
                        + a[t] + " for " + task(t));
            }
        }
        alpha = a;
        steps = s;
    }
}
