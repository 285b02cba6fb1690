package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.model.MultiTaskModel;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class RepMtlSearchTest {
    private static final RepMtlSpace RANDOM_SPACE = RepMtlSpace.builder().lambdaTsrRange(0.5, 1.5).lambdaCsaRange(0.5, 1.5).build();

    private static Supplier<MultiTaskModel> counting(AtomicInteger calls) {
        return () -> {
            calls.incrementAndGet();
            return TinyMultiTask.model();
        };
    }

    private static RepMtlSearch.Builder randomSearch(Path dir, AtomicInteger calls, long seed, int maxCandidates) {
        return RepMtlSearch.builder().modelFactory(counting(calls)).data(TinyMultiTask.searchData()).baselines(TinyMultiTask.baselines())
                .space(RANDOM_SPACE).generator(SearchGenerator.RANDOM).maxCandidates(maxCandidates).epochsPerCandidate(1)
                .optimizer(lr -> io.github.repmtl.samediff.train.Optimizer.adam(0.05)).seed(seed).outputDir(dir);
    }

    @Test
    void killedSearchResumesWithoutRetrainingOrLosingResults(@TempDir Path dir) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        SearchResult first = randomSearch(dir, calls, 11, 2).build().run();
        assertEquals(2, calls.get());
        assertEquals(2, first.records().size());
        assertEquals(3, Files.readAllLines(first.csvFile()).size(), "header + one row per candidate");
        for (CandidateRecord r : first.records()) {
            assertTrue(r.isCompleted(), r.toString());
            double expected = (r.metrics().get("a").get("accuracy") - 50) / 50 * 100 / 2 + (r.metrics().get("b").get("accuracy") - 50) / 50 * 100 / 2;
            assertEquals(expected, r.score(), 1e-9, "score is Delta-p_task of the selected validation epoch");
            assertEquals(r.deltaPTask(), r.score(), 1e-12);
            assertTrue(r.validationLoss() > 0, "validation loss recorded");
        }
        // a kill during a write leaves only a temporary file behind
        Path partial = dir.resolve("candidates").resolve("candidate-00002.json.tmp");
        Files.writeString(partial, "{\"index\": 2, \"sta");

        SearchResult resumed = randomSearch(dir, calls, 11, 4).build().run();
        assertEquals(4, calls.get(), "the two recorded candidates were skipped, two new ones trained");
        assertEquals(4, resumed.records().size());
        assertEquals(first.records(), resumed.records().subList(0, 2), "earlier results are kept exactly");
        assertFalse(Files.exists(partial), "the interrupted write is cleaned up");
        assertEquals(5, Files.readAllLines(resumed.csvFile()).size());

        CandidateGenerator fresh = CandidateGenerators.create(SearchGenerator.RANDOM, RANDOM_SPACE, 11, 5, 10, new RepMtlScoreFunction(SearchObjective.DELTA_P));
        for (CandidateRecord r : resumed.records()) {
            Candidate c = fresh.getCandidate();
            assertEquals(c.getValue(), r.candidate(), "candidate " + r.index() + " follows the seeded sequence");
        }

        CandidateRecord best = resumed.best().orElseThrow();
        for (CandidateRecord r : resumed.records()) assertTrue(best.score() >= r.score());
        assertEquals(best.candidate(), RepMtlCandidate.load(resumed.bestConfigFile()), "the best configuration loads back");
        String summary = resumed.summary(3);
        assertTrue(summary.contains("4 completed, 0 failed") && summary.lines().count() == 5, summary);
        assertTrue(Files.readString(dir.resolve("summary.txt")).contains("Best 4 of 4 candidates by DELTA_P"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> randomSearch(dir, calls, 12, 5).build().run());
        assertTrue(e.getMessage().contains("seed: recorded 11, now 12"), e.getMessage());
        Path record0 = resumed.recordFile(0);
        Files.writeString(record0, Files.readString(record0).replace(Double.toString(first.records().get(0).candidate().lambdaTsr()), "0.125"));
        IllegalStateException edited = assertThrows(IllegalStateException.class, () -> randomSearch(dir, calls, 11, 5).build().run());
        assertTrue(edited.getMessage().contains("candidate 0 was") && edited.getMessage().contains(record0.toString()), edited.getMessage());
        assertEquals(4, calls.get(), "nothing was trained by the refused runs");
    }

    @Test
    void failingCandidatesAreRecordedAndTheSearchContinues(@TempDir Path dir) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Supplier<MultiTaskModel> secondCallExplodes = () -> {
            if (calls.incrementAndGet() == 1) throw new IllegalStateException("model factory exploded");
            return TinyMultiTask.model();
        };
        RepMtlSpace space = RepMtlSpace.builder().lambdaTsr(new DiscreteParameterSpace<>(-1.0, 0.9, 1.1)).build();
        SearchResult r = RepMtlSearch.builder().modelFactory(secondCallExplodes).data(TinyMultiTask.searchData())
                .objective(SearchObjective.VALIDATION_LOSS).space(space).generator(SearchGenerator.GRID).outputDir(dir).build().run();

        assertEquals(3, r.records().size(), "the grid runs to its end");
        CandidateRecord invalid = r.records().get(0), exploded = r.records().get(1), ok = r.records().get(2);
        assertEquals(CandidateRecord.Status.FAILED, invalid.status());
        assertTrue(invalid.error().contains("lambdaTsr must be finite and >= 0, got -1.0"), invalid.error());
        assertNull(invalid.score());
        assertEquals(CandidateRecord.Status.FAILED, exploded.status());
        assertTrue(exploded.error().contains("model factory exploded") && exploded.stackTrace().contains("RepMtlSearchTest"), exploded.error());
        assertEquals(CandidateRecord.Status.COMPLETED, ok.status());
        assertEquals(1.1, ok.candidate().lambdaTsr());
        assertEquals(ok.validationLosses().get("a") + ok.validationLosses().get("b"), ok.score(), 1e-12);
        assertTrue(ok.score() > 0.1 && ok.score() < 10, "plausible cross-entropy sum " + ok.score());
        assertNull(ok.deltaPTask(), "no Delta-p without baselines");
        assertEquals(ok, r.best().orElseThrow());
        assertEquals(1, r.completedCount());
        assertEquals(2, r.failedCount());

        List<String> csv = Files.readAllLines(r.csvFile());
        assertEquals(4, csv.size());
        assertTrue(csv.get(1).startsWith("0,FAILED,,-1.0,0.9,") && csv.get(1).contains("lambdaTsr must be"), csv.get(1));
        assertTrue(csv.get(3).startsWith("2,COMPLETED," + ok.score() + ",1.1,"), csv.get(3));
        assertEquals(ok.candidate(), RepMtlCandidate.load(r.bestConfigFile()));
        assertEquals(Map.of("a", ok.validationLosses().get("a"), "b", ok.validationLosses().get("b")),
                CandidateRecord.fromJson(Files.readString(r.recordFile(2)), "record").validationLosses());
    }

    @Test
    void geneticSearchBreedsFromScoredCandidates(@TempDir Path dir) {
        SearchResult r = RepMtlSearch.builder().modelFactory(TinyMultiTask::model).data(TinyMultiTask.searchData())
                .objective(SearchObjective.VALIDATION_LOSS).space(RANDOM_SPACE).generator(SearchGenerator.GENETIC).populationSize(3)
                .maxCandidates(3).maxStepsPerEpoch(2).seed(5).outputDir(dir).build().run();
        assertEquals(3, r.records().size());
        assertTrue(r.records().stream().allMatch(CandidateRecord::isCompleted));
        RepMtlCandidate p0 = r.records().get(0).candidate(), p1 = r.records().get(1).candidate(), child = r.records().get(2).candidate();
        assertTrue(List.of(p0.lambdaTsr(), p1.lambdaTsr()).contains(child.lambdaTsr()), "crossover of " + p0 + " and " + p1 + ": " + child);
        assertTrue(List.of(p0.lambdaCsa(), p1.lambdaCsa()).contains(child.lambdaCsa()), "crossover of " + p0 + " and " + p1 + ": " + child);
        assertTrue(!child.equals(p0) && !child.equals(p1), "the child is a new candidate");
    }

    @Test
    void wallTimeEndsAnOpenEndedSearch(@TempDir Path dir) {
        long start = System.nanoTime();
        SearchResult r = RepMtlSearch.builder().modelFactory(TinyMultiTask::model).data(TinyMultiTask.searchData())
                .objective(SearchObjective.VALIDATION_LOSS).space(RANDOM_SPACE).generator(SearchGenerator.RANDOM)
                .maxTime(Duration.ofSeconds(2)).outputDir(dir).build().run();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(r.records().size() >= 1, "at least one candidate ran in 2 s");
        assertTrue(seconds < 2 + 15, "stopped soon after the limit: " + seconds + " s");
        assertTrue(r.records().stream().allMatch(CandidateRecord::isCompleted));
    }

    @Test
    void settingsAreCheckedBeforeAnythingRuns(@TempDir Path dir) {
        RepMtlSearch.Builder noBaselines = RepMtlSearch.builder().modelFactory(TinyMultiTask::model).data(TinyMultiTask.searchData()).outputDir(dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, noBaselines::build);
        assertTrue(e.getMessage().contains("baselines"), e.getMessage());
        RepMtlSearch.Builder unbounded = noBaselines.objective(SearchObjective.VALIDATION_LOSS).generator(SearchGenerator.GENETIC);
        e = assertThrows(IllegalArgumentException.class, unbounded::build);
        assertTrue(e.getMessage().contains("maxCandidates") && e.getMessage().contains("maxTime"), e.getMessage());
    }
}
