package io.github.repmtl.samediff.model;

import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The seam of the toolkit: a SameDiff graph plus the names of everything multi-task code needs in it
 * (one task is allowed, for single-task baselines; Rep-MTL needs at least two).
 * The zoo builds these, users wrap their own graphs in one, Rep-MTL attaches to it, the trainer trains
 * it and the evaluators read it. Every name is checked against the graph when the model is built.
 */
public final class MultiTaskModel {
    private final SameDiff sameDiff;
    private final Map<String, TaskBinding> tasks;
    private final String trainingFlag;
    private final List<StatisticUpdate> statisticUpdates;

    private MultiTaskModel(SameDiff sameDiff, Map<String, TaskBinding> tasks, String trainingFlag, List<StatisticUpdate> statisticUpdates) {
        this.sameDiff = sameDiff;
        this.tasks = Collections.unmodifiableMap(tasks);
        this.trainingFlag = trainingFlag;
        this.statisticUpdates = List.copyOf(statisticUpdates);
    }

    public static Builder builder(SameDiff sameDiff) { return new Builder(sameDiff); }

    public SameDiff sameDiff() { return sameDiff; }

    /** Tasks in declaration order. */
    public List<TaskBinding> tasks() { return List.copyOf(tasks.values()); }

    public List<String> taskNames() { return List.copyOf(tasks.keySet()); }

    public int numTasks() { return tasks.size(); }

    /**
     * Name of a scalar placeholder that switches the graph between training (1) and inference (0) behaviour
     * (batch statistics vs running statistics, dropout on/off), or {@code null} when the graph has none.
     */
    public String trainingFlag() { return trainingFlag; }

    /** Running statistics the trainer must update after each training step (empty for BN-free graphs). */
    public List<StatisticUpdate> statisticUpdates() { return statisticUpdates; }

    public TaskBinding task(String name) {
        TaskBinding b = tasks.get(name);
        if (b == null) throw new IllegalArgumentException("unknown task '" + name + "'; the model has " + tasks.keySet());
        return b;
    }

    /** True when every task has its own input (multi-input / domain-shift benchmarks such as Office-31). */
    public boolean isMultiInput() { return inputs().size() > 1; }

    /** Distinct input placeholders in task order. */
    public List<String> inputs() {
        LinkedHashSet<String> s = new LinkedHashSet<>();
        for (TaskBinding b : tasks.values()) s.add(b.input());
        return new ArrayList<>(s);
    }

    /** Distinct shared activations in task order ({@code [Z]} in single-input mode). */
    public List<String> sharedActivations() {
        LinkedHashSet<String> s = new LinkedHashSet<>();
        for (TaskBinding b : tasks.values()) s.add(b.shared());
        return new ArrayList<>(s);
    }

    /** Builds a {@link MultiTaskModel}, validating every variable name against the graph. */
    public static final class Builder {
        private final SameDiff sd;
        private final Map<String, TaskBinding> tasks = new LinkedHashMap<>();
        private final List<StatisticUpdate> statisticUpdates = new ArrayList<>();
        private String trainingFlag;

        private Builder(SameDiff sd) { this.sd = Objects.requireNonNull(sd, "sameDiff"); }

        public Builder task(TaskSpec spec, String input, String shared, String output, String label, String loss) {
            return task(new TaskBinding(spec, input, shared, output, label, loss));
        }

        public Builder task(TaskBinding binding) {
            if (tasks.containsKey(binding.name()))
                throw new IllegalArgumentException("task '" + binding.name() + "' declared twice");
            for (String v : new String[]{binding.input(), binding.shared(), binding.output(), binding.label(), binding.loss()})
                requireVariable(v, "task '" + binding.name() + "'");
            tasks.put(binding.name(), binding);
            return this;
        }

        /** Declares the training/inference switch placeholder (see {@link MultiTaskModel#trainingFlag()}). */
        public Builder trainingFlag(String placeholder) {
            requireVariable(placeholder, "training flag");
            this.trainingFlag = placeholder;
            return this;
        }

        /** Declares a running statistic to update after every training step. */
        public Builder statisticUpdate(StatisticUpdate update) {
            requireVariable(update.variable(), "running statistic");
            requireVariable(update.batchValue(), "batch statistic");
            statisticUpdates.add(update);
            return this;
        }

        private void requireVariable(String name, String what) {
            if (!sd.hasVariable(name)) throw new IllegalArgumentException(what + ": no variable named '" + name + "' in the graph");
        }

        public MultiTaskModel build() {
            if (tasks.isEmpty()) throw new IllegalArgumentException("a model needs at least one task");
            return new MultiTaskModel(sd, new LinkedHashMap<>(tasks), trainingFlag, statisticUpdates);
        }
    }
}
