package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.nn.Dropout;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The settings every zoo model shares, DL4J zoo style: seed, input shape, tasks, data type and dropout, with
 * the defaults of the model's benchmark; {@link #init()} builds the {@link MultiTaskModel}.
 *
 * @param <B> the concrete builder, for fluent chaining
 */
public abstract class HpsModelBuilder<B extends HpsModelBuilder<B>> {
    protected long seed = 1234;
    protected DataType dataType = DataType.FLOAT;
    protected int channels, height, width;
    protected List<TaskSpec> tasks;
    protected boolean dropout = true;
    protected boolean dropoutAtInference = false;
    private boolean tasksGiven;

    protected HpsModelBuilder(int channels, int height, int width, List<TaskSpec> defaultTasks) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.tasks = new ArrayList<>(defaultTasks);
    }

    @SuppressWarnings("unchecked")
    private B self() { return (B) this; }

    /** Seed of the parameter initialisation. */
    public B seed(long seed) { this.seed = seed; return self(); }

    /** Floating-point type of parameters, activations and dense labels (FLOAT by default). */
    public B dataType(DataType dataType) {
        if (!Objects.requireNonNull(dataType, "dataType").isFPType()) throw new IllegalArgumentException("data type must be floating point, got " + dataType);
        this.dataType = dataType;
        return self();
    }

    /** Input {@code [channels, height, width]}; the graph is built for this spatial size. */
    public B inputShape(int channels, int height, int width) {
        if (channels < 1 || height < 1 || width < 1)
            throw new IllegalArgumentException("input shape must be positive, got " + channels + "x" + height + "x" + width);
        this.channels = channels;
        this.height = height;
        this.width = width;
        return self();
    }

    /** Adds a task; the first call replaces the default tasks. */
    public B task(TaskSpec task) {
        if (!tasksGiven) {
            tasks = new ArrayList<>();
            tasksGiven = true;
        }
        tasks.add(Objects.requireNonNull(task, "task"));
        return self();
    }

    /** Replaces the tasks. */
    public B tasks(List<TaskSpec> tasks) {
        this.tasks = new ArrayList<>(tasks);
        this.tasksGiven = true;
        return self();
    }

    /** Whether the model's dropout layers exist at all (on by default; off gives a deterministic graph). */
    public B dropout(boolean enabled) { this.dropout = enabled; return self(); }

    /**
     * Whether dropout stays active at inference (training flag 0), for Monte-Carlo dropout; off by default,
     * as in PyTorch's {@code model.eval()}.
     */
    public B dropoutAtInference(boolean active) { this.dropoutAtInference = active; return self(); }

    /** Builds the SameDiff graph and returns it wrapped as a multi-task model. */
    public abstract MultiTaskModel init();

    /** The dropout layer this configuration asks for. */
    protected Dropout dropoutLayer(double rate) {
        double r = dropout ? rate : 0.0;
        return dropoutAtInference ? Dropout.always(r) : Dropout.switched(r);
    }

    /** Checks the task list: at least two, unique names usable in variable names. */
    protected void validateTasks(String model) {
        if (tasks.isEmpty()) throw new IllegalArgumentException(model + " needs at least 1 task (single-task baselines use 1)");
        Set<String> seen = new HashSet<>();
        for (TaskSpec t : tasks) {
            if (!seen.add(t.name())) throw new IllegalArgumentException(model + ": task '" + t.name() + "' declared twice");
            if (t.name().contains("/") || t.name().contains(" "))
                throw new IllegalArgumentException(model + ": task name '" + t.name() + "' must not contain '/' or spaces");
        }
    }
}
