package io.github.repmtl.samediff.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BaselinesTest {

    @Test
    void bundledPaperValues() {
        Baselines nyu = Baselines.bundled("nyuv2");
        assertEquals(List.of("segmentation", "depth", "normal"), List.copyOf(nyu.tasks()));
        assertEquals(53.50, nyu.value("segmentation", "mIoU"), 0.0);
        assertEquals(0.1605, nyu.value("depth", "relErr"), 0.0);
        assertEquals(15.16, nyu.value("normal", "medianAngle"), 0.0);
        assertEquals(75.16, nyu.value("normal", "within30"), 0.0);
        Baselines city = Baselines.bundled("Cityscapes");
        assertEquals(0.01282, city.value("depth", "absErr"), 0.0);
        assertEquals(43.53, city.value("depth", "relErr"), 0.0);
        assertEquals(96.85, Baselines.bundled("office-31").value("webcam", "accuracy"), 0.0);
        Baselines home = Baselines.bundled("office-home");
        assertEquals(List.of("art", "clipart", "product", "real_world"), List.copyOf(home.tasks()));
        assertEquals(80.00, home.value("real_world", "accuracy"), 0.0);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Baselines.bundled("imagenet"));
        assertTrue(unknown.getMessage().contains("imagenet") && unknown.getMessage().contains("office-home"), unknown.getMessage());
    }

    @Test
    void fileRoundTripAndErrorsNamingTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("stl.json");
        Files.writeString(file, "{\"name\": \"mine\", \"tasks\": {\"seg\": {\"mIoU\": 41.5, \"pixAcc\": 70}, \"depth\": {\"absErr\": 0.5}}}");
        Baselines loaded = Baselines.load(file);
        assertEquals("mine", loaded.name());
        assertEquals(Map.of("mIoU", 41.5, "pixAcc", 70.0), loaded.metrics("seg"));
        IllegalArgumentException metric = assertThrows(IllegalArgumentException.class, () -> loaded.value("depth", "relErr"));
        assertTrue(metric.getMessage().contains("relErr") && metric.getMessage().contains("depth"), metric.getMessage());

        Path copy = dir.resolve("sub/copy.json");
        loaded.save(copy);
        Baselines reloaded = Baselines.load(copy);
        assertEquals(loaded.tasks(), reloaded.tasks());
        assertEquals(0.5, reloaded.value("depth", "absErr"), 0.0);

        Path missing = dir.resolve("absent.json");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Baselines.load(missing)).getMessage().contains("absent.json"));
        Path text = dir.resolve("text.json");
        Files.writeString(text, "{\"tasks\": {\"seg\": {\"mIoU\": \"high\"}}}");
        IllegalArgumentException notNumber = assertThrows(IllegalArgumentException.class, () -> Baselines.load(text));
        assertTrue(notNumber.getMessage().contains("text.json") && notNumber.getMessage().contains("mIoU"), notNumber.getMessage());
        Path zero = dir.resolve("zero.json");
        Files.writeString(zero, "{\"tasks\": {\"seg\": {\"mIoU\": 0}}}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Baselines.load(zero)).getMessage().contains("non-zero"));
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"tasks\": ");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Baselines.load(broken)).getMessage().contains("broken.json"));
        Path unnamed = dir.resolve("unnamed.json");
        Files.writeString(unnamed, "{\"tasks\": {\"seg\": {\"mIoU\": 3}}}");
        assertEquals("unnamed", Baselines.load(unnamed).name());
    }

    @Test
    void fromResultsKeepsTheEvaluatedValues() {
        TaskResult seg = new TaskResult("seg", List.of(Metric.higherIsBetter("mIoU")), Map.of("mIoU", 12.5));
        Baselines baselines = Baselines.fromResults("epoch 0", List.of(seg));
        assertEquals(12.5, baselines.value("seg", "mIoU"), 0.0);
        assertThrows(IllegalArgumentException.class, () -> baselines.value("depth", "absErr"));
    }
}
