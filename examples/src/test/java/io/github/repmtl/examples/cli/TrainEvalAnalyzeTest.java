package io.github.repmtl.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train (with resume) on a tiny MultiFashion, then eval and analyze of the saved model. */
class TrainEvalAnalyzeTest {
    @TempDir
    static Path dir;
    static Path data, out, baselines;
    static CliRunner.Result first, resumed;
    static final ObjectMapper JSON = new ObjectMapper();

    static String[] dataFlags() {
        return new String[]{"--benchmark", "multifashion", "--data", data.toString(), "--train-size", "48", "--val-size", "16", "--test-size", "24",
                "--batch-size", "16", "--seed", "3"};
    }

    static String[] train(String... extra) {
        return Stream.of(new String[]{"train"}, dataFlags(), new String[]{"--rep-mtl", "--lr", "1e-3", "--out", out.toString(), "--no-progress",
                        "--baselines", baselines.toString()}, extra)
                .flatMap(Stream::of).toArray(String[]::new);
    }

    @BeforeAll
    static void trainTwice() throws Exception {
        data = TinyFashion.write(dir.resolve("fashion"), 40, 20, 5);
        out = dir.resolve("run");
        baselines = Files.writeString(dir.resolve("chance.json"), "{\"name\": \"chance\", \"tasks\": {\"left\": {\"accuracy\": 10}, \"right\": {\"accuracy\": 10}}}");
        first = CliRunner.run(train("--epochs", "1"));
        resumed = CliRunner.run(train("--epochs", "2", "--resume"));
    }

    @Test
    void trainWritesLogsCheckpointsModelPlotsAndResumes() throws Exception {
        assertEquals(0, first.code(), first.out() + first.err());
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(first.out().contains("Rep-MTL {tasks=[left, right], lambdaTsr=0.9, lambdaCsa=0.9"), first.out());
        assertTrue(first.out().contains("selected epoch [0] by validation Delta-p"), first.out());
        List<String> epochs = Files.readAllLines(out.resolve("logs/epochs.jsonl"));
        assertEquals(2, epochs.size(), "epoch 0 from the first run, epoch 1 from the resumed one");
        assertEquals(1, JSON.readTree(epochs.get(1)).get("epoch").asInt());
        assertEquals(1 + 2 * 3, Files.readAllLines(out.resolve("logs/steps.csv")).size(), "header + 3 steps of 16 pairs per epoch");
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/checkpoint-epoch-0001.zip")));
        assertTrue(Files.size(out.resolve("model/model.fb")) > 10_000);
        for (String png : List.of("loss.png", "metric.png", "delta_p.png", "task_weights.png"))
            assertTrue(Files.size(out.resolve("plots").resolve(png)) > 1000, png);
        JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
        assertEquals("ew", run.get("strategy").asText());
        assertEquals("lenet", run.get("model").asText());
        assertEquals("chance", run.get("baselines").asText());
        assertEquals("adam(lr=0.001, weightDecay=1.0E-5, schedule=constant)", run.get("optimizer").asText());
    }

    @Test
    void evalOfTheSavedModelReproducesTheLastEpochsTestMetrics() throws Exception {
        Path json = dir.resolve("eval.json");
        String[] args = Stream.of(new String[]{"eval", "--model-dir", out.resolve("model").toString(), "--split", "test", "--json", json.toString()},
                dataFlags()).flatMap(Stream::of).toArray(String[]::new);
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("left           accuracy"), r.out());
        assertTrue(r.out().contains("no bundled baselines"), r.out());
        assertTrue(Files.readString(json).contains("\"metrics\""));
        CliRunner.Result withBaselines = CliRunner.run(Stream.concat(Stream.of(args), Stream.of("--baselines", baselines.toString())).toArray(String[]::new));
        JsonNode loggedDeltaP = JSON.readTree(Files.readAllLines(out.resolve("logs/epochs.jsonl")).get(1)).get("testDeltaP");
        assertTrue(withBaselines.out().contains(String.format(java.util.Locale.ROOT, "Delta-p: %+.2f %% (task-averaged)", loggedDeltaP.get("task").asDouble())),
                withBaselines.out());
        JsonNode logged = JSON.readTree(Files.readAllLines(out.resolve("logs/epochs.jsonl")).get(1)).get("test");
        JsonNode evaluated = JSON.readTree(json.toFile()).get("metrics");
        for (String task : List.of("left", "right"))
            assertEquals(logged.get(task).get("accuracy").asDouble(), evaluated.get(task).get("accuracy").asDouble(), 1e-9, task);
    }

    @Test
    void analyzePrintsPerLayerAlphasAndGroupsBackboneAndHeads() throws Exception {
        Path analysis = dir.resolve("analysis");
        CliRunner.Result r = CliRunner.run("analyze", "--model-dir", out.resolve("model").toString(), "--out", analysis.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> csv = Files.readAllLines(analysis.resolve("powerlaw-layers.csv"));
        assertEquals("layer,group,shape,matrices,rows,columns,eigenvalues,lambda_max,alpha,xmin,ks_distance,tail_size", csv.get(0));
        java.util.Map<String, String[]> rows = new java.util.HashMap<>();
        for (String l : csv.subList(1, csv.size())) rows.put(l.split(",")[0], l.split(","));
        // conv1 is 9x9x1x10: 81 taps of 1x10, one eigenvalue each; fc is 500x50: 50 eigenvalues
        assertEquals("backbone", rows.get("trunk/conv1/W")[1]);
        assertEquals("81", rows.get("trunk/conv1/W")[3]);
        assertEquals("81", rows.get("trunk/conv1/W")[6]);
        assertEquals("backbone", rows.get("trunk/fc/W")[1]);
        assertEquals("50", rows.get("trunk/fc/W")[6]);
        assertEquals("head:left", rows.get("left/fc1/W")[1]);
        assertEquals("head:right", rows.get("right/fc1/W")[1]);
        for (String[] row : rows.values()) {
            double alpha = Double.parseDouble(row[8]);
            assertTrue(alpha > 1 && Double.isFinite(alpha), row[0] + " alpha " + alpha);
            assertTrue(r.out().contains(row[0]), "table lists " + row[0]);
        }
        assertFalse(rows.containsKey("trunk/conv1/b"), "biases are not analysed");
        assertEquals("10", rows.get("left/fc2/W")[6], "a 50x10 head output layer has 10 eigenvalues");
        List<String> groups = Files.readAllLines(analysis.resolve("powerlaw-groups.csv"));
        assertEquals(List.of("backbone", "head:left", "head:right"), groups.subList(1, groups.size()).stream().map(l -> l.split(",")[0]).toList());
        assertNotNull(javax.imageio.ImageIO.read(analysis.resolve("spectral-density.png").toFile()));
    }
}
