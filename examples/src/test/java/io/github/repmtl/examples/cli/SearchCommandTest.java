package io.github.repmtl.examples.cli;

import io.github.repmtl.arbiter.RepMtlCandidate;
import io.github.repmtl.samediff.regularizer.CsaVariant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** search: a two-candidate grid on a tiny MultiFashion exports a configuration that train --config reads. */
class SearchCommandTest {
    @Test
    void gridSearchWritesResultsAndABestConfigurationForTrain(@TempDir Path dir) throws Exception {
        Path data = TinyFashion.write(dir.resolve("fashion"), 30, 10, 9);
        Path out = dir.resolve("search");
        CliRunner.Result r = CliRunner.run("search", "--benchmark", "multifashion", "--data", data.toString(), "--train-size", "32", "--val-size", "16",
                "--test-size", "8", "--batch-size", "16", "--lambda-tsr", "0.7", "--lambda-csa", "0.9,1.3", "--tau", "0.25", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("objective validation-loss"), "no bundled multifashion baselines: " + r.out());
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(3, csv.size(), "header + 2 candidates: " + csv);
        RepMtlCandidate best = RepMtlCandidate.load(out.resolve("best-config.json"));
        assertEquals(0.7, best.lambdaTsr());
        assertTrue(best.lambdaCsa() == 0.9 || best.lambdaCsa() == 1.3, best.toString());
        assertEquals(0.25, best.tau());
        assertTrue(r.out().contains("best configuration: " + out.resolve("best-config.json")), r.out());

        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs("--benchmark", "multifashion", "--config", out.resolve("best-config.json").toString(), "--tau", "0.4");
        TrainCommand.Settings s = train.settings(Benchmark.MULTIFASHION);
        assertTrue(s.repMtl(), "--config implies Rep-MTL");
        assertEquals(best.learningRate(), s.learningRate());
        assertEquals("ew", s.strategy());
        var model = ZooModels.create("lenet", tinyData(data), 1, null);
        var repMtl = train.repMtl.build(model);
        assertEquals(best.lambdaCsa(), repMtl.lambdaCsa());
        assertEquals(0.4, repMtl.tau(), "an explicit flag overrides the configuration file");
        assertEquals(CsaVariant.PAPER, repMtl.csaVariant());
    }

    private static BenchmarkData tinyData(Path data) {
        DataOptions o = new DataOptions();
        new CommandLine(o).parseArgs("--benchmark", "multifashion", "--data", data.toString(), "--train-size", "8", "--val-size", "4", "--test-size", "4");
        return BenchmarkData.open(o);
    }
}
