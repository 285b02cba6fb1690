package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every registered strategy, in every gradient mode it supports, trains the tiny model with and without Rep-MTL. */
class StrategyTrainingTest {

    @TestFactory
    List<DynamicTest> everyStrategyDecreasesTheLoss() {
        List<DynamicTest> tests = new ArrayList<>();
        for (StrategyDescriptor d : Strategies.descriptors()) {
            for (GradientMode mode : d.modes()) {
                for (boolean rep : new boolean[]{false, true}) {
                    tests.add(DynamicTest.dynamicTest(d.name() + " " + mode + (rep ? " + Rep-MTL" : ""), () -> trains(d.name(), mode, rep)));
                }
            }
        }
        return tests;
    }

    private static void trains(String name, GradientMode mode, boolean rep) {
        MultiTaskModel m = TinyModels.twoTaskDense(17);
        MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(0.03)).epochs(4).seed(2)
                .strategy(Strategies.create(name, m.taskNames(), Map.of(), mode)).gradientMode(mode)
                .train(TinyModels.data(64, 16, 1));
        if (rep) b.repMtl(RepMtl.builder(m).build());
        TrainingResult r = b.build().fit();
        double first = r.epochs().get(0).trainLosses().values().stream().mapToDouble(Double::doubleValue).sum();
        double last = r.epochs().get(3).trainLosses().values().stream().mapToDouble(Double::doubleValue).sum();
        assertTrue(last < first * 0.9, name + " " + mode + (rep ? " + Rep-MTL" : "") + ": summed loss " + first + " -> " + last);
    }

    @org.junit.jupiter.api.Test
    void gradientStrategyWithRepMtlTrainsAMultiInputModel() {
        MultiTaskModel m = TinyModels.twoTaskMultiInput(17);
        TrainingResult r = MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(0.03)).epochs(4).seed(2)
                .strategy(Strategies.create("pcgrad", m.taskNames(), Map.of(), GradientMode.PARAMETERS)).repMtl(RepMtl.builder(m).build())
                .trainPerTask(List.of(TinyModels.taskData(64, 16, 1, 0), TinyModels.taskData(48, 16, 2, 1))).build().fit();
        double first = r.epochs().get(0).trainLosses().values().stream().mapToDouble(Double::doubleValue).sum();
        double last = r.epochs().get(3).trainLosses().values().stream().mapToDouble(Double::doubleValue).sum();
        assertTrue(last < first * 0.9, "multi-input pcgrad + Rep-MTL: summed loss " + first + " -> " + last);
    }

    @org.junit.jupiter.api.Test
    void unsupportedModeIsRejectedWhenTheTrainerIsBuilt() {
        MultiTaskModel m = TinyModels.twoTaskDense(17);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MultiTaskTrainer.builder(m)
                .strategy(Strategies.create("graddrop", m.taskNames(), Map.of())).gradientMode(GradientMode.PARAMETERS)
                .train(TinyModels.data(32, 16, 1)).build());
        assertTrue(e.getMessage().contains("PARAMETERS"), e.getMessage());
    }
}
