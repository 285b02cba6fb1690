package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.strategy.Strategies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of population-based training (Jaderberg et al. 2017, "Population Based Training of Neural
 * Networks") of Rep-MTL's {@code lambda_tsr}, {@code lambda_csa} and {@code tau}: {@code population} members train
 * in {@code rounds} of {@code readyEpochs} epochs; after every round but the last they are ranked on the validation
 * split by {@code objective}, and each member of the bottom {@code quantile} copies a top-{@code quantile} member's
 * newest checkpoint (exploit) and changes its hyperparameters (explore): each one that is not fixed is, with
 * {@code resampleProbability}, drawn anew from its bounds, otherwise multiplied by {@code perturbDown} or
 * {@code perturbUp} (even odds) and clipped to its bounds. {@code template} supplies what every member trains with
 * besides those three (CSA variant, log transform, learning rate, strategy). Everything random comes from
 * {@code seed}.
 *
 * @param startValues per member, or {@code null}: drawn from the bounds with the seed
 */
public record PbtConfig(int population, int readyEpochs, int rounds, double quantile, double perturbDown, double perturbUp,
                        double resampleProbability, PbtBounds bounds, List<PbtHyperparameters> startValues, RepMtlCandidate template,
                        SearchObjective objective, long seed) {

    public static Builder builder() { return new Builder(); }

    /** Epochs every member trains in all: {@code rounds x readyEpochs}. */
    public int totalEpochs() { return rounds * readyEpochs; }

    /** Members in the bottom and in the top quantile: {@code max(1, floor(quantile x population))}. */
    public int quantileSize() { return Math.max(1, (int) Math.floor(quantile * population)); }

    /**
     * The settings as text and numbers for {@code pbt.json} and the resume check; {@code rounds} is left out with
     * {@code withRounds false} (a resumed run may train more rounds).
     */
    public Map<String, Object> describe(boolean withRounds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("population", population);
        m.put("readyEpochs", readyEpochs);
        if (withRounds) m.put("rounds", rounds);
        m.put("quantile", quantile);
        m.put("perturbDown", perturbDown);
        m.put("perturbUp", perturbUp);
        m.put("resampleProbability", resampleProbability);
        m.put("bounds", bounds.toString());
        m.put("startValues", startValues == null ? "sampled" : startValues.toString());
        m.put("template", "{csaVariant=" + template.csaVariant() + ", logTransform=" + template.logTransform() + ", learningRate="
                + template.learningRate() + ", strategy=" + template.strategy() + "}");
        m.put("objective", objective.name());
        m.put("seed", seed);
        return m;
    }

    /** Settings of a {@link PbtConfig}; {@link #build()} checks them with errors that name the value. */
    public static final class Builder {
        private int population = 4;
        private int readyEpochs = 1;
        private Integer rounds, totalEpochs;
        private double quantile = 0.25, perturbDown = 0.8, perturbUp = 1.25, resampleProbability = 0.25;
        private PbtBounds bounds = PbtBounds.of(RepMtlSpace.paperGrid());
        private List<PbtHyperparameters> startValues;
        private RepMtlCandidate template = RepMtlCandidate.defaults();
        private SearchObjective objective = SearchObjective.DELTA_P;
        private long seed = 42;

        private Builder() {}

        /** Members (at least 2; default 4). */
        public Builder population(int p) { this.population = p; return this; }
        /** Epochs of a round, between two rankings ("ready" in the paper; at least 1; default 1). */
        public Builder readyEpochs(int k) { this.readyEpochs = k; return this; }
        /** Rounds (at least 1); or give {@link #totalEpochs}. */
        public Builder rounds(int r) { this.rounds = r; return this; }
        /** The budget of every member in epochs, a multiple of {@link #readyEpochs} (instead of {@link #rounds}). */
        public Builder totalEpochs(int e) { this.totalEpochs = e; return this; }
        /** Fraction of the population that is exploited and exploits, in (0, 0.5] (default 0.25; at least one member). */
        public Builder quantile(double q) { this.quantile = q; return this; }
        /** Explore's factors (defaults 0.8 and 1.25). */
        public Builder perturbationFactors(double down, double up) { this.perturbDown = down; this.perturbUp = up; return this; }
        /** Probability that explore draws a hyperparameter anew from its bounds instead of perturbing it (default 0.25). */
        public Builder resampleProbability(double p) { this.resampleProbability = p; return this; }
        /** Bounds of every hyperparameter (default: {@link RepMtlSpace#paperGrid()}'s, lambdas in [0.7, 1.5], tau 0.5). */
        public Builder bounds(PbtBounds b) { this.bounds = b; return this; }

        /**
         * Bounds from a search space's {@code lambdaTsr}, {@code lambdaCsa}, {@code tau} ({@link PbtBounds#of}) and the
         * template from its other dimensions, which must be fixed (PBT explores only the three).
         */
        public Builder space(RepMtlSpace space) {
            Objects.requireNonNull(space, "space");
            List<String> searched = new ArrayList<>();
            for (String d : List.of("csaVariant", "logTransform", "learningRate", "strategy")) if (space.fixedValue(d).isEmpty()) searched.add(d);
            if (!searched.isEmpty())
                throw new IllegalArgumentException("population-based training explores lambdaTsr, lambdaCsa and tau only; give one value for " + searched);
            this.bounds = PbtBounds.of(space);
            this.template = new RepMtlCandidate(Double.NaN, Double.NaN, Double.NaN, (io.github.repmtl.samediff.regularizer.CsaVariant) space.fixedValue("csaVariant").get(),
                    (Boolean) space.fixedValue("logTransform").get(), (Double) space.fixedValue("learningRate").get(), (String) space.fixedValue("strategy").get());
            return this;
        }

        /** Start values of every member, in member order (default: drawn from the bounds). */
        public Builder startValues(List<PbtHyperparameters> values) { this.startValues = values == null ? null : List.copyOf(values); return this; }
        /** CSA variant, log transform, learning rate and strategy of every member (its lambdas and tau are not used). */
        public Builder template(RepMtlCandidate t) { this.template = t; return this; }
        /** What members are ranked by, on the validation split (default DELTA_P, which needs baselines). */
        public Builder objective(SearchObjective o) { this.objective = o; return this; }
        /** The objective by name: {@code delta-p} or {@code validation-loss}. */
        public Builder objective(String name) { this.objective = SearchObjective.parse(name); return this; }
        public Builder seed(long s) { this.seed = s; return this; }

        public PbtConfig build() {
            if (population < 2) throw new IllegalArgumentException("population must be >= 2 (members exploit each other), got " + population);
            if (readyEpochs < 1) throw new IllegalArgumentException("readyEpochs must be >= 1, got " + readyEpochs);
            int r;
            if (rounds != null && totalEpochs != null) throw new IllegalArgumentException("give either rounds or totalEpochs, not both");
            if (totalEpochs != null) {
                if (totalEpochs < readyEpochs || totalEpochs % readyEpochs != 0)
                    throw new IllegalArgumentException("totalEpochs must be a positive multiple of readyEpochs " + readyEpochs + ", got " + totalEpochs);
                r = totalEpochs / readyEpochs;
            } else {
                r = rounds == null ? 4 : rounds;
                if (r < 1) throw new IllegalArgumentException("rounds must be >= 1, got " + r);
            }
            if (!(quantile > 0 && quantile <= 0.5)) throw new IllegalArgumentException("quantile must be in (0, 0.5], got " + quantile);
            if (!(perturbDown > 0 && perturbDown < 1)) throw new IllegalArgumentException("the down perturbation factor must be in (0, 1), got " + perturbDown);
            if (!(perturbUp > 1) || !Double.isFinite(perturbUp)) throw new IllegalArgumentException("the up perturbation factor must be finite and > 1, got " + perturbUp);
            if (!(resampleProbability >= 0 && resampleProbability <= 1))
                throw new IllegalArgumentException("resampleProbability must be in [0, 1], got " + resampleProbability);
            if (objective == null) throw new IllegalArgumentException("objective is null; valid: delta-p, validation-loss");
            Objects.requireNonNull(bounds, "bounds");
            if (template == null) throw new IllegalArgumentException("template is null");
            RepMtlCandidate t = new RepMtlCandidate(0.9, 0.9, 0.5, template.csaVariant(), template.logTransform(), template.learningRate(), template.strategy())
                    .validate();
            String strategy = Strategies.descriptor(t.strategy()).name();
            t = new RepMtlCandidate(Double.NaN, Double.NaN, Double.NaN, t.csaVariant(), t.logTransform(), t.learningRate(), strategy);
            if (startValues != null) {
                if (startValues.size() != population)
                    throw new IllegalArgumentException("give start values for all " + population + " members, got " + startValues.size());
                for (int i = 0; i < startValues.size(); i++) {
                    if (startValues.get(i) == null) throw new IllegalArgumentException("start values of member " + i + " are null");
                    bounds.check(startValues.get(i), "start values of member " + i);
                }
            }
            return new PbtConfig(population, readyEpochs, r, quantile, perturbDown, perturbUp, resampleProbability, bounds, startValues, t, objective, seed);
        }
    }
}
