package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.model.MultiTaskModel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarListenerTest {
    @Test
    void withoutATerminalPrintsPlainLinesPerIntervalAndPerEpoch() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        MultiTaskModel m = TinyModels.twoTaskDense(3);
        MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(0.01)).epochs(2).seed(1)
                .train(TinyModels.data(96, 16, 1))                                   // 6 steps per epoch
                .listener(new ProgressBarListener("tiny", false, out, 2)).build().fit();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), "no carriage returns in a log: " + text);
        List<String> lines = text.lines().toList();
        assertEquals(6, lines.size(), text);                                         // steps 2 and 4, then the epoch line
        assertTrue(lines.get(0).matches("tiny epoch 1/2 step 2/6 a=\\d+\\.\\d{3} b=\\d+\\.\\d{3}"), lines.get(0));
        assertTrue(lines.get(1).startsWith("tiny epoch 1/2 step 4/6 "), lines.get(1));
        assertTrue(lines.get(2).matches("tiny epoch 1/2 done: 6 steps, \\d+\\.\\d s, train a=\\d+\\.\\d{3} b=\\d+\\.\\d{3}"), lines.get(2));
        assertTrue(lines.get(5).startsWith("tiny epoch 2/2 done: 6 steps, "), lines.get(5));
    }

    @Test
    void perEpochOnlyWithIntervalZeroAndNegativeIntervalRejected() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MultiTaskModel m = TinyModels.twoTaskDense(3);
        MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(0.01)).epochs(1).seed(1).train(TinyModels.data(48, 16, 1))
                .listener(new ProgressBarListener("x", false, new PrintStream(bytes, true, StandardCharsets.UTF_8), 0)).build().fit();
        assertEquals(1, bytes.toString(StandardCharsets.UTF_8).lines().count());
        assertThrows(IllegalArgumentException.class, () -> new ProgressBarListener("x", false, System.out, -1));
    }
}
