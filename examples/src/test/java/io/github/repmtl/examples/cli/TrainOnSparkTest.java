package io.github.repmtl.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code repmtl train --spark-master local[1] --workers 1} writes the same model, byte for byte, as without Spark. */
class TrainOnSparkTest {
    @TempDir
    static Path dir;

    private static String[] train(Path data, Path out, String... extra) {
        return Stream.of(new String[]{"train", "--benchmark", "multifashion", "--data", data.toString(), "--train-size", "48", "--val-size", "16",
                "--test-size", "16", "--batch-size", "16", "--seed", "3", "--rep-mtl", "--lr", "1e-3", "--epochs", "2", "--out", out.toString(),
                "--no-progress"}, extra).flatMap(Stream::of).toArray(String[]::new);
    }

    @Test
    void oneSparkWorkerWritesTheSingleMachineModel() throws Exception {
        Path data = TinyFashion.write(dir.resolve("fashion"), 40, 20, 7);
        CliRunner.Result local = CliRunner.run(train(data, dir.resolve("local")));
        assertEquals(0, local.code(), local.err());
        CliRunner.Result spark = CliRunner.run(train(data, dir.resolve("spark"), "--spark-master", "local[1]", "--workers", "1", "--training-master", "gradient"));
        assertEquals(0, spark.code(), spark.err());
        assertTrue(spark.out().contains("Spark local[1] (gradient master, 1 worker(s))"), spark.out());
        assertArrayEquals(Files.readAllBytes(dir.resolve("local/model/model.fb")), Files.readAllBytes(dir.resolve("spark/model/model.fb")),
                "model/model.fb with and without Spark");
    }

    @Test
    void sparkFlagsAreChecked() throws Exception {
        Path data = TinyFashion.write(dir.resolve("fashion-errors"), 40, 20, 7);
        CliRunner.Result r = CliRunner.run(train(data, dir.resolve("e1"), "--workers", "2"));
        assertTrue(r.code() != 0 && r.err().contains("--workers 2 needs --spark-master"), r.err());
        r = CliRunner.run(train(data, dir.resolve("e2"), "--spark-master", "local[1]", "--training-master", "sync"));
        assertTrue(r.code() != 0 && r.err().contains("unknown --training-master 'sync'; available: gradient, averaging"), r.err());
        r = CliRunner.run(train(data, dir.resolve("e3"), "--spark-master", "local[1]", "--averaging-frequency", "3"));
        assertTrue(r.code() != 0 && r.err().contains("--averaging-frequency, --aggregation-depth and --worker-prefetch need --training-master averaging"), r.err());
        r = CliRunner.run(train(data, dir.resolve("e4"), "--spark-master", "local[1]", "--training-master", "averaging", "--averaging-frequency", "0"));
        assertTrue(r.code() != 0 && r.err().contains("averagingFrequency must be >= 1, got 0"), r.err());
    }

    @Test
    void oneAveragingWorkerWritesTheSingleMachineModel() throws Exception {
        Path data = TinyFashion.write(dir.resolve("fashion-avg"), 40, 20, 7);
        CliRunner.Result local = CliRunner.run(train(data, dir.resolve("local-avg")));
        assertEquals(0, local.code(), local.err());
        CliRunner.Result spark = CliRunner.run(train(data, dir.resolve("spark-avg"), "--spark-master", "local[1]", "--workers", "1",
                "--training-master", "averaging", "--averaging-frequency", "2"));
        assertEquals(0, spark.code(), spark.err());
        assertTrue(spark.out().contains("Spark local[1] (averaging master, 1 worker(s))"), spark.out());
        assertArrayEquals(Files.readAllBytes(dir.resolve("local-avg/model/model.fb")), Files.readAllBytes(dir.resolve("spark-avg/model/model.fb")),
                "model/model.fb with and without Spark");
    }
}
