package io.github.repmtl.samediff.metrics;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recomputes the Delta-p values published in the Rep-MTL paper from its table entries. */
class DeltaPTest {
    private static final List<Metric> SEGMENTATION = new SegmentationEvaluator("segmentation", 13).metrics();
    private static final List<Metric> DEPTH = new DepthEvaluator("depth").metrics();
    private static final List<Metric> NORMAL = new NormalEvaluator("normal").metrics();

    private static TaskResult result(String task, List<Metric> metrics, double... values) {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) map.put(metrics.get(i).name(), values[i]);
        return new TaskResult(task, metrics, map);
    }

    private static List<TaskResult> nyuv2(double... v) {
        return List.of(result("segmentation", SEGMENTATION, v[0], v[1]), result("depth", DEPTH, v[2], v[3]),
                result("normal", NORMAL, v[4], v[5], v[6], v[7], v[8]));
    }

    @Test
    void repMtlOnNyuv2() {
        DeltaP deltaP = DeltaP.compute(nyuv2(54.59, 76.04, 0.3750, 0.1542, 21.91, 15.28, 38.37, 64.72, 75.05),
                Baselines.bundled("nyuv2"));
        assertEquals(1.70, deltaP.taskAveraged(), 0.01);
        assertEquals(0.95, deltaP.metricAveraged(), 0.01);
        assertEquals(List.of("segmentation", "depth", "normal"), List.copyOf(deltaP.perTask().keySet()));
        // segmentation: (54.59/53.50 - 1 + 76.04/75.39 - 1) / 2 * 100
        assertEquals((1.09 / 53.50 + 0.65 / 75.39) / 2 * 100, deltaP.perTask().get("segmentation"), 1e-9);
    }

    @Test
    void equalWeightingOnNyuv2() {
        DeltaP deltaP = DeltaP.compute(nyuv2(53.93, 75.53, 0.3825, 0.1577, 23.57, 17.01, 35.04, 60.99, 72.05),
                Baselines.bundled("nyuv2"));
        assertEquals(-1.78, deltaP.taskAveraged(), 0.01);
        assertEquals(-3.85, deltaP.metricAveraged(), 0.01);
    }

    @Test
    void repMtlOnCityscapes() {
        DeltaP deltaP = DeltaP.compute(List.of(result("segmentation", SEGMENTATION, 69.72, 91.85), result("depth", DEPTH, 0.01270, 43.42)),
                Baselines.bundled("cityscapes"));
        assertEquals(0.62, deltaP.taskAveraged(), 0.01);
    }

    @Test
    void aSubsetOfTheBaselineTasksIsFine() {
        DeltaP deltaP = DeltaP.compute(List.of(result("depth", DEPTH, 0.3926 * 0.9, 0.1605 * 1.1)), Baselines.bundled("nyuv2"));
        assertEquals(0.0, deltaP.taskAveraged(), 1e-9);
        assertEquals(0.0, deltaP.metricAveraged(), 1e-9);
    }

    @Test
    void aMissingBaselineTaskOrMetricIsAnErrorNamingIt() {
        IllegalArgumentException task = assertThrows(IllegalArgumentException.class,
                () -> DeltaP.compute(List.of(result("sky", DEPTH, 1, 1)), Baselines.bundled("nyuv2")));
        assertTrue(task.getMessage().contains("'sky'"), task.getMessage());
        Baselines partial = Baselines.of("partial", Map.of("depth", Map.of("absErr", 0.4)));
        IllegalArgumentException metric = assertThrows(IllegalArgumentException.class,
                () -> DeltaP.compute(List.of(result("depth", DEPTH, 1, 1)), partial));
        assertTrue(metric.getMessage().contains("'relErr'") && metric.getMessage().contains("'depth'"), metric.getMessage());
    }

    @Test
    void trackerAgainstTheFirstEvaluation() {
        DeltaPTracker tracker = DeltaPTracker.againstFirstEvaluation();
        assertTrue(tracker.baselines().isEmpty());
        assertTrue(tracker.compute(List.of(result("segmentation", SEGMENTATION, 0, 60), result("depth", DEPTH, 0.5, 0.2))).isEmpty(),
                "a zero metric cannot be the reference");
        assertTrue(tracker.baselines().isEmpty());
        DeltaP first = tracker.compute(List.of(result("segmentation", SEGMENTATION, 40, 60), result("depth", DEPTH, 0.5, 0.2))).orElseThrow();
        assertEquals(0.0, first.taskAveraged(), 0.0);
        DeltaP later = tracker.compute(List.of(result("segmentation", SEGMENTATION, 44, 66), result("depth", DEPTH, 0.45, 0.2))).orElseThrow();
        // segmentation +10 %, +10 % -> +10; depth: -(-10 %) = +10, 0 -> +5; tasks: 7.5; metrics: 30 / 4
        assertEquals(7.5, later.taskAveraged(), 1e-9);
        assertEquals(7.5, later.metricAveraged(), 1e-9);
        assertEquals(40.0, tracker.baselines().orElseThrow().value("segmentation", "mIoU"), 0.0);

        DeltaPTracker fixed = DeltaPTracker.against(Baselines.bundled("office-31"));
        List<Metric> accuracy = new ClassificationEvaluator("amazon", 31).metrics();
        DeltaP office = fixed.compute(List.of(result("amazon", accuracy, 86.61), result("dslr", accuracy, 95.63), result("webcam", accuracy, 96.85 * 1.03))).orElseThrow();
        assertEquals(1.0, office.taskAveraged(), 1e-9);
    }
}
