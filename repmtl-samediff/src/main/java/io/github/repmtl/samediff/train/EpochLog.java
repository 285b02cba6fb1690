package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.metrics.DeltaP;
import io.github.repmtl.samediff.metrics.Metric;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts epoch summaries to JSON-ready maps and back (checkpoints and the JSON-lines log share this form). */
final class EpochLog {
    private EpochLog() {}

    static List<Map<String, Object>> toJson(List<EpochSummary> epochs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (EpochSummary e : epochs) out.add(toJson(e));
        return out;
    }

    static Map<String, Object> toJson(EpochSummary e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", e.epoch());
        m.put("seconds", e.seconds());
        m.put("trainLoss", e.trainLosses());
        m.put("validation", results(e.validation()));
        m.put("validationDeltaP", deltaP(e.validationDeltaP()));
        m.put("test", results(e.test()));
        m.put("testDeltaP", deltaP(e.testDeltaP()));
        return m;
    }

    private static Map<String, Object> results(Map<String, TaskResult> r) {
        if (r == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        r.forEach((task, res) -> m.put(task, res.values()));
        return m;
    }

    private static Map<String, Object> deltaP(DeltaP d) {
        if (d == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", d.taskAveraged());
        m.put("metric", d.metricAveraged());
        m.put("perTask", d.perTask());
        return m;
    }

    @SuppressWarnings("unchecked")
    static List<EpochSummary> fromJson(List<Map<String, Object>> list, MultiTaskModel model) {
        List<EpochSummary> out = new ArrayList<>();
        if (list == null) return out;
        for (Map<String, Object> m : list) {
            out.add(new EpochSummary(((Number) m.get("epoch")).intValue(), doubles((Map<String, Object>) m.get("trainLoss")),
                    results((Map<String, Object>) m.get("validation"), model), deltaP((Map<String, Object>) m.get("validationDeltaP")),
                    results((Map<String, Object>) m.get("test"), model), deltaP((Map<String, Object>) m.get("testDeltaP")),
                    ((Number) m.get("seconds")).doubleValue()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, TaskResult> results(Map<String, Object> m, MultiTaskModel model) {
        if (m == null) return null;
        Map<String, TaskResult> r = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            List<Metric> metrics = io.github.repmtl.samediff.metrics.TaskEvaluators.forTask(model.task(e.getKey()).spec()).metrics();
            r.put(e.getKey(), new TaskResult(e.getKey(), metrics, doubles((Map<String, Object>) e.getValue())));
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private static DeltaP deltaP(Map<String, Object> m) {
        if (m == null) return null;
        return new DeltaP(((Number) m.get("task")).doubleValue(), ((Number) m.get("metric")).doubleValue(), doubles((Map<String, Object>) m.get("perTask")));
    }

    private static Map<String, Double> doubles(Map<String, Object> m) {
        Map<String, Double> d = new LinkedHashMap<>();
        if (m != null) m.forEach((k, v) -> d.put(k, ((Number) v).doubleValue()));
        return d;
    }
}
