package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.TaskKind;
import io.github.repmtl.samediff.model.TaskSpec;

/** Checks that a task's kind fits a zoo model that predicts per sample or per pixel. */
final class TaskKindCheck {
    private TaskKindCheck() {}

    /** Checks that a task's kind fits a model that predicts per sample ({@code dense = false}) or per pixel. */
    static void requireKind(TaskSpec task, boolean dense, String model) {
        boolean isDense = task.kind() != TaskKind.CLASSIFICATION;
        if (isDense != dense)
            throw new IllegalArgumentException(model + " predicts " + (dense ? "per pixel" : "per sample") + "; task '" + task.name()
                    + "' is " + task.kind());
        if (task.kind() == TaskKind.DEPTH && task.outputs() != 1)
            throw new IllegalArgumentException("depth task '" + task.name() + "' must have 1 output channel, got " + task.outputs());
        if (task.kind() == TaskKind.NORMAL && task.outputs() != 3)
            throw new IllegalArgumentException("normal task '" + task.name() + "' must have 3 output channels, got " + task.outputs());
    }
}
