package io.github.repmtl.onnx;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.dataset.adapter.SingletonMultiDataSetIterator;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An imported model (batch norm, max pooling, Linear, bilinear upsampling; a classification and a depth task) in the
 * project's trainer with Rep-MTL and a gradient strategy: the weights and the batch norm's running statistics move,
 * and a run resumed from its checkpoint ends bitwise equal to an uninterrupted one.
 */
class ImportedModelTrainingTest {
    static final OnnxFixtures RICH = OnnxFixtures.load(OnnxFixtures.DIR.resolve("rich-opset13.json"));

    private static MultiDataSet batch() {
        INDArray x = OnnxFixtures.array(RICH.json().path("data").path("x")).castTo(DataType.FLOAT);
        List<TaskSpec> tasks = RICH.tasks();
        INDArray[] labels = new INDArray[tasks.size()];
        for (int t = 0; t < tasks.size(); t++) labels[t] = OnnxFixtures.array(RICH.json().path("data").path(tasks.get(t).name())).castTo(DataType.FLOAT);
        return new MultiDataSet(new INDArray[]{x}, labels);
    }

    private static Map<String, INDArray> train(Path checkpoints, int epochs, boolean resume) {
        MultiTaskModel m = RICH.importer(DataType.FLOAT).build();
        TrainingResult r = MultiTaskTrainer.builder(m)
                .repMtl(RepMtl.builder(m).lambdaTsr(0.3).lambdaCsa(0.2).build())
                .strategy(Strategies.create("pcgrad", m.taskNames(), Map.of()))
                .optimizer(Optimizer.adam(1e-2)).epochs(epochs).seed(4)
                .train(new SingletonMultiDataSetIterator(batch()))
                .checkpoints(checkpoints, 3).resume(resume)
                .build().fit();
        assertEquals(epochs, r.epochs().size());
        Map<String, INDArray> state = new LinkedHashMap<>();
        m.sameDiff().variables().stream().filter(v -> v.getArr() != null && (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE
                || m.statisticUpdates().stream().map(StatisticUpdate::variable).anyMatch(v.name()::equals))).forEach(v -> state.put(v.name(), v.getArr().dup()));
        return state;
    }

    @Test
    void trainsWithRepMtlAndAGradientStrategyAndResumesExactly(@TempDir Path dir) {
        MultiTaskModel fresh = RICH.importer(DataType.FLOAT).build();
        assertEquals("training", fresh.trainingFlag());
        assertFalse(fresh.statisticUpdates().isEmpty(), "batch norm running statistics are updated while training");
        Map<String, INDArray> before = new LinkedHashMap<>();
        fresh.sameDiff().variables().stream().filter(v -> v.getArr() != null).forEach(v -> before.put(v.name(), v.getArr().dup()));

        Map<String, INDArray> uninterrupted = train(dir.resolve("a"), 3, false);
        for (String p : List.of("trunk.conv.weight", "head_a.fc.bias", "head_b.out.weight", "head_a.bn.weight"))
            assertTrue(uninterrupted.get(p).sub(before.get(p)).amaxNumber().doubleValue() > 1e-4, p + " did not move");
        String runningMean = fresh.statisticUpdates().get(0).variable();
        assertTrue(uninterrupted.get(runningMean).sub(before.get(runningMean)).amaxNumber().doubleValue() > 1e-4, "running mean " + runningMean + " did not move");
        for (INDArray a : uninterrupted.values()) assertFalse(a.isNaN().any() || a.isInfinite().any());

        train(dir.resolve("b"), 2, false);
        Map<String, INDArray> resumed = train(dir.resolve("b"), 3, true);
        assertEquals(uninterrupted.keySet(), resumed.keySet());
        uninterrupted.forEach((k, v) -> assertEquals(0.0, v.sub(resumed.get(k)).amaxNumber().doubleValue(), 0.0, k + " differs after resume"));
    }
}
