package io.github.repmtl.examples.cli;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;
import io.github.repmtl.samediff.regularizer.RepMtlSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** search --generator pbt on a tiny MultiFashion: its files, and train --lambda-schedule replaying the best member bit for bit. */
class SearchPbtCommandTest {
    @Test
    void pbtWritesItsReportsAndTrainReplaysTheBestSchedule(@TempDir Path dir) throws Exception {
        Path data = TinyFashion.write(dir.resolve("fashion"), 30, 10, 9);
        Path out = dir.resolve("pbt");
        List<String> common = List.of("--benchmark", "multifashion", "--data", data.toString(), "--train-size", "16", "--val-size", "16",
                "--test-size", "8", "--batch-size", "16");
        String[] search = concat(common, "search", "--generator", "pbt", "--population", "2", "--ready-epochs", "1", "--rounds", "2",
                "--lambda-log-range", "0.3:1.5", "--tau-range", "0.25:1.0", "--resample-probability", "0.5", "--out", out.toString());
        CliRunner.Result r = CliRunner.run(search);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("population-based training of 2 members, 2 rounds of 1 epoch(s)"), r.out());
        for (String f : List.of("pbt.json", "schedules.csv", "lineage.csv", "best-schedule.json", "best-config.json", "search.json",
                "model/model.fb", "plots/pbt-schedules.png"))
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        assertEquals(1 + 2 * 2, Files.readAllLines(out.resolve("lineage.csv")).size());
        List<String> lineage = Files.readAllLines(out.resolve("lineage.csv"));
        long copies = lineage.subList(1, 3).stream().filter(l -> !l.split(",", -1)[7].isEmpty()).count();
        assertEquals(1, copies, "after round 0 the worse of the two members copies the better: " + lineage);
        RepMtlSchedule best = RepMtlSchedule.load(out.resolve("best-schedule.json"));
        assertTrue(r.out().contains("--lambda-schedule " + out.resolve("best-schedule.json")), r.out());

        Path train = dir.resolve("train");
        CliRunner.Result t = CliRunner.run(concat(common, "train", "--config", out.resolve("best-config.json").toString(), "--lambda-schedule",
                out.resolve("best-schedule.json").toString(), "--epochs", "2", "--no-progress", "--out", train.toString()));
        assertEquals(0, t.code(), t.out() + t.err());
        assertTrue(t.out().contains(best.canonical().segments().size() == 1 ? "lambdaTsr=" + best.at(0).lambdaTsr() : "schedule=" + best.canonical()), t.out());
        MultiTaskModel pbt = MultiTaskModelFiles.load(out.resolve("model")), replay = MultiTaskModelFiles.load(train.resolve("model"));
        int n = 0;
        for (SDVariable v : pbt.sameDiff().variables()) {
            if (v.getVariableType() != VariableType.VARIABLE) continue;
            assertArrayEquals(v.getArr().data().asDouble(), replay.sameDiff().getVariable(v.name()).getArr().data().asDouble(), v.name());
            n++;
        }
        assertTrue(n > 4, "weights compared: " + n);

        CliRunner.Result bad = CliRunner.run(concat(common, "train", "--lambda-schedule", dir.resolve("none.json").toString(), "--no-progress"));
        assertTrue(bad.code() != 0 && bad.err().contains("Rep-MTL schedule file " + dir.resolve("none.json") + " does not exist"), bad.err());
        bad = CliRunner.run(concat(common, "train", "--lambda-schedule", out.resolve("best-schedule.json").toString(), "--lambda-tsr", "1", "--no-progress"));
        assertTrue(bad.code() != 0 && bad.err().contains("give it or --lambda-tsr/--lambda-csa/--tau, not both"), bad.err());
        bad = CliRunner.run(concat(common, "search", "--generator", "pbt", "--population", "1", "--out", dir.resolve("p1").toString()));
        assertTrue(bad.code() != 0 && bad.err().contains("population must be >= 2"), bad.err());
        bad = CliRunner.run(concat(common, "search", "--generator", "pbt", "--epochs-per-candidate", "3", "--out", dir.resolve("p2").toString()));
        assertTrue(bad.code() != 0 && bad.err().contains("--epochs-per-candidate does not apply to --generator pbt"), bad.err());
        bad = CliRunner.run(concat(common, "search", "--rounds", "3", "--out", dir.resolve("p3").toString()));
        assertTrue(bad.code() != 0 && bad.err().contains("need --generator pbt"), bad.err());
    }

    private static String[] concat(List<String> common, String... first) {
        String[] out = new String[first.length + common.size()];
        out[0] = first[0];
        for (int i = 0; i < common.size(); i++) out[1 + i] = common.get(i);
        System.arraycopy(first, 1, out, 1 + common.size(), first.length - 1);
        return out;
    }
}
