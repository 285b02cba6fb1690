package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.ModelSelection;
import io.github.repmtl.samediff.train.Optimizer;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxTimeCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.TerminationCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Hyperparameter search of Rep-MTL ({@code lambda_tsr}, {@code lambda_csa}, {@code tau}, CSA variant, log
 * transform, optionally learning rate and loss-weighting strategy) with Arbiter: candidates come from Arbiter's
 * random, grid or genetic generator over a {@link RepMtlSpace}, each is trained from scratch with the project's
 * trainer for a fixed number of epochs and scored on the VALIDATION split only ({@link SearchObjective}).
 *
 * <pre>{@code
 * SearchResult r = RepMtlSearch.builder()
 *         .modelFactory(() -> myModel())                 // a fresh MultiTaskModel per candidate (zoo or own graph)
 *         .data(SearchData.fromSplits(split -> dataset.iterator(split, 64, split == Split.TRAIN)))
 *         .baselines(Baselines.load(Path.of("stl.json")))
 *         .space(RepMtlSpace.paperGrid()).generator(SearchGenerator.GRID)
 *         .epochsPerCandidate(5).seed(1).outputDir(Path.of("search-out"))
 *         .build().run();
 * System.out.println(r.summary(5));                       // best-config.json is in search-out/
 * }</pre>
 *
 * <p>Output directory: {@code candidates/candidate-NNNNN.json} (one record per candidate), {@code results.csv},
 * {@code summary.txt}, {@value RepMtlCandidate#BEST_CONFIG_FILE} and {@code search.json} (the settings). All are
 * written atomically after every candidate. Running again with the same directory and settings resumes: recorded
 * candidates are replayed without training (the generator is deterministic given the seed), so the candidate
 * limit counts them too. A candidate that throws is recorded as failed and the search continues. The wall-time
 * limit stops proposing new candidates; a candidate already training finishes. Candidates run one at a time.
 */
public final class RepMtlSearch {
    private static final Logger log = LoggerFactory.getLogger(RepMtlSearch.class);
    private static final int MANIFEST_FORMAT = 1;

    private final Builder cfg;

    private RepMtlSearch(Builder cfg) { this.cfg = cfg; }

    public static Builder builder() { return new Builder(); }

    /** Runs (or resumes) the search until a limit is reached or the generator is exhausted. */
    public SearchResult run() {
        try {
            Files.createDirectories(cfg.outputDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create output directory " + cfg.outputDir + ": " + e.getMessage(), e);
        }
        SearchManifest.writeOrVerify(cfg.outputDir, manifest());
        ResultStore store = ResultStore.open(cfg.outputDir, cfg.objective);
        RepMtlScoreFunction score = new RepMtlScoreFunction(cfg.objective);
        CandidateGenerator generator = CandidateGenerators.create(cfg.generator, cfg.space, cfg.seed, cfg.gridPoints, cfg.populationSize, score);
        List<TerminationCondition> conditions = new ArrayList<>(List.of(new GeneratorExhaustedCondition()));
        if (cfg.maxCandidates != null) conditions.add(new MaxCandidatesCondition(cfg.maxCandidates));
        if (cfg.maxTime != null) conditions.add(new MaxTimeCondition(cfg.maxTime.toMillis(), TimeUnit.MILLISECONDS));
        OptimizationConfiguration config = new OptimizationConfiguration.Builder()
                .candidateGenerator(generator).scoreFunction(score).terminationConditions(conditions).build();
        CandidateTrainer trainer = new CandidateTrainer(cfg.models, cfg.data, cfg.baselines, cfg.epochs, cfg.maxStepsPerEpoch, cfg.optimizer,
                cfg.selection, cfg.repMtlSetup, cfg.seed);
        LocalOptimizationRunner runner = new LocalOptimizationRunner(1, config, new RepMtlTaskCreator(store, trainer, score));
        cfg.listeners.forEach(runner::addListeners);
        log.info("{} search of {} by {} into {} (limits: {} candidates, {} wall time)", cfg.generator, cfg.space, cfg.objective, cfg.outputDir,
                cfg.maxCandidates == null ? "no" : cfg.maxCandidates, cfg.maxTime == null ? "no" : cfg.maxTime);
        try {
            runner.execute();
        } catch (RuntimeException e) {
            runner.shutdown(false);
            throw e;
        }
        SearchResult result = store.result();
        log.info("search finished in {}{}{}", cfg.outputDir, System.lineSeparator(), result.summary(5));
        return result;
    }

    /** The settings that fix the candidate sequence and the scores (see {@link SearchManifest}). */
    private Map<String, Object> manifest() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", MANIFEST_FORMAT);
        m.put("generator", cfg.generator.name());
        m.put("seed", cfg.seed);
        m.put("objective", cfg.objective.name());
        m.put("epochsPerCandidate", cfg.epochs);
        if (cfg.maxStepsPerEpoch != null) m.put("maxStepsPerEpoch", cfg.maxStepsPerEpoch);
        m.put("space", cfg.space.describe());
        if (cfg.generator == SearchGenerator.GRID) m.put("gridPoints", cfg.gridPoints);
        if (cfg.generator == SearchGenerator.GENETIC) m.put("populationSize", cfg.populationSize);
        m.put("optimizerAtUnitLearningRate", cfg.optimizer.apply(1.0).toString());
        m.put("selection", cfg.selection.toString());
        m.put("baselines", cfg.baselines == null ? null : sorted(cfg.baselines));
        return m;
    }

    /** Baseline values sorted by task and metric, so the description does not depend on map iteration order. */
    private static Map<String, Map<String, Double>> sorted(Baselines baselines) {
        Map<String, Map<String, Double>> values = new TreeMap<>();
        for (String task : baselines.tasks()) values.put(task, new TreeMap<>(baselines.metrics(task)));
        return values;
    }

    /** Settings of a {@link RepMtlSearch}; {@link #build()} checks them. */
    public static final class Builder {
        private Supplier<MultiTaskModel> models;
        private SearchData data;
        private Baselines baselines;
        private SearchObjective objective = SearchObjective.DELTA_P;
        private RepMtlSpace space = RepMtlSpace.paperGrid();
        private SearchGenerator generator = SearchGenerator.GRID;
        private int gridPoints = 5;
        private int populationSize = 10;
        private Integer maxCandidates;
        private Duration maxTime;
        private int epochs = 1;
        private Integer maxStepsPerEpoch;
        private DoubleFunction<Optimizer> optimizer = Optimizer::adam;
        private ModelSelection selection = ModelSelection.bestDeltaP();
        private UnaryOperator<RepMtl.Builder> repMtlSetup = UnaryOperator.identity();
        private long seed = 42;
        private Path outputDir;
        private final List<StatusListener> listeners = new ArrayList<>();

        private Builder() {}

        /**
         * A new, untrained model per call (Rep-MTL mutates the graph it attaches to): a zoo model or the user's
         * own graph. The ND4J random generator is seeded with the search seed before each call.
         */
        public Builder modelFactory(Supplier<MultiTaskModel> factory) { this.models = factory; return this; }

        /** Fresh training and validation iterators per candidate. */
        public Builder data(SearchData data) { this.data = data; return this; }

        /** Single-task baselines of Delta-p; required by {@link SearchObjective#DELTA_P}. */
        public Builder baselines(Baselines baselines) { this.baselines = baselines; return this; }

        /** Delta-p_task against the baselines (default, maximised) or the validation loss (minimised). */
        public Builder objective(SearchObjective objective) { this.objective = objective; return this; }

        /** The parameter space (default: {@link RepMtlSpace#paperGrid()}). */
        public Builder space(RepMtlSpace space) { this.space = space; return this; }

        /** Random, grid (default) or genetic search. */
        public Builder generator(SearchGenerator generator) { this.generator = generator; return this; }

        /** Grid search: points per continuous dimension (default 5; discrete dimensions use all their values). */
        public Builder gridPoints(int points) { this.gridPoints = points; return this; }

        /** Genetic search: population size (default 10; breeding starts at two thirds of it). */
        public Builder populationSize(int size) { this.populationSize = size; return this; }

        /** Stop after this many candidates in total, counting completed and failed ones of earlier runs. */
        public Builder maxCandidates(int n) { this.maxCandidates = n; return this; }

        /** Stop proposing candidates after this wall time (measured from {@link #run()}). */
        public Builder maxTime(Duration limit) { this.maxTime = limit; return this; }

        /** Training budget of each candidate (default 1 epoch). */
        public Builder epochsPerCandidate(int epochs) { this.epochs = epochs; return this; }

        /**
         * Caps every training epoch at this many steps (batches; per task iterator in multi-input mode), so the budget
         * is {@code epochsPerCandidate x steps}; by default epochs are whole. Validation always uses the whole split.
         */
        public Builder maxStepsPerEpoch(int steps) { this.maxStepsPerEpoch = steps; return this; }

        /** The optimiser for a candidate's learning rate (default {@code Optimizer::adam}). */
        public Builder optimizer(DoubleFunction<Optimizer> forLearningRate) { this.optimizer = forLearningRate; return this; }

        /** The trainer's model selection, which decides the epoch a candidate is scored by (default best validation Delta-p). */
        public Builder selection(ModelSelection selection) { this.selection = selection; return this; }

        /** Extra Rep-MTL settings applied to every candidate, e.g. {@code b -> b.probeShape("x", 2, 3, 64, 64)}. */
        public Builder repMtlSetup(UnaryOperator<RepMtl.Builder> setup) { this.repMtlSetup = setup; return this; }

        /** Seeds the generator and every candidate's training (default 42). */
        public Builder seed(long seed) { this.seed = seed; return this; }

        /** Where results go; a directory with results of the same search is resumed. */
        public Builder outputDir(Path dir) { this.outputDir = dir; return this; }

        /** An Arbiter status listener (e.g. a UI); called for every candidate status change. */
        public Builder listener(StatusListener listener) { this.listeners.add(Objects.requireNonNull(listener, "listener")); return this; }

        public RepMtlSearch build() {
            if (models == null) throw new IllegalArgumentException("modelFactory(...) is required");
            if (data == null) throw new IllegalArgumentException("data(...) is required");
            if (outputDir == null) throw new IllegalArgumentException("outputDir(...) is required");
            Objects.requireNonNull(objective, "objective");
            Objects.requireNonNull(space, "space");
            Objects.requireNonNull(generator, "generator");
            Objects.requireNonNull(optimizer, "optimizer");
            Objects.requireNonNull(selection, "selection");
            Objects.requireNonNull(repMtlSetup, "repMtlSetup");
            if (objective == SearchObjective.DELTA_P && baselines == null)
                throw new IllegalArgumentException("objective DELTA_P needs single-task baselines: call baselines(...) or objective(VALIDATION_LOSS)");
            if (generator != SearchGenerator.GRID && maxCandidates == null && maxTime == null)
                throw new IllegalArgumentException(generator + " search never runs out of candidates: set maxCandidates(...) or maxTime(...)");
            if (maxCandidates != null && maxCandidates < 1) throw new IllegalArgumentException("maxCandidates must be >= 1, got " + maxCandidates);
            if (maxTime != null && (maxTime.isNegative() || maxTime.isZero())) throw new IllegalArgumentException("maxTime must be positive, got " + maxTime);
            if (epochs < 1) throw new IllegalArgumentException("epochsPerCandidate must be >= 1, got " + epochs);
            if (maxStepsPerEpoch != null && maxStepsPerEpoch < 1) throw new IllegalArgumentException("maxStepsPerEpoch must be >= 1, got " + maxStepsPerEpoch);
            if (gridPoints < 2) throw new IllegalArgumentException("gridPoints must be >= 2, got " + gridPoints);
            if (populationSize < 3) throw new IllegalArgumentException("populationSize must be >= 3 (two parents after culling), got " + populationSize);
            return new RepMtlSearch(this);
        }
    }
}
