package io.github.repmtl.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One-line errors with a non-zero exit for bad flags, data and paths; LibMTL's flag names parse to the same settings. */
class CliErrorsAndAliasesTest {

    private static void assertOneLineError(CliRunner.Result r, String expected) {
        assertTrue(r.code() != 0, "exit code " + r.code());
        assertEquals(1, r.errorLines(), r.err());
        assertTrue(r.err().startsWith("repmtl: "), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
    }

    @Test
    void badFlagsAndValuesGiveOneLine(@TempDir Path dir) {
        assertOneLineError(CliRunner.run("train", "--benchmark", "multifashion", "--no-such-flag"), "Unknown option: '--no-such-flag'");
        assertOneLineError(CliRunner.run("train", "--benchmark", "imagenet"), "unknown benchmark 'imagenet'; valid: [multifashion");
        assertOneLineError(CliRunner.run("train", "--benchmark", "multifashion", "--model", "resnet18"), "model 'resnet18' does not fit benchmark multifashion");
        assertOneLineError(CliRunner.run("train", "--benchmark", "multifashion", "--strategy", "nope"), "unknown multi-task strategy 'nope'");
        assertOneLineError(CliRunner.run("train", "--benchmark", "multifashion", "--weighting", "EW", "--calpha", "0.4"),
                "--calpha is an option of strategy cagrad, but the strategy is ew");
        assertOneLineError(CliRunner.run("train", "--benchmark", "multifashion", "--lambda-tsr", "1.1"), "need --rep-mtl or --config");
        assertOneLineError(CliRunner.run("train", "--benchmark", "multifashion", "--arch", "MTAN"), "only HPS");
        assertOneLineError(CliRunner.run("train", "--benchmark", "multifashion", "--scheduler", "exp"), "unknown schedule 'exp'");
        assertOneLineError(CliRunner.run("train", "--benchmark", "multifashion", "--config", dir.resolve("best.json").toString()),
                "configuration file " + dir.resolve("best.json") + " does not exist");
        assertOneLineError(CliRunner.run("search", "--benchmark", "multifashion", "--generator", "annealing"), "unknown generator 'annealing'");
        assertOneLineError(CliRunner.run("eval", "--benchmark", "multifashion", "--split", "dev", "--model-dir", dir.toString()), "unknown split 'dev'");
    }

    @Test
    void missingDataAndPathsGiveOneLine(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-such-folder");
        assertOneLineError(CliRunner.run("train", "--benchmark", "multifashion", "--data", missing.toString(), "--no-progress"),
                "data folder " + missing + " does not exist");
        assertOneLineError(CliRunner.run("train", "--benchmark", "nyuv2", "--no-progress"), "nyuv2 needs --data");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRunner.Result fashion = CliRunner.run("train", "--benchmark", "multifashion", "--data", empty.toString(), "--no-progress");
        assertOneLineError(fashion, "Fashion-MNIST directory " + empty + " lacks [train-images-idx3-ubyte[.gz]");
        CliRunner.Result nyu = CliRunner.run("train", "--benchmark", "nyuv2", "--data", empty.toString(), "--model", "segnet", "--no-progress");
        assertTrue(nyu.code() != 0 && nyu.err().startsWith("repmtl: NYUv2 data in " + empty + " is not usable"), nyu.err());
        assertOneLineError(CliRunner.run("eval", "--benchmark", "multifashion", "--model-dir", empty.toString()), "no saved model in " + empty);
        assertOneLineError(CliRunner.run("analyze", "--model-dir", missing.toString()), "no saved model in " + missing);
        CliRunner.Result verbose = CliRunner.run("analyze", "--model-dir", missing.toString(), "--verbose");
        assertTrue(verbose.err().contains("\tat "), "--verbose prints the stack trace");
    }

    private static TrainCommand parse(String... args) {
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void libMtlFlagNamesParseToTheSameSettings() {
        TrainCommand libMtl = parse("--dataset", "nyuv2", "--dataset_path", "/data/nyu", "--weighting", "CAGrad", "--calpha", "0.4", "--rescale", "0",
                "--arch", "HPS", "--rep_grad", "--optim", "sgd", "--momentum", "0.9", "--weight_decay", "1e-4", "--scheduler", "step",
                "--step_size", "50", "--gamma", "0.3", "--train_bs", "8", "--test_bs", "4", "--epochs", "3", "--seed", "7", "--save_path", "out", "--aug");
        TrainCommand ours = parse("--benchmark", "nyuv2", "--data", "/data/nyu", "--strategy", "cagrad", "--strategy-option", "c=0.4",
                "--strategy-option", "rescale=0", "--gradient-mode", "representation", "--optimizer", "sgd", "--momentum", "0.9", "--weight-decay", "1e-4",
                "--schedule", "step", "--step-size", "50", "--gamma", "0.3", "--batch-size", "8", "--eval-batch-size", "4", "--epochs", "3",
                "--seed", "7", "--out", "out", "--augment");
        TrainCommand.Settings a = libMtl.settings(Benchmark.NYUV2), b = ours.settings(Benchmark.NYUV2);
        assertEquals("cagrad", a.strategy());
        assertEquals(Map.of("c", "0.4", "rescale", "0"), a.strategyOptions());
        assertEquals("sgd(lr=1.0E-4, weightDecay=1.0E-4, momentum=0.9, schedule=step(50, 0.3))", a.optimizer().toString());
        assertEquals(b.strategy(), a.strategy());
        assertEquals(b.strategyOptions(), a.strategyOptions());
        assertEquals(b.gradientMode(), a.gradientMode());
        assertEquals(b.optimizer().toString(), a.optimizer().toString());
        assertEquals(b.model(), a.model());
        assertEquals(b.epochs(), a.epochs());
        for (TrainCommand c : new TrainCommand[]{libMtl, ours}) {
            assertEquals("nyuv2", c.data.benchmark);
            assertEquals(Path.of("/data/nyu"), c.data.data);
            assertEquals(8, c.data.batchSize);
            assertEquals(4, c.data.evaluationBatchSize());
            assertEquals(7, c.data.seed);
            assertTrue(c.data.augment);
            assertEquals(Path.of("out"), c.out);
        }
        TrainCommand cosine = parse("--dataset", "office_31", "--weighting", "Nash_MTL", "--update_weights_every", "2", "--optim_niter", "5",
                "--max_norm", "2.0", "--scheduler", "cos", "--multi_input");
        TrainCommand.Settings c = cosine.settings(Benchmark.of(cosine.data.benchmark));
        assertEquals("nash-mtl", c.strategy());
        assertEquals(Map.of("updateWeightsEvery", "2", "maxIterations", "5", "maxNorm", "2.0"), c.strategyOptions());
        assertEquals("resnet18", c.model());
        assertEquals("adam(lr=1.0E-4, weightDecay=1.0E-5, schedule=cosine(10))", c.optimizer().toString());
        assertNull(c.gradientMode());
        assertThrows(IllegalArgumentException.class, () -> parse("--dataset", "nyuv2", "--weighting", "DWA", "--rep_grad").settings(Benchmark.NYUV2),
                "DWA has no representation mode");
    }
}
