package io.github.repmtl.arbiter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.repmtl.samediff.metrics.TaskResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of one candidate, as written to {@code candidates/candidate-NNNNN.json} and as one row of
 * {@code results.csv}: its index in the generator's sequence, the configuration, the status, the score under
 * the objective, the validation metrics and Delta-p it was scored on, the validation losses, the wall time, and
 * for a failed candidate the error.
 *
 * @param index            position in the generator's sequence (0-based)
 * @param status           completed or failed
 * @param candidate        the configuration as the generator proposed it
 * @param objective        what {@code score} measures
 * @param score            the score, {@code null} for a failed candidate
 * @param selectedEpochs   epochs chosen by the trainer's model selection
 * @param deltaPTask       Delta-p_task of the metrics epoch, {@code null} without baselines
 * @param deltaPMetric     Delta-p_metric of the metrics epoch, {@code null} without baselines
 * @param deltaPPerTask    per-task Delta-p of the metrics epoch (empty without baselines)
 * @param metrics          validation metrics per task and metric name of the metrics epoch
 * @param validationLosses mean validation loss per task after the last epoch
 * @param seconds          wall time of the candidate (training and evaluation)
 * @param finishedAt       when the record was written
 * @param error            exception class and message of a failed candidate, else {@code null}
 * @param stackTrace       its stack trace, else {@code null}
 */
public record CandidateRecord(int index, Status status, RepMtlCandidate candidate, SearchObjective objective, Double score,
                              List<Integer> selectedEpochs, Double deltaPTask, Double deltaPMetric, Map<String, Double> deltaPPerTask,
                              Map<String, Map<String, Double>> metrics, Map<String, Double> validationLosses, double seconds,
                              Instant finishedAt, String error, String stackTrace) {

    /** Whether the candidate trained and was scored. */
    public enum Status { COMPLETED, FAILED }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public CandidateRecord {
        if (index < 0) throw new IllegalArgumentException("candidate index must be >= 0, got " + index);
        if (status == null || candidate == null || objective == null || finishedAt == null)
            throw new IllegalArgumentException("candidate " + index + ": status, configuration, objective and time are required");
        if (status == Status.COMPLETED && (score == null || !Double.isFinite(score)))
            throw new IllegalArgumentException("candidate " + index + ": a completed candidate needs a finite score, got " + score);
        if (status == Status.FAILED && error == null) throw new IllegalArgumentException("candidate " + index + ": a failed candidate needs its error");
        selectedEpochs = List.copyOf(selectedEpochs);
        deltaPPerTask = Collections.unmodifiableMap(new LinkedHashMap<>(deltaPPerTask));
        Map<String, Map<String, Double>> m = new LinkedHashMap<>();
        metrics.forEach((task, values) -> m.put(task, Collections.unmodifiableMap(new LinkedHashMap<>(values))));
        metrics = Collections.unmodifiableMap(m);
        validationLosses = Collections.unmodifiableMap(new LinkedHashMap<>(validationLosses));
    }

    static CandidateRecord completed(int index, RepMtlCandidate candidate, SearchObjective objective, double score, CandidateEvaluation e,
                                     double seconds, Instant finishedAt) {
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        for (TaskResult r : e.metrics().values()) metrics.put(r.task(), r.values());
        return new CandidateRecord(index, Status.COMPLETED, candidate, objective, score, e.selectedEpochs(),
                e.deltaP() == null ? null : e.deltaP().taskAveraged(), e.deltaP() == null ? null : e.deltaP().metricAveraged(),
                e.deltaP() == null ? Map.of() : e.deltaP().perTask(), metrics, e.validationLosses(), seconds, finishedAt, null, null);
    }

    static CandidateRecord failed(int index, RepMtlCandidate candidate, SearchObjective objective, Throwable error, double seconds, Instant finishedAt) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        return new CandidateRecord(index, Status.FAILED, candidate, objective, null, List.of(), null, null, Map.of(), Map.of(), Map.of(),
                seconds, finishedAt, describe(error), trace.toString());
    }

    /** The exception and its causes as {@code Class: message <- Cause: message}. */
    private static String describe(Throwable error) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (sb.length() > 0) sb.append(" <- ");
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return sb.toString();
    }

    public boolean isCompleted() { return status == Status.COMPLETED; }

    /** The sum of the per-task validation losses, {@code NaN} when there are none (failed candidates). */
    public double validationLoss() {
        return validationLosses.isEmpty() ? Double.NaN : validationLosses.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** The record as pretty-printed JSON. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("index", index);
        root.put("status", status.name());
        root.put("objective", objective.name());
        if (score == null) root.putNull("score");
        else root.put("score", score);
        root.set("config", candidate.toJson());
        ArrayNode epochs = root.putArray("selectedEpochs");
        selectedEpochs.forEach(epochs::add);
        ObjectNode dp = root.putObject("deltaP");
        putNullable(dp, "taskAveraged", deltaPTask);
        putNullable(dp, "metricAveraged", deltaPMetric);
        ObjectNode perTask = dp.putObject("perTask");
        deltaPPerTask.forEach(perTask::put);
        ObjectNode m = root.putObject("metrics");
        metrics.forEach((task, values) -> {
            ObjectNode t = m.putObject(task);
            values.forEach(t::put);
        });
        ObjectNode losses = root.putObject("validationLosses");
        validationLosses.forEach(losses::put);
        root.put("seconds", seconds);
        root.put("finishedAt", finishedAt.toString());
        root.put("error", error);
        root.put("stackTrace", stackTrace);
        try {
            return JSON.writeValueAsString(root) + System.lineSeparator();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the record of candidate " + index + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a record written by {@link #toJson()}.
     *
     * @param source names the file in error messages
     */
    public static CandidateRecord fromJson(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(source + " must hold a JSON object");
        try {
            JsonNode dp = root.path("deltaP");
            return new CandidateRecord(required(root, "index", source).asInt(),
                    Status.valueOf(required(root, "status", source).asText()),
                    RepMtlCandidate.readJson(required(root, "config", source), source + " config"),
                    SearchObjective.valueOf(required(root, "objective", source).asText()),
                    nullableDouble(root.get("score")), intList(root.path("selectedEpochs")),
                    nullableDouble(dp.get("taskAveraged")), nullableDouble(dp.get("metricAveraged")), doubles(dp.path("perTask")),
                    nested(root.path("metrics")), doubles(root.path("validationLosses")),
                    required(root, "seconds", source).asDouble(), Instant.parse(required(root, "finishedAt", source).asText()),
                    nullableText(root.get("error")), nullableText(root.get("stackTrace")));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException(source + ": invalid candidate record: " + e.getMessage(), e);
        }
    }

    private static void putNullable(ObjectNode node, String key, Double value) {
        if (value == null) node.putNull(key);
        else node.put(key, value);
    }

    private static JsonNode required(JsonNode node, String key, String source) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) throw new IllegalArgumentException(source + ": key '" + key + "' is missing");
        return v;
    }

    private static Double nullableDouble(JsonNode v) { return v == null || v.isNull() ? null : v.asDouble(); }

    private static String nullableText(JsonNode v) { return v == null || v.isNull() ? null : v.asText(); }

    private static List<Integer> intList(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asInt()));
        return out;
    }

    private static Map<String, Double> doubles(JsonNode object) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asDouble());
        }
        return out;
    }

    private static Map<String, Map<String, Double>> nested(JsonNode object) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), doubles(e.getValue()));
        }
        return out;
    }
}
