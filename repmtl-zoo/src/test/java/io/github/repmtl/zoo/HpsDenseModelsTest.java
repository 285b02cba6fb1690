package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskKind;
import io.github.repmtl.samediff.model.TaskSpec;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HpsDenseModelsTest {

    @Test
    void deepLabParameterCountsForNyuAndCityscapes() {
        MultiTaskModel nyu = HpsDeepLab.builder().init();
        assertEquals(List.of("segmentation", "depth", "normal"), nyu.taskNames());
        assertEquals(23_508_032, ParameterCount.withPrefix(nyu, ResNetTrunk.PREFIX));
        // three heads of 16,125,440 + 257 K each (K = 13, 1, 3)
        assertEquals(71_888_721, ParameterCount.of(nyu));
        assertArrayEquals(new long[]{-1, 3, 288, 384}, nyu.sameDiff().getVariable("input").getShape());
        assertArrayEquals(new long[]{-1, 288, 384}, nyu.sameDiff().getVariable("segmentation/label").getShape());
        assertEquals(DataType.INT64, nyu.sameDiff().getVariable("segmentation/label").dataType());
        assertArrayEquals(new long[]{-1, 3, 288, 384}, nyu.sameDiff().getVariable("normal/label").getShape());
        assertEquals(new ResNetTrunk.FeatureMap(2048, 36, 48),
                ResNetTrunk.builder(ResNetTrunk.Depth.RESNET50).outputStride(8).build().outputShape(288, 384));

        MultiTaskModel city = HpsDeepLab.builder().cityscapes().init();
        assertEquals(List.of("segmentation", "depth"), city.taskNames());
        assertEquals(55_760_968, ParameterCount.of(city));
        assertArrayEquals(new long[]{-1, 1, 128, 256}, city.sameDiff().getVariable("depth/label").getShape());
    }

    @Test
    void deepLabRoundTripsAndPredictsAtInputResolution(@TempDir Path dir) throws Exception {
        ResNetTrunk small = ResNetTrunk.builder(ResNetTrunk.Depth.RESNET18).outputStride(8).build();
        MultiTaskModel m = HpsDeepLab.builder().trunk(small).inputShape(3, 24, 32)
                .tasks(List.of(TaskSpec.segmentation("seg", 4), TaskSpec.normal("normal"))).init();
        Map<String, INDArray> feed = ZooTestSupport.randomFeed(m, 2, 7);
        Map<String, INDArray> inference = new HashMap<>(feed);
        inference.put(m.trainingFlag(), Nd4j.scalar(DataType.FLOAT, 0.0));
        Map<String, INDArray> out = m.sameDiff().output(inference, "Z", "seg/output", "normal/output", "seg/loss", "normal/loss");
        assertArrayEquals(new long[]{2, 512, 3, 4}, out.get("Z").shape());
        assertArrayEquals(new long[]{2, 4, 24, 32}, out.get("seg/output").shape());
        INDArray norms = out.get("normal/output").norm2(1);
        assertTrue(norms.sub(1).amaxNumber().doubleValue() < 1e-5, "unit normals");
        assertEquals(Math.log(4), out.get("seg/loss").getDouble(0), 1.0);
        ZooTestSupport.assertRoundTrip(m, feed, dir.resolve("deeplab.fb").toFile());
    }

    @Test
    void segNetParameterCountAndRoundTrip(@TempDir Path dir) throws Exception {
        assertEquals(24_943_296, new SegNetTrunk(3).parameterCount());
        MultiTaskModel m = HpsSegNet.builder().inputShape(3, 32, 64).init();
        assertEquals(24_943_296, ParameterCount.withPrefix(m, "trunk/"));
        // heads: 3 x conv3x3(64, 64) + conv1x1 to 13, 1 and 3 channels
        assertEquals(25_055_185, ParameterCount.of(m));
        Map<String, INDArray> feed = ZooTestSupport.randomFeed(m, 2, 9);
        INDArray z = m.sameDiff().output(feed, "Z").get("Z");
        assertArrayEquals(new long[]{2, 64, 32, 64}, z.shape());
        ZooTestSupport.assertRoundTrip(m, feed, dir.resolve("segnet.fb").toFile());
        assertThrows(IllegalArgumentException.class, () -> HpsSegNet.builder().inputShape(3, 30, 64).init());
    }

    @Test
    void denseModelsRejectClassificationTasks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HpsSegNet.builder()
                .tasks(List.of(TaskSpec.classification("c", 3), TaskSpec.depth("d"))).init());
        assertTrue(e.getMessage().contains("'c'") && e.getMessage().contains(TaskKind.CLASSIFICATION.name()), e.getMessage());
    }
}
