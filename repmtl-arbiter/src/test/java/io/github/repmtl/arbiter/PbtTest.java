package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;
import io.github.repmtl.samediff.regularizer.RepMtlSchedule;
import io.github.repmtl.samediff.train.Checkpoint;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.TrainerState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Population-based training on {@link TinyMultiTask} (3 members, 3 rounds of 1 epoch): determinism, exploit through
 * checkpoint files, explore within bounds, resume after a kill, bad input.
 */
@Timeout(240)
class PbtTest {
    private static final RepMtlSpace SPACE = RepMtlSpace.builder().lambdaTsrRange(0.2, 2.0).lambdaCsaLogRange(0.1, 2.0).tauRange(0.2, 1.0).build();
    private static final List<String> OUTPUTS = List.of(PbtState.FILE, PbtLineage.SCHEDULES_FILE, PbtLineage.LINEAGE_FILE,
            PbtResult.BEST_SCHEDULE_FILE, RepMtlCandidate.BEST_CONFIG_FILE, SearchManifest.FILE);
    private static final int ROUNDS = 3;

    @TempDir
    static Path shared;
    /** The uninterrupted run every other run is compared with. */
    private static PbtResult reference;

    /** Thrown by a hook: the run stops there as if killed. */
    private static final class Killed extends RuntimeException {
        Killed() { super("simulated kill"); }
    }

    private static PbtConfig.Builder config(int rounds) {
        return PbtConfig.builder().population(3).readyEpochs(1).rounds(rounds).space(SPACE).objective(SearchObjective.VALIDATION_LOSS).seed(7);
    }

    private static final java.util.function.DoubleFunction<Optimizer> ADAM = lr -> Optimizer.adam(0.05);

    private static PbtRun.Builder run(Path dir, PbtConfig cfg) {
        return PbtRun.builder().modelFactory(TinyMultiTask::model).data(TinyMultiTask.searchData()).config(cfg).optimizer(ADAM).outputDir(dir);
    }

    private static PbtRun.Builder killedAt(Path dir, int rounds, PbtRun.Point point, int round, int member) {
        return run(dir, config(rounds).build()).hook((p, r, m) -> {
            if (p == point && r == round && m == member) throw new Killed();
        });
    }

    @BeforeAll
    static void uninterruptedRun() {
        reference = run(shared.resolve("reference"), config(ROUNDS).build()).build().run();
    }

    private static void assertSameOutputs(Path expected, Path actual) throws Exception {
        for (String f : OUTPUTS)
            assertEquals(Files.readString(expected.resolve(f)), Files.readString(actual.resolve(f)), f + " differs between " + expected + " and " + actual);
        assertSameWeights(MultiTaskModelFiles.load(expected.resolve(PbtResult.MODEL_DIRECTORY)),
                MultiTaskModelFiles.load(actual.resolve(PbtResult.MODEL_DIRECTORY)), "best model");
    }

    private static void assertSameWeights(MultiTaskModel a, MultiTaskModel b, String what) {
        int n = 0;
        for (SDVariable v : a.sameDiff().variables()) {
            if (v.getVariableType() != VariableType.VARIABLE) continue;
            assertArrayEquals(v.getArr().data().asDouble(), b.sameDiff().getVariable(v.name()).getArr().data().asDouble(), what + ": " + v.name());
            n++;
        }
        assertEquals(6, n, "weights compared");
    }

    private static void assertSameArrays(Map<String, INDArray> a, Map<String, INDArray> b, String what) {
        assertEquals(a.keySet(), b.keySet(), what);
        a.forEach((k, v) -> assertArrayEquals(v.data().asDouble(), b.get(k).data().asDouble(), what + " " + k));
    }

    private static PbtMemberTrainer memberTrainer(PbtConfig cfg) {
        return new PbtMemberTrainer(TinyMultiTask::model, TinyMultiTask.searchData(), null, ADAM, b -> b, null, cfg);
    }

    /** A trainer restored from {@code checkpoints} (nothing left to train up to {@code epochs}): its state. */
    private static TrainerState restored(PbtConfig cfg, Path checkpoints, RepMtlSchedule schedule, int epochs) throws Exception {
        Nd4j.getRandom().setSeed(cfg.seed());
        MultiTaskModel model = TinyMultiTask.model();
        try (CandidateData d = TinyMultiTask.searchData().create()) {
            MultiTaskTrainer t = memberTrainer(cfg).trainer(model, d, checkpoints, schedule, epochs).build();
            t.fit();
            return t.state();
        }
    }

