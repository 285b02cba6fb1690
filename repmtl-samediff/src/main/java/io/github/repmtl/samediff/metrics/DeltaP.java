package io.github.repmtl.samediff.metrics;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The multi-task improvement over a baseline, in percent (Rep-MTL paper, "Delta-p"; the same formula as
 * LibMTL's {@code count_improvement}):
 * <pre>
 *   Delta_p_task   = (1/T) sum_t (1/n_t) sum_k (-1)^{s_tk} (M_tk - M_stl_tk) / M_stl_tk * 100
 *   Delta_p_metric = (1/N) sum_t sum_k      (-1)^{s_tk} (M_tk - M_stl_tk) / M_stl_tk * 100
 * </pre>
 * with {@code s_tk = 1} when lower is better, {@code n_t} the metrics of task {@code t} and {@code N} all
 * metrics. Every metric of every result enters; the baseline must have each of them (it may have more tasks,
 * e.g. when only some of a benchmark's tasks are trained).
 *
 * @param taskAveraged   {@code Delta_p_task}: the per-task improvements averaged over tasks
 * @param metricAveraged {@code Delta_p_metric}: the relative improvements averaged over all metrics
 * @param perTask        the improvement of each task, {@code (1/n_t) sum_k ...}, in result order
 */
public record DeltaP(double taskAveraged, double metricAveraged, Map<String, Double> perTask) {
    public DeltaP {
        perTask = Collections.unmodifiableMap(new LinkedHashMap<>(perTask));
    }

    /** Delta-p of {@code results} against {@code baselines}; a missing task or metric raises an exception naming it. */
    public static DeltaP compute(Collection<TaskResult> results, Baselines baselines) {
        if (results.isEmpty()) throw new IllegalArgumentException("Delta-p needs at least one task result");
        Map<String, Double> perTask = new LinkedHashMap<>();
        double metricSum = 0;
        int metricCount = 0;
        for (TaskResult result : results) {
            double taskSum = 0;
            for (Metric metric : result.metrics()) {
                double reference = baselines.value(result.task(), metric.name());
                double value = result.value(metric.name());
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException("task '" + result.task() + "' metric '" + metric.name() + "' is not finite: " + value);
                }
                double improvement = metric.improvementSign() * (value - reference) / reference * 100.0;
                taskSum += improvement;
                metricSum += improvement;
                metricCount++;
            }
            if (perTask.put(result.task(), taskSum / result.metrics().size()) != null) {
                throw new IllegalArgumentException("task '" + result.task() + "' appears twice in the results");
            }
        }
        double taskAveraged = perTask.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        return new DeltaP(taskAveraged, metricSum / metricCount, perTask);
    }
}
