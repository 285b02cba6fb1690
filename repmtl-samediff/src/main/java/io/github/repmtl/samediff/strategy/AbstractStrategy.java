package io.github.repmtl.samediff.strategy;

import io.github.repmtl.samediff.strategy.support.StateReader;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shared base of all strategies: task names, input validation with messages naming the step, task and value,
 * output checks, and the state envelope ({@code strategy} name and {@code tasks}) around the subclass state.
 * Subclasses implement {@link #compute(StepContext)} on validated input and, when stateful,
 * {@link #saveState(Map)} / {@link #loadState(StateReader)}.
 */
public abstract class AbstractStrategy implements MultiTaskStrategy {
    private final String name;
    private final List<String> taskNames;
    private final Set<GradientMode> modes;

    protected AbstractStrategy(String name, List<String> taskNames, Set<GradientMode> modes) {
        this.name = name;
        if (taskNames == null || taskNames.isEmpty()) {
            throw new IllegalArgumentException("strategy '" + name + "' needs at least one task name");
        }
        Set<String> seen = new HashSet<>();
        for (String task : taskNames) {
            if (task == null || task.isBlank()) {
                throw new IllegalArgumentException("strategy '" + name + "': task names must not be blank: " + taskNames);
            }
            if (!seen.add(task)) {
                throw new IllegalArgumentException("strategy '" + name + "': task name '" + task + "' is repeated in " + taskNames);
            }
        }
        this.taskNames = List.copyOf(taskNames);
        this.modes = Set.copyOf(EnumSet.copyOf(modes));
    }

    @Override
    public final String name() { return name; }

    @Override
    public final List<String> taskNames() { return taskNames; }

    /** Number of tasks T. */
    protected final int taskCount() { return taskNames.size(); }

    @Override
    public final boolean needsGradients() { return !modes.contains(GradientMode.NONE); }

    @Override
    public final Set<GradientMode> supportedModes() { return modes; }

    @Override
    public final Aggregation aggregate(StepContext context) {
        if (context == null) throw new IllegalArgumentException("strategy '" + name + "': step context is null");
        checkContext(context);
        Aggregation result = compute(context);
        checkResult(context, result);
        return result;
    }

    /** The method itself, on input already checked for task count, finiteness, mode and gradient shape. */
    protected abstract Aggregation compute(StepContext context);

    @Override
    public final Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("strategy", name);
        state.put("tasks", taskNames);
        saveState(state);
        return state;
    }

    @Override
    public final void restore(Map<String, Object> state) {
        StateReader reader = new StateReader("strategy '" + name + "'", state);
        String owner = reader.string("strategy");
        if (!owner.equals(name)) {
            throw new IllegalArgumentException("cannot restore the state of strategy '" + owner + "' into strategy '" + name + "'");
        }
        Object tasks = state.get("tasks");
        if (!(tasks instanceof List<?> list) || !list.equals(taskNames)) {
            throw new IllegalArgumentException("strategy '" + name + "': state was saved for tasks " + tasks
                    + " but this instance has tasks " + taskNames);
        }
        loadState(reader);
    }

    /** Adds the subclass state (fresh copies of arrays); stateless strategies add nothing. */
    protected void saveState(Map<String, Object> state) {}

    /** Restores what {@link #saveState(Map)} wrote; all entries must be read and checked before any is applied. */
    protected void loadState(StateReader state) {}

    /** {@code "task 'depth'"}, for messages. */
    protected final String task(int t) {
        return "task '" + taskNames.get(t) + "'";
    }

    /** The start of a message about this strategy at a step: {@code "strategy 'dwa', step 12: "}. */
    protected final String where(StepContext context) {
        return "strategy '" + name + "', step " + context.step() + ": ";
    }

    /** Checks {@code losses[t] > 0} (log-based and ratio-based methods). */
    protected final void requirePositiveLosses(StepContext context, double[] losses, String why) {
        for (int t = 0; t < losses.length; t++) {
            if (!(losses[t] > 0)) {
                throw new IllegalArgumentException(where(context) + "loss of " + task(t) + " is " + losses[t]
                        + " but must be > 0 (" + why + "); do not combine it with a log transform of the losses");
            }
        }
    }

    /** Checks {@code losses[t] >= 0}. */
    protected final void requireNonNegativeLosses(StepContext context, double[] losses, String why) {
        for (int t = 0; t < losses.length; t++) {
            if (!(losses[t] >= 0)) {
                throw new IllegalArgumentException(where(context) + "loss of " + task(t) + " is " + losses[t]
                        + " but must be >= 0 (" + why + "); do not combine it with a log transform of the losses");
            }
        }
    }

    /** Checks a loss vector given outside {@link #aggregate} (e.g. to {@code afterUpdate}). */
    protected final void checkLossVector(double[] losses, String what) {
        if (losses == null) throw new IllegalArgumentException("strategy '" + name + "': " + what + " are null");
        if (losses.length != taskCount()) {
            throw new IllegalArgumentException("strategy '" + name + "' was created for " + taskCount() + " tasks "
                    + taskNames + " but got " + losses.length + " " + what);
        }
        for (int t = 0; t < losses.length; t++) {
            if (!Double.isFinite(losses[t])) {
                throw new IllegalArgumentException("strategy '" + name + "': " + what + " of " + task(t) + " is " + losses[t]);
            }
        }
    }

    private void checkContext(StepContext context) {
        double[] losses = context.losses();
        if (losses.length != taskCount()) {
            throw new IllegalArgumentException(where(context) + "created for " + taskCount() + " tasks " + taskNames
                    + " but the step gives " + losses.length + " losses");
        }
        for (int t = 0; t < losses.length; t++) {
            if (!Double.isFinite(losses[t])) {
                throw new IllegalArgumentException(where(context) + "loss of " + task(t) + " is " + losses[t]);
            }
        }
        if (!modes.contains(context.mode())) {
            throw new IllegalArgumentException(where(context) + "gradient mode " + context.mode()
                    + " is not supported; supported modes: " + EnumSet.copyOf(modes)
                    + (needsGradients() ? " (this strategy needs per-task gradients)" : ""));
        }
        double[][] gradients = context.gradients();
        if (gradients == null) return;
        if (gradients.length != taskCount()) {
            throw new IllegalArgumentException(where(context) + "created for " + taskCount() + " tasks " + taskNames
                    + " but the step gives " + gradients.length + " gradient rows");
        }
        for (int t = 0; t < gradients.length; t++) {
            double[] row = gradients[t];
            for (int p = 0; p < row.length; p++) {
                if (!Double.isFinite(row[p])) {
                    throw new IllegalArgumentException(where(context) + "gradient of " + task(t) + " is " + row[p]
                            + " at index " + p);
                }
            }
        }
        double[] z = context.representation();
        if (z != null) {
            for (int p = 0; p < z.length; p++) {
                if (!Double.isFinite(z[p])) {
                    throw new IllegalArgumentException(where(context) + "representation is " + z[p] + " at index " + p);
                }
            }
        }
    }

    private void checkResult(StepContext context, Aggregation result) {
        double[] weights = result.weights();
        if (weights.length != taskCount()) {
            throw new IllegalStateException(where(context) + "produced " + weights.length + " weights for " + taskCount() + " tasks");
        }
        for (int t = 0; t < weights.length; t++) {
            if (!Double.isFinite(weights[t])) {
                throw new IllegalStateException(where(context) + "produced a non-finite weight " + weights[t]
                        + " for " + task(t) + " (losses or gradients out of range?)");
            }
        }
        double[] direction = result.direction();
        if (direction == null) return;
        if (direction.length != context.gradientLength()) {
            throw new IllegalStateException(where(context) + "produced a direction of length " + direction.length
                    + " for gradient rows of length " + context.gradientLength());
        }
        for (int p = 0; p < direction.length; p++) {
            if (!Double.isFinite(direction[p])) {
                throw new IllegalStateException(where(context) + "produced a non-finite direction entry " + direction[p]
                        + " at index " + p + " (gradients out of range?)");
            }
        }
    }

    @Override
    public String toString() {
        return name + taskNames;
    }
}
