package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.regularizer.CsaVariant;
import io.github.repmtl.samediff.strategy.Strategies;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.util.LeafUtils;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Arbiter parameter space of Rep-MTL configurations: one Arbiter {@link ParameterSpace} per dimension of a
 * {@link RepMtlCandidate} ({@code lambda_tsr}, {@code lambda_csa}, {@code tau}, CSA variant, log transform, and
 * optionally learning rate and loss-weighting strategy). Each dimension is a fixed value, a discrete set
 * (searched exhaustively by grid search) or a continuous range (discretised by grid search).
 *
 * <pre>{@code
 * RepMtlSpace grid = RepMtlSpace.paperGrid();                        // {0.7,...,1.5}^2 = 25 candidates
 * RepMtlSpace wide = RepMtlSpace.builder()
 *         .lambdaTsrRange(0.5, 1.5).lambdaCsaRange(0.5, 1.5).tau(0.1, 0.5, 1.0)
 *         .csaVariant(CsaVariant.PAPER, CsaVariant.INFONCE).learningRateLogRange(1e-4, 1e-2).build();
 * }</pre>
 * Unset dimensions keep {@link RepMtlCandidate#defaults()}. Passing the same {@link ParameterSpace} instance for
 * two dimensions ties them (Arbiter de-duplicates leaves by identity).
 */
public final class RepMtlSpace implements ParameterSpace<RepMtlCandidate> {
    /** The grid the paper searched for both lambdas: {0.7, 0.9, 1.1, 1.3, 1.5}. */
    public static final List<Double> PAPER_LAMBDAS = List.of(0.7, 0.9, 1.1, 1.3, 1.5);

    private final ParameterSpace<Double> lambdaTsr;
    private final ParameterSpace<Double> lambdaCsa;
    private final ParameterSpace<Double> tau;
    private final ParameterSpace<CsaVariant> csaVariant;
    private final ParameterSpace<Boolean> logTransform;
    private final ParameterSpace<Double> learningRate;
    private final ParameterSpace<String> strategy;

    private RepMtlSpace(Builder b) {
        this.lambdaTsr = b.lambdaTsr;
        this.lambdaCsa = b.lambdaCsa;
        this.tau = b.tau;
        this.csaVariant = b.csaVariant;
        this.logTransform = b.logTransform;
        this.learningRate = b.learningRate;
        this.strategy = b.strategy;
    }

    /** A space with every dimension at {@link RepMtlCandidate#defaults()} until set. */
    public static Builder builder() { return new Builder(); }

    /** The paper's grid: both lambdas over {@link #PAPER_LAMBDAS}, everything else at the defaults (25 candidates). */
    public static RepMtlSpace paperGrid() {
        return builder().lambdaTsr(PAPER_LAMBDAS).lambdaCsa(PAPER_LAMBDAS).build();
    }

    @Override
    public RepMtlCandidate getValue(double[] parameterValues) {
        return new RepMtlCandidate(lambdaTsr.getValue(parameterValues), lambdaCsa.getValue(parameterValues), tau.getValue(parameterValues),
                csaVariant.getValue(parameterValues), logTransform.getValue(parameterValues), learningRate.getValue(parameterValues),
                strategy.getValue(parameterValues));
    }

    @Override
    public int numParameters() { return LeafUtils.countUniqueParameters(collectLeaves()); }

    /** The dimensions in {@link RepMtlCandidate} order, which fixes the order in which Arbiter numbers the leaves. */
    @Override
    public Map<String, ParameterSpace> getNestedSpaces() {
        Map<String, ParameterSpace> m = new LinkedHashMap<>();
        m.put("lambdaTsr", lambdaTsr);
        m.put("lambdaCsa", lambdaCsa);
        m.put("tau", tau);
        m.put("csaVariant", csaVariant);
        m.put("logTransform", logTransform);
        m.put("learningRate", learningRate);
        m.put("strategy", strategy);
        return m;
    }

    @Override
    public List<ParameterSpace> collectLeaves() {
        List<ParameterSpace> leaves = new ArrayList<>();
        for (ParameterSpace<?> p : getNestedSpaces().values()) leaves.addAll(p.collectLeaves());
        return leaves;
    }

    @Override
    public boolean isLeaf() { return false; }

    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("RepMtlSpace is not a leaf: indices are set on its dimensions");
    }

    /** Each dimension's Arbiter space as text, by {@link RepMtlCandidate} key (for logs and the search manifest). */
    public Map<String, String> describe() {
        Map<String, String> d = new LinkedHashMap<>();
        getNestedSpaces().forEach((k, v) -> d.put(k, v.toString()));
        return d;
    }

    @Override
    public String toString() { return "RepMtlSpace" + describe(); }

    /** Sets the dimensions of a {@link RepMtlSpace}; values given as numbers are checked here. */
    public static final class Builder {
        private ParameterSpace<Double> lambdaTsr, lambdaCsa, tau, learningRate;
        private ParameterSpace<CsaVariant> csaVariant;
        private ParameterSpace<Boolean> logTransform;
        private ParameterSpace<String> strategy;

        private Builder() {
            RepMtlCandidate d = RepMtlCandidate.defaults();
            lambdaTsr = new FixedValue<>(d.lambdaTsr());
            lambdaCsa = new FixedValue<>(d.lambdaCsa());
            tau = new FixedValue<>(d.tau());
            csaVariant = new FixedValue<>(d.csaVariant());
            logTransform = new FixedValue<>(d.logTransform());
            learningRate = new FixedValue<>(d.learningRate());
            strategy = new FixedValue<>(d.strategy());
        }

        /** Any Arbiter space for {@code lambda_tsr} (values outside {@code [0, inf)} make failed candidates). */
        public Builder lambdaTsr(ParameterSpace<Double> space) { this.lambdaTsr = required(space, "lambdaTsr"); return this; }
        /** {@code lambda_tsr} fixed (one value) or from a discrete set. */
        public Builder lambdaTsr(double... values) { return lambdaTsr(discrete("lambdaTsr", boxed(values), 0, false)); }
        public Builder lambdaTsr(List<Double> values) { return lambdaTsr(discrete("lambdaTsr", values, 0, false)); }
        /** {@code lambda_tsr} uniform in {@code [min, max]}. */
        public Builder lambdaTsrRange(double min, double max) { return lambdaTsr(uniform("lambdaTsr", min, max, 0, false)); }

        public Builder lambdaCsa(ParameterSpace<Double> space) { this.lambdaCsa = required(space, "lambdaCsa"); return this; }
        public Builder lambdaCsa(double... values) { return lambdaCsa(discrete("lambdaCsa", boxed(values), 0, false)); }
        public Builder lambdaCsa(List<Double> values) { return lambdaCsa(discrete("lambdaCsa", values, 0, false)); }
        public Builder lambdaCsaRange(double min, double max) { return lambdaCsa(uniform("lambdaCsa", min, max, 0, false)); }

        /** The CSA temperature {@code tau} (> 0). */
        public Builder tau(ParameterSpace<Double> space) { this.tau = required(space, "tau"); return this; }
        public Builder tau(double... values) { return tau(discrete("tau", boxed(values), 0, true)); }
        public Builder tauRange(double min, double max) { return tau(uniform("tau", min, max, 0, true)); }

        public Builder csaVariant(ParameterSpace<CsaVariant> space) { this.csaVariant = required(space, "csaVariant"); return this; }
        public Builder csaVariant(CsaVariant... variants) { return csaVariant(choice("csaVariant", Arrays.asList(variants))); }

        public Builder logTransform(ParameterSpace<Boolean> space) { this.logTransform = required(space, "logTransform"); return this; }
        /** Log transform fixed ({@code logTransform(true)}) or searched ({@code logTransform(true, false)}). */
        public Builder logTransform(Boolean... values) { return logTransform(choice("logTransform", Arrays.asList(values))); }

        /** The learning rate of the optimiser (> 0); by default fixed at {@link RepMtlCandidate#DEFAULT_LEARNING_RATE}. */
        public Builder learningRate(ParameterSpace<Double> space) { this.learningRate = required(space, "learningRate"); return this; }
        public Builder learningRate(double... values) { return learningRate(discrete("learningRate", boxed(values), 0, true)); }
        /** Learning rate log-uniform in {@code [min, max]} (uniform in its exponent). */
        public Builder learningRateLogRange(double min, double max) {
            positiveRange("learningRate", min, max);
            return learningRate(new ContinuousParameterSpace(new LogUniformDistribution(min, max)));
        }

        public Builder strategy(ParameterSpace<String> space) { this.strategy = required(space, "strategy"); return this; }
        /** Loss-weighting strategies by registry name ({@link Strategies#names()}); unknown names are rejected here. */
        public Builder strategy(String... names) {
            List<String> canonical = new ArrayList<>();
            for (String n : names) canonical.add(Strategies.descriptor(n).name());
            return strategy(choice("strategy", canonical));
        }

        public RepMtlSpace build() { return new RepMtlSpace(this); }

        private static <T> ParameterSpace<T> required(ParameterSpace<T> space, String what) {
            return Objects.requireNonNull(space, what + " space is null");
        }

        private static List<Double> boxed(double[] values) {
            if (values == null) throw new IllegalArgumentException("values are null");
            return Arrays.stream(values).boxed().toList();
        }

        private static ParameterSpace<Double> discrete(String what, List<Double> values, double min, boolean exclusive) {
            if (values == null || values.isEmpty()) throw new IllegalArgumentException(what + ": give at least one value");
            for (Double v : values) check(what, v, min, exclusive);
            if (values.stream().distinct().count() != values.size()) throw new IllegalArgumentException(what + ": duplicate values in " + values);
            return values.size() == 1 ? new FixedValue<>(values.get(0)) : new DiscreteParameterSpace<>(new ArrayList<>(values));
        }

        private static <T> ParameterSpace<T> choice(String what, List<T> values) {
            if (values.isEmpty()) throw new IllegalArgumentException(what + ": give at least one value");
            if (values.contains(null)) throw new IllegalArgumentException(what + ": null value in " + values);
            if (values.stream().distinct().count() != values.size()) throw new IllegalArgumentException(what + ": duplicate values in " + values);
            return values.size() == 1 ? new FixedValue<>(values.get(0)) : new DiscreteParameterSpace<>(new ArrayList<>(values));
        }

        private static ParameterSpace<Double> uniform(String what, double min, double max, double bound, boolean exclusive) {
            check(what, min, bound, exclusive);
            check(what, max, bound, exclusive);
            if (!(max > min)) throw new IllegalArgumentException(what + ": range needs min < max, got [" + min + ", " + max + "]");
            return new ContinuousParameterSpace(new UniformRealDistribution(min, max));
        }

        private static void positiveRange(String what, double min, double max) {
            check(what, min, 0, true);
            check(what, max, 0, true);
            if (!(max > min)) throw new IllegalArgumentException(what + ": range needs min < max, got [" + min + ", " + max + "]");
        }

        private static void check(String what, Double v, double bound, boolean exclusive) {
            boolean ok = v != null && Double.isFinite(v) && (exclusive ? v > bound : v >= bound);
            if (!ok) throw new IllegalArgumentException(what + " must be finite and " + (exclusive ? "> " : ">= ") + bound + ", got " + v);
        }
    }
}
