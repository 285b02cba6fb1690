package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RegularizerPlacement;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlSchedule;
import io.github.repmtl.samediff.strategy.Strategies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rep-MTL hyperparameters by epoch ({@link RepMtlSchedule}) in the trainer: applied per epoch, and resumable across runs. */
class ScheduledTrainingTest {
    private static final RepMtlSchedule SCHEDULE = new RepMtlSchedule(List.of(
            new RepMtlSchedule.Segment(0, 0.9, 1.1, 0.5), new RepMtlSchedule.Segment(2, 0.3, 1.7, 0.2)));
    private static final List<String> PARAMS = List.of("enc.W", "enc.b", "a.W1", "a.b1", "a.W2", "a.b2", "b.W1", "b.b1", "b.W2", "b.b2");

    private static MultiTaskTrainer.Builder base(MultiTaskModel m, int epochs) {
        return MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(0.02)).epochs(epochs).seed(5)
                .strategy(Strategies.create("uw", m.taskNames(), Map.of()))               // strategy state crosses the resume too
                .train(TinyModels.data(48, 16, 1)).validation(TinyModels.data(32, 16, 2));
    }

    private static RepMtl constant(MultiTaskModel m, RepMtlSchedule.Segment v) {
        return RepMtl.builder(m).lambdaTsr(v.lambdaTsr()).lambdaCsa(v.lambdaCsa()).tau(v.tau()).build();
    }

    private static void assertBitwiseEqual(MultiTaskModel expected, MultiTaskModel actual, String what) {
        for (String p : PARAMS)
            assertArrayEquals(expected.sameDiff().getVariable(p).getArr().data().asDouble(), actual.sameDiff().getVariable(p).getArr().data().asDouble(),
                    p + ": " + what);
    }

    @Test
    void aScheduleChangingAtEpoch2EqualsTwoEpochsOfTheFirstValuesResumedWithTheSecond(@TempDir Path dir) {
        MultiTaskModel scheduled = TinyModels.twoTaskDense(3);
        TrainingResult full = base(scheduled, 3).repMtl(RepMtl.builder(scheduled).schedule(SCHEDULE).build()).build().fit();

        MultiTaskModel first = TinyModels.twoTaskDense(3);
        base(first, 2).repMtl(constant(first, SCHEDULE.at(0))).checkpoints(dir, 2).build().fit();
        MultiTaskModel resumed = TinyModels.twoTaskDense(3);
        MultiTaskTrainer second = base(resumed, 3).repMtl(RepMtl.builder(resumed).schedule(SCHEDULE).build()).checkpoints(dir, 2).resume(true).build();
        TrainingResult r = second.fit();

        assertBitwiseEqual(scheduled, resumed, "the schedule's run differs from two constant epochs resumed with the schedule");
        assertEquals(full.epochs().get(2).trainLosses(), r.epochs().get(2).trainLosses());
        assertEquals(SCHEDULE.at(2).lambdaTsr(), second.repMtlGraph().hyperparameters().lambdaTsr(), "epoch 2 ran with the second values");
        Checkpoint last = Checkpoint.load(Checkpoint.list(dir).get(1));
        assertTrue(((String) last.meta().get("repMtl")).contains("schedule=[0: lambdaTsr=0.9"), "epoch 2's checkpoint records the schedule it used");

        MultiTaskModel constantA = TinyModels.twoTaskDense(3);
        base(constantA, 3).repMtl(constant(constantA, SCHEDULE.at(0))).build().fit();
        assertFalse(constantA.sameDiff().getVariable("enc.W").getArr().equalsWithEps(scheduled.sameDiff().getVariable("enc.W").getArr(), 0),
                "the second segment's values changed training");
    }

    @Test
    void fittingInStagesContinuesInMemoryAsOneFit(@TempDir Path dir) {
        MultiTaskModel whole = TinyModels.twoTaskDense(6);
        base(whole, 3).repMtl(RepMtl.builder(whole).schedule(SCHEDULE).build()).build().fit();
        MultiTaskModel staged = TinyModels.twoTaskDense(6);
        MultiTaskTrainer t = base(staged, 1).repMtl(RepMtl.builder(staged).schedule(SCHEDULE).build()).checkpoints(dir, 2).build();
        assertEquals(1, t.fit().epochs().size());
        assertEquals(1, t.fit(1).epochs().size(), "nothing left to train");
        TrainingResult r = t.fit(3);
        assertEquals(List.of(0, 1, 2), r.epochs().stream().map(EpochSummary::epoch).toList());
        assertBitwiseEqual(whole, staged, "fit(1) then fit(3) differs from one fit of 3 epochs");
        assertEquals(2, Checkpoint.list(dir).size());
    }

    @Test
    void resumeComparesOnlyTheEpochsTheCheckpointUsed(@TempDir Path dir) {
        MultiTaskModel m = TinyModels.twoTaskDense(4);
        base(m, 2).repMtl(RepMtl.builder(m).schedule(SCHEDULE).build()).checkpoints(dir.resolve("a"), 2).build().fit();   // epochs 0, 1: first values
        MultiTaskModel other = TinyModels.twoTaskDense(4);
        RepMtlSchedule agreesUpTo1 = SCHEDULE.followedBy(2, 0.05, 0.05, 2.0);
        base(other, 3).repMtl(RepMtl.builder(other).schedule(agreesUpTo1).build()).checkpoints(dir.resolve("a"), 2).resume(true).build().fit();

        MultiTaskModel b = TinyModels.twoTaskDense(4);
        base(b, 3).repMtl(RepMtl.builder(b).schedule(SCHEDULE).build()).checkpoints(dir.resolve("b"), 3).build().fit();    // epoch 2: second values
        MultiTaskModel disagrees = TinyModels.twoTaskDense(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base(disagrees, 4)
                .repMtl(RepMtl.builder(disagrees).schedule(agreesUpTo1).build()).checkpoints(dir.resolve("b"), 3).resume(true).build().fit());
        assertTrue(e.getMessage().contains("checkpoint was written with Rep-MTL") && e.getMessage().contains("(epochs 0..2)")
                && e.getMessage().contains("2: lambdaTsr=0.05"), e.getMessage());
        MultiTaskModel constantB = TinyModels.twoTaskDense(4);
        e = assertThrows(IllegalArgumentException.class, () -> base(constantB, 4).repMtl(constant(constantB, SCHEDULE.at(2)))
                .checkpoints(dir.resolve("b"), 3).resume(true).build().fit());
        assertTrue(e.getMessage().contains("Rep-MTL"), e.getMessage());
    }

    @Test
    void changingSchedulesNeedTheHostPlacementAndTheTrainersOwnSteps() {
        MultiTaskModel m = TinyModels.twoTaskDense(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MultiTaskTrainer.builder(m)
                .repMtl(RepMtl.builder(m).schedule(SCHEDULE).build()).regularizerPlacement(RegularizerPlacement.GRAPH).build());
        assertTrue(e.getMessage().contains("needs RegularizerPlacement.HOST"), e.getMessage());
        MultiTaskModel g = TinyModels.twoTaskDense(5);
        MultiTaskTrainer.builder(g).repMtl(RepMtl.builder(g).schedule(SCHEDULE.upTo(1)).build()).regularizerPlacement(RegularizerPlacement.GRAPH).build();
        MultiTaskModel s = TinyModels.twoTaskDense(5);
        StepSource elsewhere = new StepSource() {
            @Override public int batchesPerEpoch() { return 1; }
            @Override public void reset() {}
            @Override public boolean hasNext() { return false; }
            @Override public StepData next(String where) { throw new UnsupportedOperationException(); }
        };
        e = assertThrows(IllegalArgumentException.class, () -> MultiTaskTrainer.builder(s)
                .repMtl(RepMtl.builder(s).schedule(SCHEDULE).build()).trainingSource(elsewhere).build());
        assertTrue(e.getMessage().contains("trainingSource(...)"), e.getMessage());
    }
}
