package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlSchedule;
import io.github.repmtl.samediff.train.Checkpoint;
import io.github.repmtl.samediff.train.Optimizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Population-based training (Jaderberg et al. 2017) of Rep-MTL's {@code lambda_tsr}, {@code lambda_csa} and
 * {@code tau} ({@link PbtConfig}): the members train one after another in rounds of {@code readyEpochs} epochs with
 * the project's trainer, each in its own checkpoint directory and kept in memory between rounds
 * ({@link PbtMemberTrainer}: {@code population} models stay alive); after every round but the
 * last they are ranked on the validation split, and every bottom member copies the newest checkpoint file of a top
 * member into its directory, replacing its own (exploit: weights, optimiser and strategy state, step and, through the
 * epoch count, the data position, bitwise), then continues with explored hyperparameters; its schedule becomes the
 * source's up to the copied epoch followed by the new values ({@link PbtExplorer}).
 *
 * <pre>{@code
 * PbtResult r = PbtRun.builder()
 *         .modelFactory(() -> myModel()).data(SearchData.fromSplits(split -> dataset.iterator(split, 64, split == Split.TRAIN)))
 *         .baselines(stl)
 *         .config(PbtConfig.builder().population(4).readyEpochs(2).rounds(5).seed(1)
 *                 .space(RepMtlSpace.builder().lambdaTsrRange(0.3, 1.5).lambdaCsaRange(0.3, 1.5).tauRange(0.2, 1.0).build()).build())
 *         .outputDir(Path.of("pbt-out")).build().run();
 * System.out.println(r.summary());        // best-schedule.json replays with repmtl train --lambda-schedule
 * }</pre>
 *
 * <p>Output directory: {@code search.json} (the settings, checked on resume), {@value PbtState#FILE} (settings, per
 * member and round the hyperparameters, objective, rank, exploit source and next values; also the loop state),
 * {@value PbtLineage#SCHEDULES_FILE}, {@value PbtLineage#LINEAGE_FILE}, and after the last round
 * {@value PbtResult#BEST_SCHEDULE_FILE}, {@code best-config.json} and {@code model/} (the best member's model);
 * {@code members/member-NN/checkpoints/}. The state is written atomically after every round's training, after each
 * exploit decision and after its copies; a run restarted on the directory with the same settings (and at least as
 * many rounds) continues where it stopped and ends as an uninterrupted run would, file for file. With more rounds
 * than before, a finished run goes on.
 */
public final class PbtRun {
    private static final Logger log = LoggerFactory.getLogger(PbtRun.class);
    private static final int MANIFEST_FORMAT = 1;

    /** Points of the loop a test can stop at (to simulate a kill). */
    enum Point { MEMBER_TRAINED, DECIDED, COPIED }

    /** Called at every {@link Point}; {@code member} is -1 for {@link Point#DECIDED}. */
    @FunctionalInterface
    interface Hook { void at(Point point, int round, int member); }

    private final Builder b;
    private final PbtConfig cfg;
    private final Path out;
    private final PbtMemberTrainer trainer;

    private PbtRun(Builder b) {
        this.b = b;
        this.cfg = b.config;
        this.out = b.outputDir;
        this.trainer = new PbtMemberTrainer(b.models, b.data, b.baselines, b.optimizer, b.repMtlSetup, b.maxStepsPerEpoch, cfg);
    }

    public static Builder builder() { return new Builder(); }

    /** Runs (or resumes) every round, then writes the best member's model, schedule and configuration. */
    public PbtResult run() {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create output directory " + out + ": " + e.getMessage(), e);
        }
        SearchManifest.writeOrVerify(out, manifest());
        PbtState state = PbtState.load(out).orElseGet(() -> PbtState.fresh(cfg, PbtExplorer.startValues(cfg)));
        if (cfg.rounds() < state.rounds())
            throw new IllegalArgumentException(out + " holds a population-based training of " + state.rounds() + " rounds (" + state.completedRounds()
                    + " completed): resume it with at least " + state.rounds() + " rounds, or use a new output directory");
        if (state.completedRounds() > 0) log.info("{}: resuming after round {} of {}", out, state.completedRounds() - 1, cfg.rounds());
        state.extendTo(cfg);
        write(state);
        try (trainer) {
            makeCopies(state);
            while (true) {
                int done = state.completedRounds();
                if (done > 0 && !state.decided() && done < cfg.rounds()) exploitAndExplore(state, done - 1);
                if (done == cfg.rounds()) break;
                trainRound(state, done);
            }
            return finish(state);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("population-based training in " + out + ": " + e.getMessage(), e);
        }
    }

    private void trainRound(PbtState state, int round) {
        int epochs = (round + 1) * cfg.readyEpochs();
        double[] objectives = new double[cfg.population()];
        String[] errors = new String[cfg.population()];
        Exception firstFailure = null;
        for (int i = 0; i < cfg.population(); i++) {
            PbtMember m = state.member(i);
            long t0 = System.nanoTime();
            try {
                objectives[i] = trainer.train(PbtMemberTrainer.checkpointDir(out, i), m.schedule(), epochs).objective();
            } catch (Exception e) {
                objectives[i] = Double.NaN;
                errors[i] = e.getClass().getSimpleName() + ": " + e.getMessage();
                if (firstFailure == null) firstFailure = e;
                log.warn("round {} member {}: training failed ({}); it will copy a better member", round, i, errors[i]);
            }
            log.info("round {} member {} {}: {} {} ({} s)", round, i, m.at(round * cfg.readyEpochs()), cfg.objective().cliName(), objectives[i],
                    String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
            b.hook.at(Point.MEMBER_TRAINED, round, i);
        }
        if (firstFailure != null && java.util.Arrays.stream(errors).allMatch(Objects::nonNull))
            throw new IllegalStateException("round " + round + ": every member's training failed; member 0: " + errors[0], firstFailure);
        List<Integer> ranking = PbtExplorer.ranking(objectives, cfg.objective().minimize());
        List<PbtRoundRecord> records = new ArrayList<>();
        for (int i = 0; i < cfg.population(); i++)
            records.add(new PbtRoundRecord(round, i, state.member(i).at(round * cfg.readyEpochs()), objectives[i], errors[i], ranking.indexOf(i) + 1, null, null));
        state.completeRound(records);
        write(state);
    }

    private void exploitAndExplore(PbtState state, int round) {
        int lastEpoch = (round + 1) * cfg.readyEpochs() - 1;
        double[] objectives = new double[cfg.population()];
        PbtHyperparameters[] current = new PbtHyperparameters[cfg.population()];
        for (int i = 0; i < cfg.population(); i++) {
            PbtRoundRecord r = state.member(i).rounds().get(round);
            objectives[i] = r.objective();
            current[i] = r.hyperparameters();
        }
        Map<Integer, PbtExplorer.Exploit> exploits = new TreeMap<>();
        for (PbtExplorer.Exploit e : PbtExplorer.decide(cfg, round, objectives, current)) exploits.put(e.member(), e);
        List<RepMtlSchedule> schedules = new ArrayList<>();
        List<PbtRoundRecord> decided = new ArrayList<>();
        List<PbtState.PendingCopy> copies = new ArrayList<>();
        for (int i = 0; i < cfg.population(); i++) {
            PbtRoundRecord r = state.member(i).rounds().get(round);
            PbtExplorer.Exploit e = exploits.get(i);
            if (e == null) {
                schedules.add(state.member(i).schedule());
                decided.add(r.decided(null, current[i]));
            } else {
                PbtHyperparameters n = e.next();
                schedules.add(state.member(e.source()).schedule().followedBy(lastEpoch + 1, n.lambdaTsr(), n.lambdaCsa(), n.tau()));
                decided.add(r.decided(e.source(), n));
                copies.add(new PbtState.PendingCopy(i, e.source(), Checkpoint.fileName(lastEpoch)));
                log.info("round {}: member {} copies member {} (epoch {}) and continues with {}", round, i, e.source(), lastEpoch, n);
            }
        }
        state.decide(schedules, decided, copies);
        write(state);
        b.hook.at(Point.DECIDED, round, -1);
        makeCopies(state);
    }

    /** Makes the pending copies (idempotent: sources are never copiers), then records that none is pending. */
    private void makeCopies(PbtState state) {
        if (state.pendingCopies().isEmpty()) return;
        int round = state.completedRounds() - 1;
        for (PbtState.PendingCopy c : state.pendingCopies()) {
            Path sourceDir = PbtMemberTrainer.checkpointDir(out, c.source()), targetDir = PbtMemberTrainer.checkpointDir(out, c.member());
            Path source = sourceDir.resolve(c.file()), target = targetDir.resolve(c.file());
            List<Path> sourceCheckpoints = Checkpoint.list(sourceDir);
            if (sourceCheckpoints.isEmpty() || !sourceCheckpoints.get(sourceCheckpoints.size() - 1).equals(source))
                throw new IllegalStateException("member " + c.member() + " is to copy " + source + ", but member " + c.source() + "'s newest checkpoint is "
                        + (sourceCheckpoints.isEmpty() ? "missing" : sourceCheckpoints.get(sourceCheckpoints.size() - 1)) + "; the output directory was changed");
            try {
                trainer.forget(targetDir);                                              // its kept trainer no longer matches the directory
                Files.createDirectories(targetDir);
                Path temp = targetDir.resolve(c.file() + AtomicFiles.TEMP_SUFFIX);
                Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                for (Path own : Checkpoint.list(targetDir)) if (!own.equals(target)) Files.delete(own);     // the member's own lineage ends here
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + source + " to " + target + ": " + e.getMessage(), e);
            } catch (Exception e) {
                throw new IllegalStateException("cannot release member " + c.member() + "'s data before the copy: " + e.getMessage(), e);
            }
            b.hook.at(Point.COPIED, round, c.member());
        }
        state.copiesDone();
        write(state);
    }

    private PbtResult finish(PbtState state) {
        PbtMember best = state.best().orElseThrow();
        int epochs = cfg.totalEpochs();
        PbtResult result = new PbtResult(out, cfg, state.members(), best.index());
        result.bestSchedule().save(result.bestScheduleFile());
        PbtHyperparameters last = best.at(epochs - 1);
        RepMtlCandidate t = cfg.template();
        new RepMtlCandidate(last.lambdaTsr(), last.lambdaCsa(), last.tau(), t.csaVariant(), t.logTransform(), t.learningRate(), t.strategy())
                .save(result.bestConfigFile());
        try {
            MultiTaskModel model = trainer.train(PbtMemberTrainer.checkpointDir(out, best.index()), best.schedule(), epochs).model();   // restores, trains nothing
            MultiTaskModelFiles.save(model, result.modelDir());
        } catch (Exception e) {
            throw new IllegalStateException("cannot restore the best member " + best.index() + " from " + result.checkpointDir(best.index()) + ": " + e.getMessage(), e);
        }
        log.info("population-based training finished in {}: best member {}, {} {}", out, best.index(), cfg.objective().cliName(), result.bestObjective());
        return result;
    }

    private void write(PbtState state) {
        state.save(out);
        int trained = state.completedRounds() * cfg.readyEpochs();
        AtomicFiles.writeString(out.resolve(PbtLineage.SCHEDULES_FILE), PbtLineage.schedules(state.members(), trained));
        AtomicFiles.writeString(out.resolve(PbtLineage.LINEAGE_FILE), PbtLineage.lineage(state.members(), state.completedRounds()));
    }

    /** The settings that fix the run (the round count may grow on resume), checked by {@link SearchManifest}. */
    private Map<String, Object> manifest() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", MANIFEST_FORMAT);
        m.put("generator", "PBT");
        m.putAll(cfg.describe(false));
        if (b.maxStepsPerEpoch != null) m.put("maxStepsPerEpoch", b.maxStepsPerEpoch);
        m.put("optimizerAtUnitLearningRate", b.optimizer.apply(1.0).toString());
        if (b.baselines != null) {
            Map<String, Map<String, Double>> values = new TreeMap<>();
            for (String task : b.baselines.tasks()) values.put(task, new TreeMap<>(b.baselines.metrics(task)));
            m.put("baselines", values);
        }
        return m;
    }

    /** Settings of a {@link PbtRun}; {@link #build()} checks them. */
    public static final class Builder {
        private Supplier<MultiTaskModel> models;
        private SearchData data;
        private Baselines baselines;
        private PbtConfig config;
        private DoubleFunction<Optimizer> optimizer = Optimizer::adam;
        private Integer maxStepsPerEpoch;
        private UnaryOperator<RepMtl.Builder> repMtlSetup = UnaryOperator.identity();
        private Path outputDir;
        private Hook hook = (p, r, m) -> { };

        private Builder() {}

        /** A new, untrained model per call: one per member, and one more after each exploit or restart (restored from its checkpoint). */
        public Builder modelFactory(Supplier<MultiTaskModel> factory) { this.models = factory; return this; }
        /** Fresh training and validation iterators per call (the same data and order for every member). */
        public Builder data(SearchData data) { this.data = data; return this; }
        /** Single-task baselines of Delta-p; required by {@link SearchObjective#DELTA_P}. */
        public Builder baselines(Baselines baselines) { this.baselines = baselines; return this; }
        public Builder config(PbtConfig config) { this.config = config; return this; }
        /** The optimiser for the template's learning rate (default {@code Optimizer::adam}); its schedule sees the member's epoch. */
        public Builder optimizer(DoubleFunction<Optimizer> forLearningRate) { this.optimizer = forLearningRate; return this; }
        /** Caps every training epoch at this many steps (default: whole epochs). */
        public Builder maxStepsPerEpoch(int steps) { this.maxStepsPerEpoch = steps; return this; }
        /** Extra Rep-MTL settings for every member, e.g. {@code b -> b.probeShape("x", 2, 3, 64, 64)}. */
        public Builder repMtlSetup(UnaryOperator<RepMtl.Builder> setup) { this.repMtlSetup = setup; return this; }
        /** Where results and member checkpoints go; a directory with the same run is resumed. */
        public Builder outputDir(Path dir) { this.outputDir = dir; return this; }
        Builder hook(Hook h) { this.hook = Objects.requireNonNull(h); return this; }

        public PbtRun build() {
            if (models == null) throw new IllegalArgumentException("modelFactory(...) is required");
            if (data == null) throw new IllegalArgumentException("data(...) is required");
            if (config == null) throw new IllegalArgumentException("config(...) is required");
            if (outputDir == null) throw new IllegalArgumentException("outputDir(...) is required");
            Objects.requireNonNull(optimizer, "optimizer");
            Objects.requireNonNull(repMtlSetup, "repMtlSetup");
            if (config.objective() == SearchObjective.DELTA_P && baselines == null)
                throw new IllegalArgumentException("objective DELTA_P needs single-task baselines: call baselines(...) or use objective VALIDATION_LOSS");
            if (maxStepsPerEpoch != null && maxStepsPerEpoch < 1) throw new IllegalArgumentException("maxStepsPerEpoch must be >= 1, got " + maxStepsPerEpoch);
            return new PbtRun(this);
        }
    }
}
