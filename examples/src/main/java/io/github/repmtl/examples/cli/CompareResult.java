package io.github.repmtl.examples.cli;

import io.github.repmtl.arbiter.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one (method, seed) of {@code repmtl compare}, as stored in its {@code result.json}: the settings it
 * was trained with, the validation and test metrics at the selected epoch (for {@code stl}: each task's own model at its
 * own selected epoch), the test Delta-p against the single-task baselines of the same seed (0 for {@code stl}) and
 * the training time. Written atomically (temporary file, then rename), so a file that exists is complete.
 *
 * @param method          the method's label
 * @param seed            the seed
 * @param settings        the run's settings (common settings and the method's description); a rerun must match them
 * @param selectedEpochs  the selected epoch per task ({@code stl}) or under the key {@code "model"}
 * @param validation      task -> metric -> value on the validation split (empty without one)
 * @param test            task -> metric -> value on the test split
 * @param testDeltaP      task-averaged Delta-p on the test split, in percent
 * @param trainingSeconds wall time of the training epochs (all single-task models for {@code stl})
 * @param secondsPerEpoch mean seconds per epoch (for {@code stl} the sum over the tasks' models)
 */
record CompareResult(String method, long seed, ObjectNode settings, Map<String, Integer> selectedEpochs,
                     Map<String, Map<String, Double>> validation, Map<String, Map<String, Double>> test, double testDeltaP,
                     double trainingSeconds, double secondsPerEpoch) {
    static final String FILE = "result.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("method", method);
        n.put("seed", seed);
        n.set("settings", settings);
        ObjectNode e = n.putObject("selectedEpochs");
        selectedEpochs.forEach(e::put);
        n.set("validation", metrics(validation));
        n.set("test", metrics(test));
        n.put("testDeltaP", testDeltaP);
        n.put("trainingSeconds", trainingSeconds);
        n.put("secondsPerEpoch", secondsPerEpoch);
        return n;
    }

    private static ObjectNode metrics(Map<String, Map<String, Double>> values) {
        ObjectNode n = JSON.createObjectNode();
        values.forEach((task, metrics) -> {
            ObjectNode t = n.putObject(task);
            metrics.forEach(t::put);
        });
        return n;
    }

    /** Writes {@code result.json} into {@code dir} atomically. */
    void write(Path dir) {
        writeAtomically(dir.resolve(FILE), json(toJson()));
    }

    /** Reads a result file; errors name it. */
    static CompareResult read(Path file) {
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("result file " + file + " is not readable JSON (" + e.getMessage() + "); delete it to train it again", e);
        }
        try {
            Map<String, Integer> epochs = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.get("selectedEpochs").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                epochs.put(e.getKey(), e.getValue().intValue());
            }
            return new CompareResult(n.get("method").textValue(), n.get("seed").longValue(), (ObjectNode) n.get("settings"), epochs,
                    metrics(n.get("validation")), metrics(n.get("test")), n.get("testDeltaP").doubleValue(), n.get("trainingSeconds").doubleValue(),
                    n.get("secondsPerEpoch").doubleValue());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("result file " + file + " lacks a field of a compare result; delete it to train it again", e);
        }
    }

    private static Map<String, Map<String, Double>> metrics(JsonNode node) {
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> task = it.next();
            Map<String, Double> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> mt = task.getValue().fields(); mt.hasNext(); ) {
                Map.Entry<String, JsonNode> metric = mt.next();
                m.put(metric.getKey(), metric.getValue().doubleValue());
            }
            values.put(task.getKey(), m);
        }
        return values;
    }

    /** Pretty JSON text of a node, ending with a newline. */
    static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code text} to {@code file} through a temporary file in the same folder and a rename. */
    static void writeAtomically(Path file, String text) { AtomicFiles.writeString(file, text); }
}
