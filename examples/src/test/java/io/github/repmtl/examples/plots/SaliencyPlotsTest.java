package io.github.repmtl.examples.plots;

import io.github.repmtl.examples.analysis.SaliencyMaps;
import io.github.repmtl.examples.bench.SmallDenseNet;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.MultiDataSet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Saliency maps of a dense model: their mean entropy is the graph's L_tsr; the figures are written. */
class SaliencyPlotsTest {
    @Test
    void meanEntropyIsTheGraphsTsrAndFiguresAreWritten(@TempDir Path dir) throws Exception {
        MultiTaskModel model = SmallDenseNet.create(11);
        MultiDataSet batch = SmallDenseNet.batch(3, 5);
        SaliencyMaps maps = SaliencyMaps.compute(model, batch);
        assertFalse(model.sameDiff().hasVariable(RepMtlGraph.TSR), "the caller's model is not changed");
        assertEquals(List.of("segmentation", "depth", "normal"), maps.tasks());
        assertArrayEquals(new long[]{3, 24, 32}, maps.channelMean("depth").shape());
        assertTrue(maps.entropy().maxNumber().doubleValue() <= Math.log(3) + 1e-12);
        assertTrue(maps.entropy().minNumber().doubleValue() >= 0);

        MultiTaskModel reference = SmallDenseNet.create(11);
        RepMtl.builder(reference).build().attachTo(reference.sameDiff());
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> feed = new HashMap<>();
        feed.put("x", batch.getFeatures(0));
        for (int t = 0; t < 3; t++) {
            TaskBinding b = reference.tasks().get(t);
            feed.put(b.label(), batch.getLabels(t));
        }
        double tsr = reference.sameDiff().output(feed, RepMtlGraph.TSR).get(RepMtlGraph.TSR).getDouble(0);
        assertEquals(tsr, maps.meanEntropy(), 1e-5 * Math.abs(tsr));

        List<Path> files = SaliencyPlots.write(maps, 2, dir);
        assertEquals(List.of(dir.resolve("saliency-0.png"), dir.resolve("saliency-1.png"), dir.resolve("tsr-entropy-histogram.png")), files);
        BufferedImage figure = ImageIO.read(files.get(0).toFile());
        assertEquals(16 + 5 * (256 + 16), figure.getWidth(), "input, three tasks and the entropy map");
    }
}
