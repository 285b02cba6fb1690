package io.github.repmtl.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spark driver killed with SIGKILL during training ({@code repmtl train --spark-master local[2]} in its own JVM),
 * then {@code --resume}d, writes the same model/model.fb byte for byte as the uninterrupted run.
 */
class SparkDriverKillTest {
    @TempDir
    static Path dir;

    private static String[] train(Path data, Path out, String... extra) {
        return Stream.of(new String[]{"train", "--benchmark", "multifashion", "--data", data.toString(), "--train-size", "64", "--val-size", "16",
                "--test-size", "16", "--batch-size", "8", "--seed", "3", "--rep-mtl", "--lr", "1e-3", "--epochs", "4", "--out", out.toString(),
                "--no-progress", "--spark-master", "local[2]", "--workers", "2", "--training-master", "averaging", "--averaging-frequency", "2"}, extra)
                .flatMap(Stream::of).toArray(String[]::new);
    }

    @Test
    void aKilledDriverResumesExactly() throws Exception {
        Path data = TinyFashion.write(dir.resolve("fashion"), 40, 20, 7);
        CliRunner.Result whole = CliRunner.run(train(data, dir.resolve("whole")));
        assertEquals(0, whole.code(), whole.err());

        Path killed = dir.resolve("killed");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());       // heap and Spark's module options
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RepMtlCli.class.getName()));
        command.addAll(List.of(train(data, killed)));
        Process driver = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("driver.log").toFile()).start();
        try {
            Path first = killed.resolve("checkpoints/checkpoint-epoch-0000.zip");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.exists(first) && driver.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(Files.exists(first), "epoch 0's checkpoint within 180 s; driver log:\n" + Files.readString(dir.resolve("driver.log")));
            assertTrue(driver.isAlive(), "the driver is still training when it is killed");
            driver.destroyForcibly();                                                 // SIGKILL: no shutdown hooks
            assertTrue(driver.waitFor(60, TimeUnit.SECONDS));
        } finally {
            if (driver.isAlive()) driver.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        }
        assertFalse(Files.exists(killed.resolve("model/model.fb")), "killed before the end");
        assertFalse(Files.exists(killed.resolve("checkpoints/checkpoint-epoch-0003.zip")), "killed before the last epoch");

        CliRunner.Result resumed = CliRunner.run(train(data, killed, "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("whole/model/model.fb")), Files.readAllBytes(killed.resolve("model/model.fb")),
                "model/model.fb of the killed and resumed run");
    }
}
