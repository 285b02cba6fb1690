package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RegularizerPlacement;
import io.github.repmtl.samediff.regularizer.RepMtl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultiTaskTrainerTest {

    private static MultiTaskTrainer.Builder base(MultiTaskModel m, int epochs) {
        return MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(0.02)).epochs(epochs).seed(5)
                .train(TinyModels.data(96, 16, 1)).validation(TinyModels.data(48, 16, 2)).test(TinyModels.data(48, 16, 3));
    }

    @Test
    void hostAndGraphRegularizerPlacementsTrainAlike() {
        MultiTaskModel[] models = {TinyModels.twoTaskDense(4), TinyModels.twoTaskDense(4)};
        MultiTaskTrainer[] trainers = new MultiTaskTrainer[2];
        for (int i = 0; i < 2; i++)
            trainers[i] = MultiTaskTrainer.builder(models[i]).optimizer(Optimizer.sgd(0.5, 0)).seed(5)
                    .repMtl(RepMtl.builder(models[i]).lambdaTsr(1.3).lambdaCsa(1.1).build())
                    .regularizerPlacement(i == 0 ? RegularizerPlacement.GRAPH : RegularizerPlacement.HOST).build();
        assertEquals(RegularizerPlacement.HOST, trainers[1].repMtlGraph().placement());
        TinyModels.ShuffledIterator data = TinyModels.data(40, 16, 7);                 // batches of 16, 16 and 8
        while (data.hasNext()) {
            MultiDataSet batch = data.next();
            StepStats graph = trainers[0].step(batch), host = trainers[1].step(batch);
            assertEquals(graph.tsr(), host.tsr(), 1e-5 * Math.abs(graph.tsr()), "tsr");
            assertEquals(graph.csa(), host.csa(), 1e-5 * Math.abs(graph.csa()), "csa");
            assertEquals(graph.objective(), host.objective(), 1e-5 * Math.abs(graph.objective()), "objective");
        }
        for (String p : List.of("enc.W", "enc.b", "a.W1", "a.W2", "b.W1", "b.b2")) {
            INDArray x = models[0].sameDiff().getVariable(p).getArr(), y = models[1].sameDiff().getVariable(p).getArr();
            double diff = x.sub(y).amaxNumber().doubleValue(), scale = x.amaxNumber().doubleValue();
            assertTrue(diff <= 1e-5 * scale, p + " differs between placements after 3 steps: " + diff);
        }
    }

    @Test
    void trainsWithAndWithoutRepMtlAndLogsEverything(@TempDir Path dir) throws Exception {
        for (boolean rep : new boolean[]{false, true}) {
            MultiTaskModel m = TinyModels.twoTaskDense(11);
            Path logs = dir.resolve("logs-" + rep);
            MultiTaskTrainer.Builder b = base(m, 6).listener(new TrainingLogs(logs));
            if (rep) b.repMtl(RepMtl.builder(m).build());
            TrainingResult r = b.build().fit();
            Map<String, Double> first = r.epochs().get(0).trainLosses(), last = r.epochs().get(5).trainLosses();
            for (String t : List.of("a", "b")) assertTrue(last.get(t) < first.get(t) * 0.8, rep + " task " + t + ": " + first + " -> " + last);
            assertTrue(r.epochs().get(5).validation().get("a").value("accuracy") > 50, "accuracy " + r.epochs().get(5).validation());
            assertEquals("validation", r.selectionSplit());
            assertEquals(1, r.selectedEpochs().size());
            List<String> steps = Files.readAllLines(logs.resolve("steps.csv"));
            assertEquals(1 + 6 * 6, steps.size(), "header + 6 epochs x 6 steps");
            assertTrue(steps.get(0).startsWith("epoch,step,loss_a,loss_b,tsr,csa,objective,weight_a,weight_b,lr,"), steps.get(0));
            String[] cells = steps.get(1).split(",", -1);
            assertEquals(rep, !cells[4].isEmpty(), "tsr column filled only with Rep-MTL: " + steps.get(1));
            assertEquals(6, Files.readAllLines(logs.resolve("epochs.jsonl")).size());
            assertEquals(7, Files.readAllLines(logs.resolve("epochs.csv")).size());
        }
    }

    @Test
    void multiInputTrainsWithOneIteratorPerTaskAndRestartsTheShorterOne(@TempDir Path dir) throws Exception {
        MultiTaskModel m = TinyModels.twoTaskMultiInput(6);
        TrainingResult r = MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(0.03)).epochs(5).seed(1)
                .repMtl(RepMtl.builder(m).build())
                .trainPerTask(List.of(TinyModels.taskData(96, 16, 1, 0), TinyModels.taskData(48, 16, 2, 1)))
                .validationPerTask(List.of(TinyModels.taskData(32, 16, 3, 0), TinyModels.taskData(32, 16, 4, 1)))
                .listener(new TrainingLogs(dir)).build().fit();
        assertEquals(1 + 5 * 6, Files.readAllLines(dir.resolve("steps.csv")).size(), "an epoch has max_t = 6 steps");
        for (String t : List.of("a", "b"))
            assertTrue(r.epochs().get(4).trainLosses().get(t) < r.epochs().get(0).trainLosses().get(t), t + " " + r.epochs());
        assertEquals(2, r.epochs().get(4).validation().size());
    }

    @Test
    void resumeFromCheckpointIsBitwiseIdentical(@TempDir Path dir) {
        MultiTaskModel full = TinyModels.twoTaskDense(3);
        base(full, 4).repMtl(RepMtl.builder(full).build()).checkpoints(dir.resolve("a"), 2).build().fit();

        MultiTaskModel part = TinyModels.twoTaskDense(3);
        base(part, 2).repMtl(RepMtl.builder(part).build()).checkpoints(dir.resolve("b"), 2).build().fit();
        MultiTaskModel resumed = TinyModels.twoTaskDense(3);
        TrainingResult r = base(resumed, 4).repMtl(RepMtl.builder(resumed).build()).checkpoints(dir.resolve("b"), 2).resume(true).build().fit();

        assertEquals(4, r.epochs().size());
        for (String p : List.of("enc.W", "enc.b", "a.W1", "a.W2", "b.W2")) {
            INDArray x = full.sameDiff().getVariable(p).getArr(), y = resumed.sameDiff().getVariable(p).getArr();
            assertEquals(x, y, p + " differs after resume");
        }
        assertEquals(2, Checkpoint.list(dir.resolve("a")).size(), "keeps the last 2 checkpoints");
    }

    @Test
    void onDemandCheckpointResumesLikeAnEpochCheckpoint(@TempDir Path dir) {
        MultiTaskModel full = TinyModels.twoTaskDense(8);
        base(full, 3).build().fit();
        MultiTaskModel part = TinyModels.twoTaskDense(8);
        MultiTaskTrainer[] holder = new MultiTaskTrainer[1];
        holder[0] = base(part, 2).listener(new TrainingListener() {
            @Override
            public void onEpochEnd(EpochSummary s) {
                if (s.epoch() == 1) holder[0].saveCheckpoint(dir);
            }
        }).build();
        holder[0].fit();
        assertThrows(IllegalStateException.class, () -> base(TinyModels.twoTaskDense(8), 1).build().saveCheckpoint(dir));
        MultiTaskModel resumed = TinyModels.twoTaskDense(8);
        base(resumed, 3).checkpoints(dir, 2).resume(true).build().fit();
        assertEquals(full.sameDiff().getVariable("enc.W").getArr(), resumed.sameDiff().getVariable("enc.W").getArr());
    }

    @Test
    void corruptOrIncompatibleCheckpointsAreRejected(@TempDir Path dir) throws Exception {
        MultiTaskModel m = TinyModels.twoTaskDense(3);
        base(m, 1).checkpoints(dir, 2).build().fit();
        Path ckpt = Checkpoint.list(dir).get(0);
        MultiTaskModel other = TinyModels.twoTaskDense(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> base(other, 2).repMtl(RepMtl.builder(other).build()).checkpoints(dir, 2).resume(true).build().fit());
        assertTrue(e.getMessage().contains("Rep-MTL"), e.getMessage());
        byte[] bytes = Files.readAllBytes(ckpt);
        Files.write(ckpt, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        MultiTaskModel again = TinyModels.twoTaskDense(3);
        e = assertThrows(IllegalArgumentException.class, () -> base(again, 2).checkpoints(dir, 2).resume(true).build().fit());
        assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
    }

    @Test
    void badBatchesAreNamed() {
        MultiTaskModel m = TinyModels.twoTaskDense(3);
        TinyModels.ShuffledIterator data = TinyModels.data(32, 16, 1);
        data.setPreProcessor((MultiDataSet mds) -> mds.setLabels(new INDArray[]{mds.getLabels(0)}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MultiTaskTrainer.builder(m).train(data).build().fit());
        assertTrue(e.getMessage().contains("expected 2 label arrays"), e.getMessage());

        MultiTaskModel m2 = TinyModels.twoTaskDense(3);
        TinyModels.ShuffledIterator outOfRange = TinyModels.data(32, 16, 1);
        outOfRange.setPreProcessor((MultiDataSet mds) -> mds.getLabels(1).putScalar(0, 7));
        e = assertThrows(IllegalArgumentException.class, () -> MultiTaskTrainer.builder(m2).train(outOfRange).build().fit());
        assertTrue(e.getMessage().contains("task 'b'") && e.getMessage().contains("7"), e.getMessage());

        MultiTaskModel m3 = TinyModels.twoTaskDense(3);
        TinyModels.ShuffledIterator nan = TinyModels.data(32, 16, 1);
        nan.setPreProcessor((MultiDataSet mds) -> mds.getFeatures(0).putScalar(0, 0, Float.NaN));
        INDArray before = m3.sameDiff().getVariable("enc.W").getArr().dup();
        e = assertThrows(IllegalArgumentException.class, () -> MultiTaskTrainer.builder(m3).train(nan).build().fit());
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("step 0"), e.getMessage());
        assertEquals(before, m3.sameDiff().getVariable("enc.W").getArr());

        MultiTaskModel m4 = TinyModels.twoTaskDense(3);
        e = assertThrows(IllegalArgumentException.class, () -> MultiTaskTrainer.builder(m4).train(TinyModels.data(0, 16, 1)).build().fit());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void testSplitIsUsedForSelectionOnlyWithoutValidation() {
        MultiTaskModel m = TinyModels.twoTaskDense(3);
        TrainingResult r = MultiTaskTrainer.builder(m).epochs(2).train(TinyModels.data(32, 16, 1)).test(TinyModels.data(32, 16, 2))
                .selection(ModelSelection.meanOfLast(2)).build().fit();
        assertEquals("test", r.selectionSplit());
        assertEquals(List.of(0, 1), r.selectedEpochs());
        assertTrue(Double.isFinite(r.selectedDeltaP()));
        assertTrue(Nd4j.getRandom() != null);
    }
}
