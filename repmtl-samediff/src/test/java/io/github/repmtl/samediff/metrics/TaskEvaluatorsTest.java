package io.github.repmtl.samediff.metrics;

import io.github.repmtl.samediff.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TaskEvaluatorsTest {

    @Test
    void evaluatorAndMetricDirectionsFollowTheTaskKind() {
        Map<String, TaskEvaluator> evaluators = TaskEvaluators.forTasks(List.of(
                TaskSpec.segmentation("segmentation", 13), TaskSpec.depth("depth"), TaskSpec.normal("normal"),
                TaskSpec.classification("amazon", 31)));
        assertEquals(List.of("segmentation", "depth", "normal", "amazon"), List.copyOf(evaluators.keySet()));
        assertInstanceOf(SegmentationEvaluator.class, evaluators.get("segmentation"));
        assertInstanceOf(DepthEvaluator.class, evaluators.get("depth"));
        assertInstanceOf(NormalEvaluator.class, evaluators.get("normal"));
        assertInstanceOf(ClassificationEvaluator.class, evaluators.get("amazon"));
        assertEquals(List.of(Metric.higherIsBetter("mIoU"), Metric.higherIsBetter("pixAcc")), evaluators.get("segmentation").metrics());
        assertEquals(List.of(Metric.lowerIsBetter("absErr"), Metric.lowerIsBetter("relErr")), evaluators.get("depth").metrics());
        assertEquals(List.of(Metric.lowerIsBetter("meanAngle"), Metric.lowerIsBetter("medianAngle"), Metric.higherIsBetter("within11.25"),
                Metric.higherIsBetter("within22.5"), Metric.higherIsBetter("within30")), evaluators.get("normal").metrics());
        assertEquals(List.of(Metric.higherIsBetter("accuracy")), evaluators.get("amazon").metrics());
        assertEquals("depth", evaluators.get("depth").task());
    }

    @Test
    void duplicateTaskNamesAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> TaskEvaluators.forTasks(List.of(TaskSpec.depth("d"), TaskSpec.normal("d"))));
    }
}
