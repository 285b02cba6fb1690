package io.github.repmtl.samediff.metrics;

import io.github.repmtl.samediff.model.TaskSpec;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Creates the benchmark evaluator that fits a task's kind. */
public final class TaskEvaluators {
    private TaskEvaluators() {}

    /**
     * The evaluator of a task: accuracy for classification, mIoU / pixel accuracy for segmentation, absolute
     * / relative error for depth, angle statistics for normals.
     */
    public static TaskEvaluator forTask(TaskSpec spec) {
        return switch (spec.kind()) {
            case CLASSIFICATION -> new ClassificationEvaluator(spec.name(), spec.outputs());
            case SEGMENTATION -> new SegmentationEvaluator(spec.name(), spec.outputs());
            case DEPTH -> new DepthEvaluator(spec.name());
            case NORMAL -> new NormalEvaluator(spec.name());
        };
    }

    /** One evaluator per task, keyed and ordered by task name; duplicate task names are rejected. */
    public static Map<String, TaskEvaluator> forTasks(Collection<TaskSpec> specs) {
        Map<String, TaskEvaluator> evaluators = new LinkedHashMap<>();
        for (TaskSpec spec : specs) {
            if (evaluators.put(spec.name(), forTask(spec)) != null) {
                throw new IllegalArgumentException("task '" + spec.name() + "' is listed twice");
            }
        }
        return evaluators;
    }
}
