package io.github.repmtl.samediff.model;

import java.util.Objects;

/**
 * The description of one task of a multi-task model: its name, what it predicts and how many output
 * channels (classes) its head has.
 */
public record TaskSpec(String name, TaskKind kind, int outputs) {
    public TaskSpec {
        Objects.requireNonNull(name, "task name");
        Objects.requireNonNull(kind, "task kind of " + name);
        if (name.isBlank()) throw new IllegalArgumentException("task name must not be blank");
        if (outputs < 1) throw new IllegalArgumentException("task '" + name + "': outputs must be >= 1, got " + outputs);
    }

    public static TaskSpec classification(String name, int classes) { return new TaskSpec(name, TaskKind.CLASSIFICATION, classes); }
    public static TaskSpec segmentation(String name, int classes) { return new TaskSpec(name, TaskKind.SEGMENTATION, classes); }
    public static TaskSpec depth(String name) { return new TaskSpec(name, TaskKind.DEPTH, 1); }
    public static TaskSpec normal(String name) { return new TaskSpec(name, TaskKind.NORMAL, 3); }
}
