package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.nn.LayerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HpsResNetTest {

    @Test
    void trunkParameterCountsEqualTorchvision() {
        assertEquals(11_176_512, ResNetTrunk.builder(ResNetTrunk.Depth.RESNET18).build().parameterCount());
        assertEquals(21_284_672, ResNetTrunk.builder(ResNetTrunk.Depth.RESNET34).build().parameterCount());
        assertEquals(23_508_032, ResNetTrunk.builder(ResNetTrunk.Depth.RESNET50).build().parameterCount());
        assertEquals(23_508_032, ResNetTrunk.builder(ResNetTrunk.Depth.RESNET50).outputStride(8).variant(ResNetTrunk.Variant.KERAS).build().parameterCount());
    }

    @Test
    void resNet18ModelHasTheOfficeArchitectureAndItsParameterCount() {
        MultiTaskModel m = HpsResNet.builder().inputShape(3, 32, 32).init();
        assertEquals(List.of("amazon", "dslr", "webcam"), m.taskNames());
        assertEquals(11_176_512, ParameterCount.withPrefix(m, ResNetTrunk.PREFIX));
        // + Linear(512, 512) + BatchNorm1d(512) + 3 x Linear(512, 31)
        assertEquals(11_487_901, ParameterCount.of(m));
        assertEquals(LayerContext.TRAINING_FLAG, m.trainingFlag());
        assertEquals(2 * 21, m.statisticUpdates().size());                 // 20 trunk BNs + the representation's
        INDArray w = m.sameDiff().getArrForVarName("shared/fc/W");
        assertEquals(0.005, w.stdNumber().doubleValue(), 0.0002);
        assertEquals(0.1, m.sameDiff().getArrForVarName("shared/fc/b").meanNumber().doubleValue(), 1e-6);
        Map<String, INDArray> out = m.sameDiff().output(ZooTestSupport.randomFeed(m, 2, 1), "Z", "trunk/output", "webcam/output");
        assertArrayEquals(new long[]{2, 512}, out.get("Z").shape());
        assertArrayEquals(new long[]{2, 512, 1, 1}, out.get("trunk/output").shape());
        assertArrayEquals(new long[]{2, 31}, out.get("webcam/output").shape());
    }

    @Test
    void resNet50ModelParameterCount() {
        MultiTaskModel m = HpsResNet.builder().depth(ResNetTrunk.Depth.RESNET50).inputShape(3, 64, 64).init();
        assertEquals(23_508_032, ParameterCount.withPrefix(m, ResNetTrunk.PREFIX));
        assertEquals(24_605_853, ParameterCount.of(m));
        assertEquals(53 * 2 + 2, m.statisticUpdates().size());
    }

    @Test
    void trainsAndUpdatesRunningStatistics() {
        MultiTaskModel m = HpsResNet.builder().inputShape(3, 32, 32).dropout(false)
                .tasks(List.of(TaskSpec.classification("a", 4), TaskSpec.classification("b", 3))).init();
        Map<String, INDArray> feed = ZooTestSupport.randomFeed(m, 4, 3);
        INDArray runningBefore = m.sameDiff().getArrForVarName("trunk/bn1/running_mean").dup();
        List<Double> losses = ZooTestSupport.adam(m, feed, 4, 1e-3);
        assertTrue(losses.get(3) < 0.7 * losses.get(0), "loss " + losses);
        INDArray running = m.sameDiff().getArrForVarName("trunk/bn1/running_mean");
        assertFalse(runningBefore.equalsWithEps(running, 1e-6), "running mean updated");
        // the updated running statistics are what inference mode uses
        Map<String, INDArray> inference = new HashMap<>(feed);
        inference.put(m.trainingFlag(), Nd4j.scalar(DataType.FLOAT, 0.0));
        INDArray a = m.sameDiff().output(inference, "a/output").get("a/output");
        running.addi(1.0);
        INDArray b = m.sameDiff().output(inference, "a/output").get("a/output");
        assertFalse(a.equalsWithEps(b, 1e-6), "inference output depends on the running mean");
    }

    @Test
    void aBatchOfOneSampleTrains() {
        // an epoch's last batch can hold one sample (Office-31 splits do); batch norm of the [1, 512] representation
        MultiTaskModel m = HpsResNet.builder().inputShape(3, 32, 32)
                .tasks(List.of(TaskSpec.classification("a", 4), TaskSpec.classification("b", 3))).init();
        List<Double> losses = ZooTestSupport.adam(m, ZooTestSupport.randomFeed(m, 1, 3), 2, 1e-3);
        assertTrue(losses.stream().allMatch(Double::isFinite), "losses " + losses);
    }

    @Test
    void multiInputModeSharesTheTrunkAndNamesEveryInput(@TempDir Path dir) throws Exception {
        MultiTaskModel m = HpsResNet.builder().inputShape(3, 32, 32).multiInput(true).dataType(DataType.DOUBLE)
                .tasks(List.of(TaskSpec.classification("art", 5), TaskSpec.classification("clipart", 5))).init();
        assertTrue(m.isMultiInput());
        assertEquals(List.of("input/art", "input/clipart"), m.inputs());
        assertEquals(List.of("Z/art", "Z/clipart"), m.sharedActivations());
        assertEquals(11_176_512 + 262_656 + 1024 + 2 * 2565, ParameterCount.of(m));
        // every input updates the shared running statistics once
        assertEquals(2 * 2 * 21, m.statisticUpdates().size());
        assertEquals("trunk/bn1/batch_mean/clipart", m.statisticUpdates().get(2 * 21).batchValue());
        ZooTestSupport.assertRoundTrip(m, ZooTestSupport.randomFeed(m, 2, 4), dir.resolve("resnet.fb").toFile());
    }
}
