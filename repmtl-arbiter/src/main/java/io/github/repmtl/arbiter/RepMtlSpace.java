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
import java.util.Optional;

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
 * two dimensions ties them (Arbiter de-duplicates leaves by identity). Numeric dimensions given as values or ranges
 * also know their bounds ({@link #range}), which population-based training explores within.
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
    private final Map<String, ParameterRange> ranges;

    private RepMtlSpace(Builder b) {
        this.lambdaTsr = b.lambdaTsr;
        this.lambdaCsa = b.lambdaCsa;
        this.tau = b.tau;
        this.csaVariant = b.csaVariant;
        this.logTransform = b.logTransform;
        this.learningRate = b.learningRate;
        this.strategy = b.strategy;
        this.ranges = Map.copyOf(b.ranges);
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

    /**
     * The bounds of a numeric dimension ({@code lambdaTsr}, {@code lambdaCsa}, {@code tau}, {@code learningRate}):
     * a fixed value's {@code [v, v]}, a value list's smallest and largest value, a range's ends (log for log ranges);
     * empty for a dimension given as an arbitrary Arbiter space.
     */
    public Optional<ParameterRange> range(String dimension) {
        if (!List.of("lambdaTsr", "lambdaCsa", "tau", "learningRate").contains(dimension))
            throw new IllegalArgumentException("'" + dimension + "' is not a numeric dimension; numeric: lambdaTsr, lambdaCsa, tau, learningRate");
        return Optional.ofNullable(ranges.get(dimension));
    }

    /** The value of a dimension that is fixed (one value), empty when the dimension is searched. */
    public Optional<Object> fixedValue(String dimension) {
        ParameterSpace<?> p = getNestedSpaces().get(dimension);
        if (p == null) throw new IllegalArgumentException("unknown dimension '" + dimension + "'; dimensions: " + getNestedSpaces().keySet());
        return p instanceof FixedValue<?> f ? Optional.of(f.getValue()) : Optional.empty();
    }

    /** Sets the dimensions of a {@link RepMtlSpace}; values given as numbers are checked here. */
    public static final class Builder {
        private ParameterSpace<Double> lambdaTsr, lambdaCsa, tau, learningRate;
        private ParameterSpace<CsaVariant> csaVariant;
        private ParameterSpace<Boolean> logTransform;
        private ParameterSpace<String> strategy;
        private final Map<String, ParameterRange> ranges = new LinkedHashMap<>();

        private Builder() {
            RepMtlCandidate d = RepMtlCandidate.defaults();
            ranges.put("lambdaTsr", ParameterRange.fixed(d.lambdaTsr()));
            ranges.put("lambdaCsa", ParameterRange.fixed(d.lambdaCsa()));
            ranges.put("tau", ParameterRange.fixed(d.tau()));
            ranges.put("learningRate", ParameterRange.fixed(d.learningRate()));
            lambdaTsr = new FixedValue<>(d.lambdaTsr());
            lambdaCsa = new FixedValue<>(d.lambdaCsa());
            tau = new FixedValue<>(d.tau());
            csaVariant = new FixedValue<>(d.csaVariant());
            logTransform = new FixedValue<>(d.logTransform());
            learningRate = new FixedValue<>(d.learningRate());
            strategy = new FixedValue<>(d.strategy());
        }

        /** Any Arbiter space for {@code lambda_tsr} (values outside {@code [0, inf)} make failed candidates). */
        public Builder lambdaTsr(ParameterSpace<Double> space) { this.lambdaTsr = numeric("lambdaTsr", space, null); return this; }
        /** {@code lambda_tsr} fixed (one value) or from a discrete set. */
        public Builder lambdaTsr(double... values) { return lambdaTsr(boxed(values)); }
        public Builder lambdaTsr(List<Double> values) { this.lambdaTsr = numeric("lambdaTsr", discrete("lambdaTsr", values, 0, false), bounds(values)); return this; }
        /** {@code lambda_tsr} uniform in {@code [min, max]}. */
        public Builder lambdaTsrRange(double min, double max) {
            this.lambdaTsr = numeric("lambdaTsr", uniform("lambdaTsr", min, max, 0, false), new ParameterRange(min, max, false));
            return this;
        }
        /** {@code lambda_tsr} log-uniform in {@code [min, max]}, {@code min > 0}. */
        public Builder lambdaTsrLogRange(double min, double max) {
            this.lambdaTsr = numeric("lambdaTsr", logUniform("lambdaTsr", min, max), new ParameterRange(min, max, true));
            return this;
        }

        public Builder lambdaCsa(ParameterSpace<Double> space) { this.lambdaCsa = numeric("lambdaCsa", space, null); return this; }
        public Builder lambdaCsa(double... values) { return lambdaCsa(boxed(values)); }
        public Builder lambdaCsa(List<Double> values) { this.lambdaCsa = numeric("lambdaCsa", discrete("lambdaCsa", values, 0, false), bounds(values)); return this; }
        public Builder lambdaCsaRange(double min, double max) {
            this.lambdaCsa = numeric("lambdaCsa", uniform("lambdaCsa", min, max, 0, false), new ParameterRange(min, max, false));
            return this;
        }
        /** {@code lambda_csa} log-uniform in {@code [min, max]}, {@code min > 0}. */
        public Builder lambdaCsaLogRange(double min, double max) {
            this.lambdaCsa = numeric("lambdaCsa", logUniform("lambdaCsa", min, max), new ParameterRange(min, max, true));
            return this;
        }

        /** The CSA temperature {@code tau} (> 0). */
        public Builder tau(ParameterSpace<Double> space) { this.tau = numeric("tau", space, null); return this; }
        public Builder tau(double... values) {
            List<Double> list = boxed(values);
            this.tau = numeric("tau", discrete("tau", list, 0, true), bounds(list));
            return this;
        }
        public Builder tauRange(double min, double max) {
            this.tau = numeric("tau", uniform("tau", min, max, 0, true), new ParameterRange(min, max, false));
            return this;
        }

        public Builder csaVariant(ParameterSpace<CsaVariant> space) { this.csaVariant = required(space, "csaVariant"); return this; }
        public Builder csaVariant(CsaVariant... variants) { return csaVariant(choice("csaVariant", Arrays.asList(variants))); }

        public Builder logTransform(ParameterSpace<Boolean> space) { this.logTransform = required(space, "logTransform"); return this; }
        /** Log transform fixed ({@code logTransform(true)}) or searched ({@code logTransform(true, false)}). */
        public Builder logTransform(Boolean... values) { return logTransform(choice("logTransform", Arrays.asList(values))); }

        /** The learning rate of the optimiser (> 0); by default fixed at {@link RepMtlCandidate#DEFAULT_LEARNING_RATE}. */
        public Builder learningRate(ParameterSpace<Double> space) { this.learningRate = numeric("learningRate", space, null); return this; }
        public Builder learningRate(double... values) {
            List<Double> list = boxed(values);
            this.learningRate = numeric("learningRate", discrete("learningRate", list, 0, true), bounds(list));
            return this;
        }
        /** Learning rate log-uniform in {@code [min, max]} (uniform in its exponent). */
        public Builder learningRateLogRange(double min, double max) {
            this.learningRate = numeric("learningRate", logUniform("learningRate", min, max), new ParameterRange(min, max, true));
            return this;
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

        /** Sets a numeric dimension's bounds: {@code range}, a fixed value's, or unknown (an arbitrary Arbiter space). */
        private ParameterSpace<Double> numeric(String what, ParameterSpace<Double> space, ParameterRange range) {
            required(space, what);
            if (range == null && space instanceof FixedValue<?> f && f.getValue() instanceof Double v && Double.isFinite(v)) range = ParameterRange.fixed(v);
            if (range != null) ranges.put(what, range);
            else ranges.remove(what);
            return space;
        }

        private static ParameterRange bounds(List<Double> values) {
            if (values == null || values.isEmpty()) return null;         // discrete(...) reports it
            double min = values.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            double max = values.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            return Double.isFinite(min) && Double.isFinite(max) ? new ParameterRange(min, max, false) : null;
        }

        private static ParameterSpace<Double> logUniform(String what, double min, double max) {
            positiveRange(what, min, max);
            return new ContinuousParameterSpace(new LogUniformDistribution(min, max));
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
