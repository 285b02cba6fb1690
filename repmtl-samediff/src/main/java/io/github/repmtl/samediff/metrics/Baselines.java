package io.github.repmtl.samediff.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reference values {@code M_stl} of Delta-p, per task and metric: usually single-task learning results,
 * or the epoch-0 evaluation of the run itself (LibMTL's behaviour, see {@link #fromResults}).
 *
 * <p>File format (JSON), keyed by the task and metric names the evaluators use:
 * <pre>{@code
 * { "name": "nyuv2",
 *   "description": "free text",
 *   "tasks": { "segmentation": { "mIoU": 53.50, "pixAcc": 75.39 },
 *              "depth": { "absErr": 0.3926, "relErr": 0.1605 } } }
 * }</pre>
 * Values must be in the units of the run's results: the evaluators and the bundled files follow the
 * convention of {@link TaskEvaluator} (percentages in [0, 100], as printed in the papers' tables). Delta-p is
 * a ratio, so any unit works as long as run and baseline agree; a fraction against a percentage does not.
 * Every value must be finite and non-zero.
 *
 * <p>Bundled baselines ({@link #bundled}): the single-task (STL) rows of the Rep-MTL paper for
 * {@value #NYUV2} (tasks {@code segmentation}, {@code depth}, {@code normal}), {@value #CITYSCAPES}
 * ({@code segmentation}, {@code depth}), {@value #OFFICE_31} ({@code amazon}, {@code dslr}, {@code webcam})
 * and {@value #OFFICE_HOME} ({@code art}, {@code clipart}, {@code product}, {@code real_world}).
 */
public final class Baselines {
    public static final String NYUV2 = "nyuv2";
    public static final String CITYSCAPES = "cityscapes";
    public static final String OFFICE_31 = "office-31";
    public static final String OFFICE_HOME = "office-home";

    private static final List<String> BUNDLED = List.of(NYUV2, CITYSCAPES, OFFICE_31, OFFICE_HOME);
    private static final String RESOURCE_DIRECTORY = "/io/github/repmtl/samediff/baselines/";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String name;
    private final String description;
    private final Map<String, Map<String, Double>> values;

    private Baselines(String name, String description, Map<String, Map<String, Double>> values, String source) {
        if (values.isEmpty()) throw new IllegalArgumentException("baseline '" + name + "' (" + source + ") has no task");
        Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
        values.forEach((task, metrics) -> {
            if (metrics.isEmpty()) throw new IllegalArgumentException("baseline '" + name + "' (" + source + "): task '" + task + "' has no metric");
            metrics.forEach((metric, value) -> {
                if (value == null || !Double.isFinite(value) || value == 0) {
                    throw new IllegalArgumentException("baseline '" + name + "' (" + source + "): task '" + task + "' metric '" + metric
                            + "' must be finite and non-zero (Delta-p divides by it), got " + value);
                }
            });
            copy.put(task, Collections.unmodifiableMap(new LinkedHashMap<>(metrics)));
        });
        this.name = name;
        this.description = description;
        this.values = Collections.unmodifiableMap(copy);
    }

    /** A baseline from values in memory: task -> metric -> value. */
    public static Baselines of(String name, Map<String, Map<String, Double>> values) {
        return new Baselines(name, "", values, "in memory");
    }

    /**
     * The results of one evaluation taken as the reference, e.g. the epoch-0 evaluation (LibMTL's default
     * when no single-task results are given).
     */
    public static Baselines fromResults(String name, Collection<TaskResult> results) {
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        for (TaskResult result : results) {
            if (values.put(result.task(), result.values()) != null) {
                throw new IllegalArgumentException("baseline '" + name + "': task '" + result.task() + "' appears twice in the results");
            }
        }
        return new Baselines(name, "evaluation results", values, "evaluation results");
    }

    /** Reads a baseline file in the format above; errors name the file. */
    public static Baselines load(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("baseline file " + file + " does not exist");
        try (InputStream in = Files.newInputStream(file)) {
            String fallbackName = file.getFileName().toString().replaceFirst("\\.json$", "");
            return parse(in, fallbackName, "file " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read baseline file " + file + ": " + e.getMessage(), e);
        }
    }

    /** One of the paper's single-task baselines shipped with the library; see {@link #bundledNames()}. */
    public static Baselines bundled(String benchmark) {
        String key = benchmark.toLowerCase(Locale.ROOT);
        if (!BUNDLED.contains(key)) {
            throw new IllegalArgumentException("no bundled baseline '" + benchmark + "'; available: " + BUNDLED);
        }
        String resource = RESOURCE_DIRECTORY + key + ".json";
        try (InputStream in = Baselines.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("bundled baseline resource " + resource + " is missing from the classpath");
            return parse(in, key, "resource " + resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled baseline " + resource + ": " + e.getMessage(), e);
        }
    }

    /** Names accepted by {@link #bundled(String)}. */
    public static List<String> bundledNames() { return BUNDLED; }

    private static Baselines parse(InputStream in, String fallbackName, String source) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("baseline " + source + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("baseline " + source + " must be a JSON object");
        String name = root.path("name").asText(fallbackName);
        JsonNode tasks = root.get("tasks");
        if (tasks == null || !tasks.isObject()) {
            throw new IllegalArgumentException("baseline " + source + " needs an object \"tasks\": {task: {metric: value}}");
        }
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tasks.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> task = it.next();
            if (!task.getValue().isObject()) {
                throw new IllegalArgumentException("baseline " + source + ": task '" + task.getKey() + "' must map metric names to numbers");
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> m = task.getValue().fields(); m.hasNext(); ) {
                Map.Entry<String, JsonNode> metric = m.next();
                if (!metric.getValue().isNumber()) {
                    throw new IllegalArgumentException("baseline " + source + ": task '" + task.getKey() + "' metric '" + metric.getKey()
                            + "' is not a number: " + metric.getValue());
                }
                metrics.put(metric.getKey(), metric.getValue().doubleValue());
            }
            values.put(task.getKey(), metrics);
        }
        return new Baselines(name, root.path("description").asText(""), values, source);
    }

    /** Writes this baseline in the file format above (e.g. to keep an epoch-0 reference). */
    public void save(Path file) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        root.put("description", description);
        ObjectNode tasks = root.putObject("tasks");
        values.forEach((task, metrics) -> {
            ObjectNode node = tasks.putObject(task);
            metrics.forEach(node::put);
        });
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            JSON.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write baseline file " + file + ": " + e.getMessage(), e);
        }
    }

    public String name() { return name; }

    /** Free-text provenance of the values (empty when unknown). */
    public String description() { return description; }

    /** Task names in file order. */
    public Set<String> tasks() { return values.keySet(); }

    /** The metrics of one task in file order; an unknown task raises an exception naming it. */
    public Map<String, Double> metrics(String task) {
        Map<String, Double> metrics = values.get(task);
        if (metrics == null) {
            throw new IllegalArgumentException("baseline '" + name + "' has no task '" + task + "'; it has " + values.keySet());
        }
        return metrics;
    }

    /** The reference value of one metric; a missing task or metric raises an exception naming both. */
    public double value(String task, String metric) {
        Double value = metrics(task).get(metric);
        if (value == null) {
            throw new IllegalArgumentException("baseline '" + name + "' has no metric '" + metric + "' for task '" + task
                    + "'; it has " + values.get(task).keySet());
        }
        return value;
    }

    @Override
    public String toString() { return "Baselines[" + name + ": " + values + "]"; }
}
