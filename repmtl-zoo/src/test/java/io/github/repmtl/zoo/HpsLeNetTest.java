package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HpsLeNetTest {

    @Test
    void exposesTheMultiFashionContract() {
        MultiTaskModel m = HpsLeNet.builder().init();
        assertEquals(List.of("left", "right"), m.taskNames());
        assertEquals(List.of("input"), m.inputs());
        assertEquals(List.of("Z"), m.sharedActivations());
        assertEquals("left/output", m.task("left").output());
        assertEquals("right/label", m.task("right").label());
        assertEquals("right/loss", m.task("right").loss());
        assertNull(m.trainingFlag());
        assertArrayEquals(new long[]{-1, 1, 36, 36}, m.sameDiff().getVariable("input").getShape());
        // conv1 820 + conv2 5,020 + fc 25,050 + 2 x (fc 2,550 + fc 510)
        assertEquals(37_010, ParameterCount.of(m));
        assertEquals(30_890, ParameterCount.withPrefix(m, "trunk/"));
        Map<String, INDArray> out = m.sameDiff().output(ZooTestSupport.randomFeed(m, 3, 1), "Z", "left/output");
        assertArrayEquals(new long[]{3, 50}, out.get("Z").shape());
        assertArrayEquals(new long[]{3, 10}, out.get("left/output").shape());
    }

    @Test
    void lossDecreasesUnderAdam() {
        MultiTaskModel m = HpsLeNet.builder().seed(3).init();
        Map<String, INDArray> feed = ZooTestSupport.randomFeed(m, 16, 2);
        // a learnable signal: the left digit's class lights a column band in the top half, the right's in the bottom
        INDArray x = feed.get("input").muli(0.2);
        for (int b = 0; b < 16; b++) {
            int l = feed.get("left/label").getInt(b), r = feed.get("right/label").getInt(b);
            x.get(point(b), point(0), interval(0, 18), interval(3 * l, 3 * l + 3)).addi(1);
            x.get(point(b), point(0), interval(18, 36), interval(3 * r, 3 * r + 3)).addi(1);
        }
        List<Double> losses = ZooTestSupport.adam(m, feed, 25, 3e-3);
        assertEquals(2 * Math.log(10), losses.get(0), 0.3, "initial loss near 2 ln 10");
        assertTrue(losses.get(24) < 0.3 * losses.get(0), "loss " + losses.get(0) + " -> " + losses.get(24));
    }

    @Test
    void saveAndLoadGiveIdenticalOutputs(@TempDir Path dir) throws Exception {
        MultiTaskModel m = HpsLeNet.builder().tasks(List.of(TaskSpec.classification("a", 10), TaskSpec.classification("b", 5),
                TaskSpec.classification("c", 3))).dataType(DataType.DOUBLE).init();
        assertEquals(30_890 + 2 * 3060 - 510 + (50 * 5 + 5) + 2550 + (50 * 3 + 3), ParameterCount.of(m));
        ZooTestSupport.assertRoundTrip(m, ZooTestSupport.randomFeed(m, 2, 5), dir.resolve("lenet.fb").toFile());
    }

    @Test
    void rejectsUnsuitableTasks() {
        assertThrows(IllegalArgumentException.class, () -> HpsLeNet.builder().tasks(List.of()).init());
        assertEquals(1, HpsLeNet.builder().tasks(List.of(TaskSpec.classification("a", 10))).init().numTasks(), "single-task baselines");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HpsLeNet.builder().tasks(List.of(TaskSpec.classification("a", 10), TaskSpec.depth("d"))).init());
        assertTrue(e.getMessage().contains("'d'"), e.getMessage());
    }
}
