package io.github.repmtl.samediff.metrics;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The evaluation of one task: its metrics (with their directions) and their values, in the evaluator's
 * order. Values follow the unit convention of {@link TaskEvaluator}: percentages in [0, 100], depth errors
 * in the data's units, angles in degrees.
 */
public record TaskResult(String task, List<Metric> metrics, Map<String, Double> values) implements Serializable {
    public TaskResult {
        Objects.requireNonNull(task, "task name");
        metrics = List.copyOf(metrics);
        if (metrics.isEmpty()) throw new IllegalArgumentException("task '" + task + "': a result needs at least one metric");
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (Metric metric : metrics) {
            Double value = values.get(metric.name());
            if (value == null) {
                throw new IllegalArgumentException("task '" + task + "': no value for metric '" + metric.name() + "'; values have " + values.keySet());
            }
            if (ordered.put(metric.name(), value) != null) {
                throw new IllegalArgumentException("task '" + task + "': metric '" + metric.name() + "' listed twice");
            }
        }
        if (values.size() != ordered.size()) {
            throw new IllegalArgumentException("task '" + task + "': values " + values.keySet() + " do not match the metrics " + ordered.keySet());
        }
        values = Collections.unmodifiableMap(ordered);
    }

    /** The value of one metric; an unknown name raises an exception naming the task and the metric. */
    public double value(String metric) {
        Double value = values.get(metric);
        if (value == null) throw new IllegalArgumentException("task '" + task + "' has no metric '" + metric + "'; it has " + values.keySet());
        return value;
    }
}
