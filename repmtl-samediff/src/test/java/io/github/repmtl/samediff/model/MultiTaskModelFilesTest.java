package io.github.repmtl.samediff.model;

import io.github.repmtl.samediff.train.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultiTaskModelFilesTest {
    @Test
    void saveAndLoadGiveIdenticalOutputs(@TempDir Path dir) {
        MultiTaskModel m = TinyModels.twoTaskDense(4);
        MultiTaskModelFiles.save(m, dir);
        MultiTaskModel back = MultiTaskModelFiles.load(dir);
        assertEquals(m.taskNames(), back.taskNames());
        assertEquals(m.tasks(), back.tasks());
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 6);
        for (TaskBinding t : m.tasks()) {
            INDArray a = m.sameDiff().output(Map.of("x", x), t.output()).get(t.output());
            INDArray b = back.sameDiff().output(Map.of("x", x), t.output()).get(t.output());
            assertEquals(a, b, t.name());
        }
    }

    @Test
    void missingOrBrokenFilesAreNamed(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MultiTaskModelFiles.load(dir));
        assertTrue(e.getMessage().contains("model.fb is missing"), e.getMessage());
        MultiTaskModelFiles.save(TinyModels.twoTaskDense(4), dir);
        Files.writeString(dir.resolve("model.fb"), "not a flatbuffer");
        e = assertThrows(IllegalArgumentException.class, () -> MultiTaskModelFiles.load(dir));
        assertTrue(e.getMessage().contains("cannot load model"), e.getMessage());
    }
}
