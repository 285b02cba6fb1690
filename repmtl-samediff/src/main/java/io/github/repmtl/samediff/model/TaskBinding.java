package io.github.repmtl.samediff.model;

import java.util.Objects;

/**
 * Where one task lives in a multi-task SameDiff graph: the input placeholder that feeds it, the shared
 * activation its head reads ({@code Z}, or {@code Z_t} in multi-input mode), its prediction, its label
 * placeholder and its scalar loss variable.
 */
public record TaskBinding(TaskSpec spec, String input, String shared, String output, String label, String loss) {
    public TaskBinding {
        Objects.requireNonNull(spec, "task spec");
        for (String[] f : new String[][]{{"input", input}, {"shared", shared}, {"output", output}, {"label", label}, {"loss", loss}}) {
            if (f[1] == null || f[1].isBlank())
                throw new IllegalArgumentException("task '" + spec.name() + "': " + f[0] + " variable name is missing");
        }
    }

    public String name() { return spec.name(); }
}
