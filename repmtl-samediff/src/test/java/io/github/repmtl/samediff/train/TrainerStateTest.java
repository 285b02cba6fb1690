package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.Strategies;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MultiTaskTrainer#state()} / {@link MultiTaskTrainer#restoreState} carry a run exactly from one trainer to
 * another, and a {@link RoundSource} whose rounds a second trainer computes ends where the trainer's own steps end.
 */
class TrainerStateTest {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static MultiTaskTrainer.Builder config(MultiTaskModel model) {
        return MultiTaskTrainer.builder(model).repMtl(RepMtl.builder(model).build()).strategy(Strategies.create("uw", model.taskNames(), Map.of()))
                .optimizer(Optimizer.adam(1e-2)).seed(5);
    }

    private static List<MultiDataSet> batches(int n, int batch, long seed) {
        MultiDataSetIterator it = TinyModels.data(n, batch, seed);
        List<MultiDataSet> out = new ArrayList<>();
        while (it.hasNext()) out.add(it.next());
        return out;
    }

    private static void assertSameParameters(MultiTaskTrainer expected, MultiTaskTrainer actual) {
        TrainerState e = expected.state(), a = actual.state();
        assertEquals(e.parameters().keySet(), a.parameters().keySet());
        e.parameters().forEach((k, v) -> assertArrayEquals(v.data().asDouble(), a.parameters().get(k).data().asDouble(), "parameter " + k));
        assertEquals(e.optimizer().keySet(), a.optimizer().keySet());
        e.optimizer().forEach((k, v) -> assertArrayEquals(v.data().asDouble(), a.optimizer().get(k).data().asDouble(), "optimizer state " + k));
        assertEquals(e.optimizerSteps(), a.optimizerSteps());
        assertEquals(e.step(), a.step());
        try {
            assertEquals(JSON.writeValueAsString(e.strategy()), JSON.writeValueAsString(a.strategy()), "strategy state");
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
            throw new AssertionError(x);
        }
    }

    @Test
    void aRestoredStateContinuesBitwise() {
        List<MultiDataSet> data = batches(48, 8, 3);
        MultiTaskTrainer original = config(TinyModels.twoTaskDense(1)).build();
        for (int s = 0; s < 3; s++) original.step(data.get(s), 0);
        MultiTaskTrainer copy = config(TinyModels.twoTaskDense(99)).build();          // other initial weights
        copy.restoreState(original.state());
        for (int s = 3; s < 6; s++) assertEquals(original.step(data.get(s), 1).taskLosses(), copy.step(data.get(s), 1).taskLosses(), "losses of step " + s);
        assertSameParameters(original, copy);
    }

    @Test
    void stateIsACopy() {
        MultiTaskTrainer t = config(TinyModels.twoTaskDense(1)).build();
        TrainerState before = t.state();
        INDArray w = before.parameters().get("enc.W").dup();
        t.step(batches(8, 8, 3).get(0), 0);
        assertArrayEquals(w.data().asDouble(), before.parameters().get("enc.W").data().asDouble(), "a taken state does not follow later steps");
    }

    @Test
    void restoreRejectsMissingAndMisshapenParameters() {
        MultiTaskTrainer t = config(TinyModels.twoTaskDense(1)).build();
        TrainerState s = t.state();
        Map<String, INDArray> missing = new LinkedHashMap<>(s.parameters());
        missing.remove("a.W1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.restoreState(new TrainerState(missing, s.statistics(), s.optimizer(), s.optimizerSteps(), s.strategy(), s.step())));
        assertTrue(e.getMessage().contains("'a.W1'"), e.getMessage());
        Map<String, INDArray> misshapen = new LinkedHashMap<>(s.parameters());
        misshapen.put("enc.b", misshapen.get("enc.b").reshape(1, 8).repeat(0, 2));
        e = assertThrows(IllegalArgumentException.class,
                () -> t.restoreState(new TrainerState(misshapen, s.statistics(), s.optimizer(), s.optimizerSteps(), s.strategy(), s.step())));
        assertTrue(e.getMessage().contains("'enc.b'") && e.getMessage().contains("[2, 8]"), e.getMessage());
    }

    /** Rounds of {@code k} steps computed by a worker trainer from the driver's state: a round source in one JVM. */
    private static final class WorkerRounds implements RoundSource {
        private final MultiTaskTrainer worker;
        private final List<MultiDataSet> epoch;
        private final int k;
        private int cursor;

        WorkerRounds(MultiTaskTrainer worker, List<MultiDataSet> epoch, int k) {
            this.worker = worker;
            this.epoch = epoch;
            this.k = k;
        }

        @Override public int stepsPerEpoch() { return epoch.size(); }
        @Override public void reset() { cursor = 0; }
        @Override public boolean hasNext() { return cursor < epoch.size(); }

        @Override public Round next(TrainerState start, int epochIndex, String where) {
            worker.restoreState(start);
            List<StepStats> steps = new ArrayList<>();
            for (int j = 0; j < k && cursor < epoch.size(); j++) steps.add(worker.step(epoch.get(cursor++), epochIndex));
            return new Round(worker.state(), steps);
        }
    }

    @Test
    void roundsComputedElsewhereEqualTheTrainersOwnSteps() {
        List<MultiDataSet> epoch = batches(56, 8, 4);                                // 7 steps: rounds of 3, 3, 1
        MultiTaskTrainer local = config(TinyModels.twoTaskDense(1)).epochs(2).train(new ListIterator(epoch)).build();
        local.fit();
        List<StepStats> seen = new ArrayList<>();
        MultiTaskTrainer worker = config(TinyModels.twoTaskDense(1)).build();
        MultiTaskTrainer driver = config(TinyModels.twoTaskDense(1)).epochs(2).trainingRounds(new WorkerRounds(worker, epoch, 3))
                .listener(new TrainingListener() {
                    @Override public void onStep(StepStats s) { seen.add(s); }
                }).build();
        driver.fit();
        assertSameParameters(local, driver);
        assertEquals(local.history().get(1).trainLosses(), driver.history().get(1).trainLosses(), "epoch mean training losses");
        assertEquals(14, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i, seen.get(i).step(), "listeners see every step once, in order");
            assertEquals(i % 7, seen.get(i).batch());
            assertEquals(7, seen.get(i).batchesInEpoch());
        }
    }

    @Test
    void onlyOneTrainingSource() {
        MultiTaskModel m = TinyModels.twoTaskDense(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(m).train(TinyModels.data(8, 8, 1))
                .trainingRounds(new WorkerRounds(null, List.of(), 1)).build());
        assertTrue(e.getMessage().contains("trainingRounds"), e.getMessage());
    }

    /** The epoch's batches in order on every reset. */
    private static final class ListIterator implements MultiDataSetIterator {
        private final List<MultiDataSet> data;
        private int cursor;

        ListIterator(List<MultiDataSet> data) { this.data = data; }

        @Override public MultiDataSet next(int num) { throw new UnsupportedOperationException(); }
        @Override public void setPreProcessor(org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor p) { throw new UnsupportedOperationException(); }
        @Override public org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor getPreProcessor() { return null; }
        @Override public boolean resetSupported() { return true; }
        @Override public boolean asyncSupported() { return false; }
        @Override public void reset() { cursor = 0; }
        @Override public boolean hasNext() { return cursor < data.size(); }
        @Override public MultiDataSet next() { return data.get(cursor++); }
    }
}
