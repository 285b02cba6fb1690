package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.StepStats;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient strategies on zoo models: the per-task replicas of the encoder (convolutions, pooling, batch norm,
 * dropout) are built by copying ops, so every zoo op must survive the copy and train.
 */
class ZooGradientStrategiesTest {

    private static MultiDataSet batch(MultiTaskModel m, int size, long seed) {
        Map<String, INDArray> feed = ZooTestSupport.randomFeed(m, size, seed);
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{feed.get(m.inputs().get(0))},
                m.tasks().stream().map(TaskBinding::label).map(feed::get).toArray(INDArray[]::new));
    }

    private static void trains(MultiTaskModel m, String strategy, GradientMode mode, boolean repMtl, int batch) {
        MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(1e-3))
                .strategy(Strategies.create(strategy, m.taskNames(), Map.of(), mode)).gradientMode(mode);
        if (repMtl) b.repMtl(RepMtl.builder(m).build());
        MultiTaskTrainer trainer = b.build();
        String running = m.statisticUpdates().isEmpty() ? null : m.statisticUpdates().get(0).variable();
        INDArray before = running == null ? null : m.sameDiff().getArrForVarName(running).dup();
        MultiDataSet data = batch(m, batch, 3);
        for (int i = 0; i < 2; i++) {
            StepStats s = trainer.step(data);
            assertTrue(s.taskLosses().values().stream().allMatch(Double::isFinite), strategy + " " + mode + ": " + s.taskLosses());
        }
        if (before != null) assertFalse(before.equalsWithEps(m.sameDiff().getArrForVarName(running), 1e-7), "running statistics updated");
    }

    @Test
    void leNetWithPcGradAndRepMtl() {
        trains(HpsLeNet.builder().seed(1).init(), "pcgrad", GradientMode.PARAMETERS, true, 8);
    }

    @Test
    void resNetWithBatchNormAndDropoutInBothGradientModes() {
        List<TaskSpec> tasks = List.of(TaskSpec.classification("a", 4), TaskSpec.classification("b", 3));
        trains(HpsResNet.builder().inputShape(3, 32, 32).tasks(tasks).init(), "mgda", GradientMode.PARAMETERS, false, 4);
        trains(HpsResNet.builder().inputShape(3, 32, 32).tasks(tasks).init(), "graddrop", GradientMode.REPRESENTATION, true, 4);
    }
}