    @Test
    void sameSeedGivesTheSameSchedulesLineageAndWeightsAndTheBestScheduleReplaysTheBestModel(@TempDir Path dir) throws Exception {
        PbtResult again = run(dir.resolve("again"), config(ROUNDS).build()).build().run();
        assertSameOutputs(reference.outputDir(), again.outputDir());
        assertEquals(reference.members(), again.members());

        List<String> lineage = Files.readAllLines(reference.lineageFile());
        assertEquals(1 + ROUNDS * 3, lineage.size(), "header + a row per round and member");
        long exploits = reference.members().stream().flatMap(m -> m.rounds().stream()).filter(r -> r.exploitedFrom() != null).count();
        assertEquals(ROUNDS - 1, exploits, "one member (quantile 0.25 of 3, at least one) copies after every round but the last");
        assertEquals(1 + 3 * ROUNDS, Files.readAllLines(reference.schedulesFile()).size(), "header + a row per member and epoch");
        assertEquals(reference.bestSchedule(), RepMtlSchedule.load(reference.bestScheduleFile()));
        RepMtlCandidate best = RepMtlCandidate.load(reference.bestConfigFile());
        assertEquals(PbtHyperparameters.of(reference.bestSchedule().at(ROUNDS - 1)), new PbtHyperparameters(best.lambdaTsr(), best.lambdaCsa(), best.tau()));

        // every member starts from the same weights, seed and data order, so training from scratch with the best member's
        // schedule (best-schedule.json, what repmtl train --lambda-schedule replays) gives its model bit for bit
        PbtConfig cfg = config(ROUNDS).build();
        Nd4j.getRandom().setSeed(cfg.seed());
        MultiTaskModel replay = TinyMultiTask.model();
        try (CandidateData d = TinyMultiTask.searchData().create()) {
            memberTrainer(cfg).trainer(replay, d, dir.resolve("replay"), RepMtlSchedule.load(reference.bestScheduleFile()), ROUNDS).build().fit();
        }
        assertSameWeights(MultiTaskModelFiles.load(reference.modelDir()), replay, "replayed best schedule");
        assertNotEquals(PbtExplorer.startValues(cfg), PbtExplorer.startValues(config(ROUNDS).seed(8).build()), "another seed, other start values");
    }

    @Test
    void anExploitCopiesTheSourcesCheckpointFileAndContinuesFromItsState(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("pbt");
        assertThrows(Killed.class, () -> killedAt(out, ROUNDS, PbtRun.Point.COPIED, 0, 2).build().run());
        PbtState state = PbtState.load(out).orElseThrow();
        assertEquals(1, state.pendingCopies().size(), "killed after the copy, before it was recorded");
        PbtState.PendingCopy copy = state.pendingCopies().get(0);
        assertEquals(2, copy.member(), "the worst member of round 0 copies");
        Path source = PbtMemberTrainer.checkpointDir(out, copy.source()), target = PbtMemberTrainer.checkpointDir(out, copy.member());
        assertEquals(List.of(target.resolve(Checkpoint.fileName(0))), Checkpoint.list(target), "the copy replaced the member's own checkpoints");
        assertArrayEquals(Files.readAllBytes(source.resolve(copy.file())), Files.readAllBytes(target.resolve(copy.file())), "byte for byte");

        PbtConfig cfg = config(ROUNDS).build();
        PbtMember copier = state.member(copy.member()), src = state.member(copy.source());
        assertEquals(src.schedule().upTo(0), copier.schedule().upTo(0), "the copier's history is the source's");
        assertEquals(copier.rounds().get(0).next(), copier.at(1), "and then its explored values");
        TrainerState a = restored(cfg, source, src.schedule(), 1), b = restored(cfg, target, copier.schedule(), 1);
        assertSameArrays(a.parameters(), b.parameters(), "parameters");
        assertSameArrays(a.statistics(), b.statistics(), "running statistics");
        assertSameArrays(a.optimizer(), b.optimizer(), "optimizer state");
        assertEquals(a.optimizerSteps(), b.optimizerSteps());
        assertEquals(a.strategy(), b.strategy());
        assertEquals(a.step(), b.step());
        assertTrue(a.step() > 0);
    }

