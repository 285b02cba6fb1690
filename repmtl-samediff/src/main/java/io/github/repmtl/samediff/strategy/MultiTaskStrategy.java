package io.github.repmtl.samediff.strategy;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A multi-task loss-weighting or gradient-manipulation method, independent of any autodiff engine: it works on
 * the per-task losses and, when it needs them, the per-task gradient rows of one step.
 *
 * <p>Trainer protocol, every step:
 * <ol>
 *   <li>compute the task losses and, if {@link #needsGradients()}, the gradient rows in a mode from
 *       {@link #supportedModes()};</li>
 *   <li>call {@link #aggregate(StepContext)} and apply the {@link Aggregation} (see there);</li>
 *   <li>if {@link #needsLossesAfterUpdate()}, evaluate the task losses again on the same batch with the updated
 *       parameters and pass them to {@link #afterUpdate(double[])}.</li>
 * </ol>
 * Strategies that own learnable scalars (UW, IMTL-L, GradNorm, FAMO) update them internally inside these calls.
 * Instances are stateful and not thread-safe; {@link #state()} / {@link #restore(Map)} make them checkpointable, and
 * Java serialization copies them with their configuration (a distributed trainer's workers each get one).
 */
public interface MultiTaskStrategy extends Serializable {

    /** The registry name, e.g. {@code "pcgrad"}. */
    String name();

    /** The task names, in the order of the loss and gradient rows. */
    List<String> taskNames();

    /** True when {@link StepContext#gradients()} must be given. */
    boolean needsGradients();

    /** The gradient modes this instance accepts (with its options). */
    Set<GradientMode> supportedModes();

    /** The mode a trainer should use when the user does not choose: NONE, else PARAMETERS, else REPRESENTATION. */
    default GradientMode preferredMode() {
        Set<GradientMode> modes = supportedModes();
        if (modes.contains(GradientMode.NONE)) return GradientMode.NONE;
        return modes.contains(GradientMode.PARAMETERS) ? GradientMode.PARAMETERS : GradientMode.REPRESENTATION;
    }

    /**
     * Computes the loss weights and, for gradient manipulation, the shared direction of one step.
     *
     * @throws IllegalArgumentException on bad input (wrong task count, NaN, inconsistent lengths, unsupported mode)
     */
    Aggregation aggregate(StepContext context);

    /** True when the trainer must call {@link #afterUpdate(double[])} after every parameter update (FAMO). */
    default boolean needsLossesAfterUpdate() {
        return false;
    }

    /**
     * Receives the task losses of the same batch re-evaluated after the parameter update.
     *
     * @throws UnsupportedOperationException when {@link #needsLossesAfterUpdate()} is false
     */
    default void afterUpdate(double[] lossesAfterUpdate) {
        throw new UnsupportedOperationException("strategy '" + name() + "' does not use losses after the update");
    }

    /**
     * The strategy's internal state (learnable scalars, optimiser moments, EMA buffers, epoch histories, warm
     * starts) as plain values: numbers, strings, {@code double[]}, {@code double[][]}, {@code double[][][]} and
     * nested maps of those, so a checkpoint can serialise it (e.g. as JSON).
     */
    Map<String, Object> state();

    /**
     * Restores a state produced by {@link #state()} of a strategy with the same name and task count; numeric
     * arrays may also be given as (nested) lists of numbers, as a JSON round trip produces them.
     *
     * @throws IllegalArgumentException when the state belongs to another strategy or is malformed
     */
    void restore(Map<String, Object> state);
}
