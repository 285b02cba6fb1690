package io.github.repmtl.examples.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reference values of {@link TrainingCheck} runs (per model, per step: every task loss, TSR, CSA, objective),
 * written on the CPU backend and compared on another: JSON
 * {@code {"backend": "CPU", "build": "...", "models": {"lenet": [{"step": 1, "values": {"left": 2.3, ...}}, ...]}}}.
 * The comparison is float32-tolerant: {@link #relativeError} {@code |a - r| / max(|r|, FLOOR)} below a tolerance.
 */
public record LossReference(String backend, String build, Map<String, List<Map<String, Double>>> models) {
    /** The bundled reference (made on the CPU backend of this project's build machine). */
    public static final String BUNDLED = "/io/github/repmtl/examples/doctor/cpu-reference.json";
    /** Values smaller than this are compared absolutely (a near-zero CSA). */
    public static final double FLOOR = 1e-6;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Builds a reference from runs of {@link TrainingCheck}, in the order given. */
    public static LossReference of(String backend, String build, Map<String, List<TrainingCheck.Step>> runs) {
        Map<String, List<Map<String, Double>>> models = new LinkedHashMap<>();
        runs.forEach((model, steps) -> models.put(model, steps.stream().map(TrainingCheck.Step::values).toList()));
        return new LossReference(backend, build, models);
    }

    public static LossReference read(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("reference file not found: " + file);
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reference " + file + ": " + e.getMessage(), e);
        }
    }

    /** The bundled reference, or null when the resource is missing. */
    public static LossReference bundled() {
        try (InputStream in = LossReference.class.getResourceAsStream(BUNDLED)) {
            return in == null ? null : parse(in, "bundled " + BUNDLED);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LossReference parse(InputStream in, String what) throws IOException {
        JsonNode root = JSON.readTree(in);
        if (root == null || !root.path("models").isObject()) throw new IllegalArgumentException(what + ": not a doctor reference (no 'models' object)");
        Map<String, List<Map<String, Double>>> models = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("models").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<Map<String, Double>> steps = new ArrayList<>();
            for (JsonNode s : e.getValue()) {
                Map<String, Double> values = new LinkedHashMap<>();
                s.path("values").fields().forEachRemaining(v -> values.put(v.getKey(), v.getValue().asDouble()));
                steps.add(values);
            }
            models.put(e.getKey(), steps);
        }
        return new LossReference(root.path("backend").asText("?"), root.path("build").asText(""), models);
    }

    public void write(Path file) {
        ObjectNode root = JSON.createObjectNode();
        root.put("backend", backend);
        root.put("build", build);
        root.put("note", "written by 'repmtl doctor --write-reference'; float32 Rep-MTL (EW) steps of TrainingCheck");
        ObjectNode ms = root.putObject("models");
        models.forEach((model, steps) -> {
            ArrayNode a = ms.putArray(model);
            for (int i = 0; i < steps.size(); i++) {
                ObjectNode s = a.addObject();
                s.put("step", i + 1);
                ObjectNode v = s.putObject("values");
                steps.get(i).forEach(v::put);
            }
        });
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write reference " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code |actual - reference| / max(|reference|, FLOOR)}; infinite when either is not finite. */
    public static double relativeError(double actual, double reference) {
        if (!Double.isFinite(actual) || !Double.isFinite(reference)) return Double.POSITIVE_INFINITY;
        return Math.abs(actual - reference) / Math.max(Math.abs(reference), FLOOR);
    }

    /**
     * The comparison of one step: the largest relative error over the reference's values and which value it was;
     * {@code missing} names a reference value the step lacks (then the error is infinite).
     */
    public record Comparison(String worstValue, double worstError, String missing) {
        public boolean within(double tolerance) { return missing == null && worstError <= tolerance; }
    }

    /** Compares step {@code step} (1-based) of {@code model}, or null when the reference has no such step. */
    public Comparison compare(String model, TrainingCheck.Step step) {
        List<Map<String, Double>> steps = models.get(model);
        if (steps == null || step.step() > steps.size()) return null;
        Map<String, Double> ref = steps.get(step.step() - 1), actual = step.values();
        String worst = null;
        double err = -1;
        for (Map.Entry<String, Double> e : ref.entrySet()) {
            Double a = actual.get(e.getKey());
            if (a == null) return new Comparison(e.getKey(), Double.POSITIVE_INFINITY, e.getKey());
            double r = relativeError(a, e.getValue());
            if (r > err) {
                err = r;
                worst = e.getKey();
            }
        }
        return new Comparison(worst, Math.max(err, 0), null);
    }
}