    @Test
    void aRunKilledAnywhereAndResumedEndsEqualToAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("killed");
        assertThrows(Killed.class, () -> killedAt(out, ROUNDS, PbtRun.Point.MEMBER_TRAINED, 1, 1).build().run());   // in round 1's training
        assertEquals(1, PbtState.load(out).orElseThrow().completedRounds());
        assertThrows(Killed.class, () -> killedAt(out, ROUNDS, PbtRun.Point.DECIDED, 1, -1).build().run());        // copies decided, none made
        PbtState pending = PbtState.load(out).orElseThrow();
        assertEquals(2, pending.completedRounds());
        assertFalse(pending.pendingCopies().isEmpty());
        PbtResult resumed = run(out, config(ROUNDS).build()).build().run();
        assertSameOutputs(reference.outputDir(), resumed.outputDir());

        Path shorter = dir.resolve("shorter");                                    // stopped after round 0, resumed with more rounds
        PbtResult one = run(shorter, config(1).build()).build().run();
        assertEquals(1, one.best().rounds().size());
        assertTrue(Files.isDirectory(one.modelDir()));
        assertSameOutputs(reference.outputDir(), run(shorter, config(ROUNDS).build()).build().run().outputDir());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(shorter, config(2).build()).build().run());
        assertTrue(e.getMessage().contains("holds a population-based training of 3 rounds (3 completed): resume it with at least 3 rounds"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run(shorter, config(ROUNDS).seed(8).build()).build().run());
        assertTrue(e.getMessage().contains("seed: recorded 7, now 8"), e.getMessage());
    }

    @Test
    void exploredValuesStayInTheirBounds() {
        int exploits = 0;
        for (long seed = 0; seed < 400; seed++) {
            Random r = new Random(seed);
            ParameterRange tsr = range(r, false), csa = range(r, r.nextBoolean()), tau = r.nextInt(4) == 0 ? ParameterRange.fixed(0.5) : range(r, r.nextBoolean());
            int population = 2 + r.nextInt(9);
            double resample = r.nextInt(3) == 0 ? 0 : r.nextDouble();
            PbtConfig cfg = PbtConfig.builder().population(population).bounds(new PbtBounds(tsr, csa, tau)).quantile(0.05 + 0.45 * r.nextDouble())
                    .resampleProbability(resample).perturbationFactors(0.5 + 0.49 * r.nextDouble(), 1.01 + r.nextDouble()).seed(seed)
                    .objective(r.nextBoolean() ? SearchObjective.DELTA_P : SearchObjective.VALIDATION_LOSS).build();
            List<PbtHyperparameters> current = PbtExplorer.startValues(cfg);
            double[] objectives = new double[population];
            for (int i = 0; i < population; i++) objectives[i] = r.nextInt(8) == 0 ? Double.NaN : r.nextInt(3) - r.nextGaussian();
            if (java.util.Arrays.stream(objectives).allMatch(Double::isNaN)) objectives[0] = 1;
            for (int round = 0; round < 3; round++) {
                long where = seed;
                current.forEach(h -> assertTrue(cfg.bounds().contains(h), "seed " + where + ": " + h + " outside " + cfg.bounds()));
                List<PbtExplorer.Exploit> decided = PbtExplorer.decide(cfg, round, objectives, current.toArray(new PbtHyperparameters[0]));
                assertEquals(decided, PbtExplorer.decide(cfg, round, objectives, current.toArray(new PbtHyperparameters[0])), "deterministic");
                List<Integer> ranking = PbtExplorer.ranking(objectives, cfg.objective().minimize());
                Set<Integer> top = new HashSet<>(ranking.subList(0, cfg.quantileSize()));
                Set<Integer> copiers = new HashSet<>();
                for (PbtExplorer.Exploit x : decided) {
                    copiers.add(x.member());
                    assertTrue(top.contains(x.source()) && !Double.isNaN(objectives[x.source()]), "seed " + seed + ": source " + x.source() + " is a top member");
                    assertTrue(cfg.bounds().contains(x.next()), "seed " + seed + ": explored " + x.next() + " outside " + cfg.bounds());
                    if (tau.isFixed()) assertEquals(0.5, x.next().tau());
                    if (resample == 0) {
                        PbtHyperparameters s = current.get(x.source());
                        assertTrue(perturbed(cfg, s.lambdaTsr(), x.next().lambdaTsr(), tsr) && perturbed(cfg, s.lambdaCsa(), x.next().lambdaCsa(), csa),
                                "seed " + seed + ": " + s + " -> " + x.next());
                    }
                    current.set(x.member(), x.next());
                    exploits++;
                }
                assertTrue(copiers.containsAll(ranking.subList(population - cfg.quantileSize(), population)), "the bottom quantile copies");
                for (int i = 0; i < population; i++) if (Double.isNaN(objectives[i])) assertTrue(copiers.contains(i), "a failed member copies");
                for (int i = 0; i < population; i++) objectives[i] = r.nextGaussian();
            }
        }
        assertTrue(exploits > 1000, "exploits checked: " + exploits);
    }

    private static ParameterRange range(Random r, boolean log) {
        double min = log ? 0.01 + r.nextDouble() : r.nextDouble(), max = min + 0.01 + 3 * r.nextDouble();
        return new ParameterRange(min, max, log);
    }

    private static boolean perturbed(PbtConfig cfg, double from, double to, ParameterRange range) {
        return to == range.clip(from * cfg.perturbDown()) || to == range.clip(from * cfg.perturbUp());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(expected), x.getMessage());
    }

    @Test
    void badInputIsRejectedWithErrorsThatNameTheValue(@TempDir Path dir) {
        assertMessage("population must be >= 2 (members exploit each other), got 1", () -> config(2).population(1).build());
        assertMessage("readyEpochs must be >= 1, got 0", () -> config(2).readyEpochs(0).build());
        assertMessage("rounds must be >= 1, got 0", () -> config(0).build());
        assertMessage("totalEpochs must be a positive multiple of readyEpochs 2, got 5", () -> PbtConfig.builder().readyEpochs(2).totalEpochs(5).build());
        assertEquals(3, PbtConfig.builder().readyEpochs(2).totalEpochs(6).build().rounds());
        assertMessage("unknown objective 'accuracy'; valid: delta-p, validation-loss", () -> config(2).objective("accuracy"));
        assertEquals(SearchObjective.VALIDATION_LOSS, config(2).objective("validation-loss").build().objective());
        assertMessage("quantile must be in (0, 0.5], got 0.75", () -> config(2).quantile(0.75).build());
        assertMessage("resampleProbability must be in [0, 1], got 1.5", () -> config(2).resampleProbability(1.5).build());
        assertMessage("start values of member 1: lambdaTsr 3.0 lies outside its bounds [0.2, 2.0]", () -> config(2).startValues(List.of(
                new PbtHyperparameters(1, 1, 0.5), new PbtHyperparameters(3, 1, 0.5), new PbtHyperparameters(1, 1, 0.5))).build());
        assertMessage("start values of member 0: tau 0.5 lies outside its bounds 0.25", () -> PbtConfig.builder().population(2)
                .space(RepMtlSpace.builder().tau(0.25).build()).startValues(List.of(new PbtHyperparameters(0.9, 0.9, 0.5), new PbtHyperparameters(0.9, 0.9, 0.25))).build());
        assertMessage("give start values for all 3 members, got 1", () -> config(2).startValues(List.of(new PbtHyperparameters(1, 1, 0.5))).build());
        assertMessage("explores lambdaTsr, lambdaCsa and tau only; give one value for [learningRate]",
                () -> config(2).space(RepMtlSpace.builder().learningRate(1e-3, 1e-2).build()));
        assertMessage("needs bounds for lambdaCsa", () -> config(2).space(RepMtlSpace.builder()
                .lambdaCsa(new org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace(0, 1)).build()));
        assertMessage("objective DELTA_P needs single-task baselines", () -> run(dir, config(2).objective(SearchObjective.DELTA_P).build()).build());
        assertMessage("a log range needs min > 0", () -> new ParameterRange(0, 1, true));
    }
}
