package io.github.repmtl.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compare on a tiny MultiFashion (generated idx files, 1 epoch): the summary from the result files, resuming per
 * (method, seed) to the same summary, demo --seeds, and one-line errors for bad input.
 */
class CompareCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** t_{1, 0.975} = tan(0.475 pi) = 12.7062047361747 (Student's t with one degree of freedom is the Cauchy distribution). */
    private static final double T1 = Math.tan(0.475 * Math.PI);
    private static final String REP = "rep-mtl:lambdaTsr=0.001:lambdaCsa=0.1:tau=0.5:csaVariant=paper";

    /** The flags demo --seeds 2 --seed 5 hands to compare (the demo's tiny settings below), with the seeds as a list. */
    private static String[] compare(Path data, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("compare", "--benchmark", "multifashion", "--data", data.toString(), "--seeds", "5,6", "--methods",
                "stl,ew," + REP, "--reference", "ew", "--epochs", "1", "--batch-size", "32", "--train-size", "32", "--val-size", "64", "--test-size", "64",
                "--lr", "0.001", "--weight-decay", "0", "--no-progress", "--out", out.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static Map<Path, Object[]> snapshot(Path runs) throws Exception {
        Map<Path, Object[]> files = new LinkedHashMap<>();
        try (var walk = Files.walk(runs)) {
            for (Path p : walk.filter(p -> p.getFileName().toString().equals(CompareResult.FILE)).sorted().toList())
                files.put(p, new Object[]{Files.readAllBytes(p), Files.getLastModifiedTime(p)});
        }
        return files;
    }

    private static ObjectNode withoutTimes(Path resultFile) throws Exception {
        ObjectNode n = (ObjectNode) JSON.readTree(resultFile.toFile());
        n.remove(List.of("trainingSeconds", "secondsPerEpoch"));
        return n;
    }

    @TempDir
    static Path shared;
    private static Path data, demo, out;
    private static CliRunner.Result first;

    /** The demo with --seeds 2 on tiny data, once for the tests that need its results. */
    private static synchronized void demoOnce() throws Exception {
        if (first != null) return;
        // 200 / 200 generated images, so that every class appears among the items of the 64 test pairs (Delta-p divides by accuracies)
        data = TinyFashion.write(shared.resolve("fashion"), 200, 200, 3);
        demo = shared.resolve("demo");
        out = demo.resolve("compare");
        first = CliRunner.run("demo", "--seeds", "2", "--seed", "5", "--data", data.toString(), "--train-size", "32", "--val-size", "64",
                "--test-size", "64", "--batch", "32", "--epochs", "1", "--no-progress", "--out", demo.toString());
    }

    @Test
    void demoSeedsIsCompareWhichSummarisesTheResultFilesAndResumesPerMethodAndSeed(@TempDir Path dir) throws Exception {
        demoOnce();
        assertEquals(0, first.code(), first.out() + first.err());
        assertTrue(first.out().contains("6 run(s) trained, 0 reused"), "2 seeds of stl (one run of 2 models), ew, rep-mtl: " + first.out());
        assertFalse(Files.exists(demo.resolve("ew")), "the single-seed demo's runs are not made");
        for (String f : List.of("summary.json", "summary.csv", "summary.txt", "timings.csv")) assertTrue(Files.exists(out.resolve(f)), f);
        for (String png : List.of("delta_p.png", "delta_p_difference.png", "metrics.png"))
            assertNotNull(javax.imageio.ImageIO.read(out.resolve("plots").resolve(png).toFile()), png);
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals(List.of(5, 6), JSON.convertValue(summary.get("seeds"), List.class));
        List<String> methods = new ArrayList<>();
        summary.get("methods").forEach(m -> methods.add(m.get("method").asText()));
        assertEquals(List.of("stl", "ew", REP), methods, "the demo's methods with its lambdas");
        assertEquals("adam(lr=0.001, weightDecay=0.0, schedule=constant)", summary.get("settings").get("optimizer").asText(), "the demo's plain Adam");

        // the summary against a recomputation from the result files: mean, sd and the paired-t interval of Delta-p vs ew (n = 2)
        assertEquals("ew", summary.get("reference").asText());
        assertEquals(List.of("deltaP", "left/accuracy", "right/accuracy"), JSON.convertValue(summary.get("quantities"), List.class));
        Map<String, double[]> deltaP = new LinkedHashMap<>();
        for (String method : methods) {
            String folder = method.replace(':', '_');
            double[] v = new double[2];
            for (int s = 0; s < 2; s++) v[s] = JSON.readTree(out.resolve("runs/" + folder + "/seed-" + (5 + s) + "/result.json").toFile()).get("testDeltaP").asDouble();
            deltaP.put(method, v);
        }
        assertArrayEquals(new double[]{0, 0}, deltaP.get("stl"), "stl is Delta-p's reference: 0 on every seed");
        JsonNode rep = summary.get("methods").get(2).get("quantities").get("deltaP");
        double[] r = deltaP.get(REP), e = deltaP.get("ew");
        assertEquals((r[0] + r[1]) / 2, rep.get("mean").asDouble(), 1e-12);
        assertEquals(Math.abs(r[0] - r[1]) / Math.sqrt(2), rep.get("sd").asDouble(), 1e-12);   // sample sd of two values: |a - b| / sqrt(2)
        double d0 = r[0] - e[0], d1 = r[1] - e[1], mean = (d0 + d1) / 2, half = T1 * (Math.abs(d0 - d1) / Math.sqrt(2)) / Math.sqrt(2);
        JsonNode diff = rep.get("difference");
        assertEquals(mean, diff.get("mean").asDouble(), 1e-9);
        assertEquals(mean - half, diff.get("pairedT").get(0).asDouble(), 1e-9);
        assertEquals(mean + half, diff.get("pairedT").get(1).asDouble(), 1e-9);
        // with 2 seeds every bootstrap resample's mean is d0, d1 or their mean: the interval lies in [min d, max d]
        assertTrue(diff.get("bootstrap").get(0).asDouble() >= Math.min(d0, d1) - 1e-12 && diff.get("bootstrap").get(1).asDouble() <= Math.max(d0, d1) + 1e-12,
                diff.toString());
        assertTrue(summary.get("methods").get(1).get("quantities").get("deltaP").get("difference").isNull(), "no difference for the reference itself");
        int wins = 0, ties = 0;
        for (JsonNode m : summary.get("methods")) {
            wins += m.get("wins").asInt();
            ties += m.get("ties").asInt();
        }
        assertTrue(wins + ties >= 2 && wins <= 2, "each seed is one win or two or more ties: wins " + wins + ", ties " + ties);
        List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals("method,quantity,seeds,mean,sd,reference,difference,difference_sd,t_low,t_high,bootstrap_low,bootstrap_high,wins,ties", csv.get(0));
        assertEquals(1 + 3 * 3, csv.size(), "a row per method and quantity");
        assertTrue(first.out().contains("(reference)") && first.out().contains("paired t 95%"), first.out());

        // compare with the demo's flags finds every run done and writes the same summary
        byte[] summaryJson = Files.readAllBytes(out.resolve("summary.json")), summaryCsv = Files.readAllBytes(out.resolve("summary.csv"));
        CliRunner.Result same = CliRunner.run(compare(data, out));
        assertEquals(0, same.code(), same.out() + same.err());
        assertTrue(same.out().contains("0 run(s) trained, 6 reused"), same.out());
        assertArrayEquals(summaryJson, Files.readAllBytes(out.resolve("summary.json")));

        // kill-free resume: delete one finished (method, seed); the rerun retrains only that one and writes the same summary
        Path deleted = out.resolve("runs/ew/seed-6/result.json");
        ObjectNode before = withoutTimes(deleted);
        Files.delete(deleted);
        Map<Path, Object[]> kept = snapshot(out.resolve("runs"));
        Thread.sleep(20);
        CliRunner.Result again = CliRunner.run(compare(data, out));
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("1 run(s) trained, 5 reused"), again.out());
        assertTrue(again.out().contains("seed 6 ew: trained in"), again.out());
        assertEquals(5, again.out().lines().filter(l -> l.contains(": done earlier (")).count(), again.out());
        for (Map.Entry<Path, Object[]> k : kept.entrySet()) {
            assertArrayEquals((byte[]) k.getValue()[0], Files.readAllBytes(k.getKey()), k.getKey() + " untouched");
            assertEquals((FileTime) k.getValue()[1], Files.getLastModifiedTime(k.getKey()), k.getKey() + " not rewritten");
        }
        assertEquals(before, withoutTimes(deleted), "the retrained run equals the deleted one (but for its wall time)");
        assertArrayEquals(summaryJson, Files.readAllBytes(out.resolve("summary.json")), "summary.json identical after the resume");
        assertArrayEquals(summaryCsv, Files.readAllBytes(out.resolve("summary.csv")), "summary.csv identical after the resume");

        // results trained with other settings are not mixed in
        CliRunner.Result other = CliRunner.run(compare(data, out, "--eval-batch-size", "64"));
        assertEquals(2, other.code());
        assertTrue(other.err().contains("runs/stl/seed-5/result.json was trained with other settings (evalBatchSize: 32 then, 64 now)"), other.err());
        CliRunner.Result one = CliRunner.run("demo", "--seeds", "1", "--out", dir.resolve("one").toString());
        assertEquals(2, one.code());
        assertTrue(one.err().contains("--seeds 1: the confidence intervals need at least 2 seeds"), one.err());
    }

    @Test
    void sparkTasksGiveTheLocalResults(@TempDir Path dir) throws Exception {
        demoOnce();
        assertEquals(0, first.code(), first.out() + first.err());
        Path spark = dir.resolve("spark");
        CliRunner.Result r = CliRunner.run(compare(data, spark, "--spark-master", "local[2]"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("6 run(s) trained, 0 reused"), r.out());
        assertEquals(6, r.out().lines().filter(l -> l.contains(" (Spark task)")).count(), r.out());
        assertArrayEquals(Files.readAllBytes(out.resolve("summary.json")), Files.readAllBytes(spark.resolve("summary.json")), "summary.json as the local run's");
        assertArrayEquals(Files.readAllBytes(out.resolve("summary.csv")), Files.readAllBytes(spark.resolve("summary.csv")), "summary.csv as the local run's");
        Map<Path, Object[]> local = snapshot(out.resolve("runs"));
        assertEquals(6, local.size());
        for (Path p : local.keySet()) assertEquals(withoutTimes(p), withoutTimes(spark.resolve("runs").resolve(out.resolve("runs").relativize(p))), p.toString());
    }

    @Test
    void aRepMtlScheduleTrainsWithItsValuesByEpoch(@TempDir Path dir) throws Exception {
        Path fashion = TinyFashion.write(dir.resolve("fashion"), 200, 200, 5);
        Path schedule = dir.resolve("best-schedule.json");
        Files.writeString(schedule, "{\"segments\": [{\"fromEpoch\": 0, \"lambdaTsr\": 0.9, \"lambdaCsa\": 0.9, \"tau\": 0.5},"
                + " {\"fromEpoch\": 1, \"lambdaTsr\": 0.001, \"lambdaCsa\": 0.1, \"tau\": 0.25}]}");
        Path result = dir.resolve("compare");
        CliRunner.Result r = CliRunner.run("compare", "--benchmark", "multifashion", "--data", fashion.toString(), "--seeds", "1,2", "--methods",
                "stl,rep-mtl:schedule", "--lambda-schedule", schedule.toString(), "--epochs", "2", "--batch-size", "32", "--train-size", "32",
                "--val-size", "64", "--test-size", "64", "--lr", "1e-3", "--no-progress", "--out", result.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("note: rep-mtl:schedule takes lambdaTsr, lambdaCsa and tau by epoch from " + schedule), r.out());
        JsonNode segments = JSON.readTree(result.resolve("runs/rep-mtl_schedule/seed-1/result.json").toFile())
                .get("settings").get("method").get("repMtl").get("schedule").get("segments");
        assertEquals(2, segments.size(), segments.toString());
        assertEquals(0.001, segments.get(1).get("lambdaTsr").asDouble());
        assertEquals("stl", JSON.readTree(result.resolve("summary.json").toFile()).get("reference").asText(), "without ew the first method is the reference");
    }

    private static void assertOneLineError(CliRunner.Result r, String expected) {
        assertTrue(r.code() != 0, "exit code " + r.code());
        assertEquals(1, r.errorLines(), r.err());
        assertTrue(r.err().startsWith("repmtl: "), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }

    @Test
    void badInputGivesOneLineErrorsBeforeAnyTraining(@TempDir Path dir) {
        String out = dir.resolve("never").toString();
        String[] base = {"compare", "--benchmark", "multifashion", "--out", out};
        assertOneLineError(CliRunner.run(concat(base, "--methods", "stl,ew,nope")), "unknown method 'nope'");
        assertOneLineError(CliRunner.run(concat(base, "--seeds", "1")), "--seeds 1: the confidence intervals need at least 2 seeds");
        assertOneLineError(CliRunner.run(concat(base, "--seeds", "7,")), "--seeds 7,: the confidence intervals need at least 2 seeds");
        assertOneLineError(CliRunner.run(concat(base, "--seeds", "1,1")), "--seeds lists a seed twice: 1,1");
        assertOneLineError(CliRunner.run(concat(base, "--seeds", "a,b")), "--seeds must be a count N or a list of seeds like 1,2,3, got 'a,b'");
        assertOneLineError(CliRunner.run(concat(base, "--seeds", "1,2", "--seed", "3")), "--seed sets the first seed of --seeds N");
        assertOneLineError(CliRunner.run(concat(base, "--methods", "stl,ew", "--reference", "uw")), "--reference uw is not among --methods [stl, ew]");
        assertOneLineError(CliRunner.run(concat(base, "--epochs", "0")), "--epochs must be >= 1, got 0");
        assertOneLineError(CliRunner.run(concat(base, "--lr", "-1")), "--lr must be > 0");
        assertOneLineError(CliRunner.run(concat(base, "--bootstrap-resamples", "0")), "--bootstrap-resamples must be >= 1");
        assertOneLineError(CliRunner.run(concat(base, "--methods", "rep-mtl,ew+rep-mtl")), "methods 'rep-mtl' and 'ew+rep-mtl' train the same configuration");
        assertOneLineError(CliRunner.run(concat(base, "--methods", "ew,EW")), "method 'ew' is listed twice");
        assertOneLineError(CliRunner.run(concat(base, "--methods", "rep-mtl:config")), "config needs --config FILE");
        assertOneLineError(CliRunner.run(concat(base, "--methods", "stl,rep-mtl:config", "--config", dir.resolve("no.json").toString())),
                "configuration file " + dir.resolve("no.json") + " does not exist");
        assertOneLineError(CliRunner.run(concat(base, "--model", "resnet18")), "model 'resnet18' does not fit benchmark multifashion");
        assertOneLineError(CliRunner.run(concat(base, "--optimizer", "lion")), "unknown optimizer 'lion'");
        assertOneLineError(CliRunner.run("compare", "--methods", "stl,ew"), "Missing required option: '--benchmark=NAME'");
        assertFalse(Files.exists(dir.resolve("never")), "nothing is written for bad input");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
