package io.github.repmtl.samediff.strategy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Fluent construction of a registered strategy: {@code Strategies.builder("cagrad").tasks("seg", "depth")
 * .option("c", 0.4).mode(GradientMode.PARAMETERS).build()}. Options are validated by {@link #build()} exactly
 * as by {@link Strategies#create(String, List, Map)}.
 */
public final class StrategyBuilder {
    private final String name;
    private List<String> tasks;
    private final Map<String, String> options = new LinkedHashMap<>();
    private GradientMode mode;

    StrategyBuilder(String name) {
        this.name = name;
    }

    public StrategyBuilder tasks(String... taskNames) {
        return tasks(Arrays.asList(taskNames));
    }

    public StrategyBuilder tasks(List<String> taskNames) {
        this.tasks = List.copyOf(Objects.requireNonNull(taskNames, "task names"));
        return this;
    }

    /** Sets an option; numbers and strings are both accepted and validated at {@link #build()}. */
    public StrategyBuilder option(String option, Object value) {
        options.put(Objects.requireNonNull(option, "option name"), String.valueOf(value));
        return this;
    }

    /** Requires the strategy to support this gradient mode. */
    public StrategyBuilder mode(GradientMode mode) {
        this.mode = Objects.requireNonNull(mode, "gradient mode");
        return this;
    }

    public MultiTaskStrategy build() {
        if (tasks == null) throw new IllegalArgumentException("strategy '" + name + "': task names are not set");
        return mode == null ? Strategies.create(name, tasks, options) : Strategies.create(name, tasks, options, mode);
    }
}
