package io.github.repmtl.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code repmtl train --onnx}: a model exported from PyTorch by {@code export_hps_to_onnx.py} (the committed
 * {@code hps-multifashion.onnx}, with its sample input and PyTorch's outputs) trained with Rep-MTL on MultiFashion,
 * checkpointed and resumed like a zoo model; and the flags' errors.
 */
class TrainOnnxTest {
    static final Path MODEL = Path.of("src/test/resources/onnx/hps-multifashion.onnx");
    @TempDir static Path dir;
    static Path data;

    @BeforeAll
    static void data() throws Exception {
        data = TinyFashion.write(dir.resolve("fashion"), 40, 20, 5);
    }

    static String[] train(Path out, String... extra) {
        return Stream.of(new String[]{"train", "--benchmark", "multifashion", "--data", data.toString(), "--train-size", "32", "--val-size", "16",
                        "--test-size", "16", "--batch-size", "16", "--seed", "3", "--lr", "1e-3", "--out", out.toString(), "--no-progress"}, extra)
                .flatMap(Stream::of).toArray(String[]::new);
    }

    @Test
    void trainsAnImportedModelWithRepMtlAndResumes() throws Exception {
        Path out = dir.resolve("run");
        String[] onnx = {"--onnx", MODEL.toString(), "--shared", "Z", "--task", "left=logits_a", "--task", "right=logits_b", "--rep-mtl"};
        CliRunner.Result first = CliRunner.run(train(out, Stream.concat(Stream.of(onnx), Stream.of("--epochs", "1")).toArray(String[]::new)));
        assertEquals(0, first.code(), first.out() + first.err());
        assertTrue(first.out().contains("model onnx-hps-multifashion, tasks [left, right]"), first.out());
        assertTrue(first.out().contains("Rep-MTL {tasks=[left, right]"), first.out());
        CliRunner.Result resumed = CliRunner.run(train(out, Stream.concat(Stream.of(onnx), Stream.of("--epochs", "2", "--resume")).toArray(String[]::new)));
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        List<String> epochs = Files.readAllLines(out.resolve("logs/epochs.jsonl"));
        assertEquals(2, epochs.size());
        ObjectMapper json = new ObjectMapper();
        assertEquals(1, json.readTree(epochs.get(1)).get("epoch").asInt());
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/checkpoint-epoch-0001.zip")));
        assertTrue(Files.size(out.resolve("model/model.fb")) > 10_000);
        assertEquals("onnx-hps-multifashion", json.readTree(out.resolve("run.json").toFile()).get("model").asText());
        List<String> steps = Files.readAllLines(out.resolve("logs/steps.csv"));
        assertEquals(1 + 2 * 2, steps.size(), "header + 2 steps of 16 per epoch");
        assertNotEquals(steps.get(1), steps.get(steps.size() - 1), "the losses move");
    }

    @Test
    void badFlagsNameTheProblem() {
        Path out = dir.resolve("bad");
        assertError(CliRunner.run(train(out, "--onnx", MODEL.toString(), "--task", "left=logits_a")), "--task right=OUTPUT is missing");
        assertError(CliRunner.run(train(out, "--onnx", MODEL.toString(), "--task", "left=logits_a", "--task", "right=logits_b", "--task", "middle=logits_b")),
                "has no task 'middle'");
        assertError(CliRunner.run(train(out, "--onnx", MODEL.toString(), "--task", "left=logits_a", "--task", "right=logits_c")),
                "output of task 'right' 'logits_c' is not a value of hps-multifashion.onnx; closest names: [logits_a, logits_b");
        assertError(CliRunner.run(train(out, "--onnx", MODEL.toString(), "--shared", "Zed", "--task", "left=logits_a", "--task", "right=logits_b")),
                "shared activation 'Zed' is not a value");
        assertError(CliRunner.run(train(out, "--onnx", "missing.onnx", "--task", "left=logits_a")), "--onnx missing.onnx: no such file");
        assertError(CliRunner.run(train(out, "--onnx", MODEL.toString(), "--model", "lenet", "--task", "left=logits_a", "--task", "right=logits_b")),
                "--model and --onnx are exclusive");
        assertError(CliRunner.run(train(out, "--task", "left=logits_a")), "--task applies to --onnx models only");
    }

    private static void assertError(CliRunner.Result r, String message) {
        assertNotEquals(0, r.code(), r.out());
        assertTrue(r.err().contains(message), "expected '" + message + "' in:\n" + r.err());
    }
}
