package io.github.repmtl.samediff.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.autodiff.samediff.SameDiff;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Saves and loads a {@link MultiTaskModel} as a directory: {@code model.fb} (SameDiff FlatBuffers, weights
 * included) and {@code model.json} (tasks, variable names, training flag, running statistics).
 */
public final class MultiTaskModelFiles {
    public static final String GRAPH = "model.fb";
    public static final String DESCRIPTION = "model.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private MultiTaskModelFiles() {}

    public static void save(MultiTaskModel model, Path dir) {
        try {
            Files.createDirectories(dir);
            model.sameDiff().save(dir.resolve(GRAPH).toFile(), false);
            ObjectNode root = JSON.createObjectNode();
            ArrayNode tasks = root.putArray("tasks");
            for (TaskBinding t : model.tasks()) {
                ObjectNode n = tasks.addObject();
                n.put("name", t.name()).put("kind", t.spec().kind().name().toLowerCase(Locale.ROOT)).put("outputs", t.spec().outputs())
                        .put("input", t.input()).put("shared", t.shared()).put("output", t.output()).put("label", t.label()).put("loss", t.loss());
            }
            if (model.trainingFlag() != null) root.put("trainingFlag", model.trainingFlag());
            ArrayNode stats = root.putArray("statisticUpdates");
            for (StatisticUpdate u : model.statisticUpdates())
                stats.addObject().put("variable", u.variable()).put("batchValue", u.batchValue()).put("momentum", u.momentum());
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(DESCRIPTION).toFile(), root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot save model to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A copy of {@code model} as saving and loading it gives. SameDiff M2.1 orders a loaded graph's operations
     * differently from the graph as built, which changes the order in which gradients are summed (float32 results
     * differ in the last bits); a second copy behaves as the first. Train a copy where the same run must also be
     * reproducible from saved files (Spark executors train a loaded copy).
     */
    public static MultiTaskModel copyOf(MultiTaskModel model) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("repmtl-model");
            save(model, dir);
            return load(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a temporary copy of the model: " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary copy left behind is harmless
                }
            }
        }
    }

    public static MultiTaskModel load(Path dir) {
        Path graph = dir.resolve(GRAPH), description = dir.resolve(DESCRIPTION);
        if (!Files.isRegularFile(graph)) throw new IllegalArgumentException("no saved model in " + dir + ": " + GRAPH + " is missing");
        if (!Files.isRegularFile(description)) throw new IllegalArgumentException("no saved model in " + dir + ": " + DESCRIPTION + " is missing");
        JsonNode root;
        SameDiff sd;
        try {
            root = JSON.readTree(description.toFile());
            sd = SameDiff.load(graph.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot load model from " + dir + ": " + e.getMessage(), e);
        }
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd);
        for (JsonNode t : root.path("tasks")) {
            TaskSpec spec = new TaskSpec(t.path("name").asText(), TaskKind.valueOf(t.path("kind").asText().toUpperCase(Locale.ROOT)), t.path("outputs").asInt());
            b.task(spec, t.path("input").asText(), t.path("shared").asText(), t.path("output").asText(), t.path("label").asText(), t.path("loss").asText());
        }
        if (root.hasNonNull("trainingFlag")) b.trainingFlag(root.get("trainingFlag").asText());
        for (JsonNode u : root.path("statisticUpdates"))
            b.statisticUpdate(new StatisticUpdate(u.path("variable").asText(), u.path("batchValue").asText(), u.path("momentum").asDouble()));
        return b.build();
    }
}
