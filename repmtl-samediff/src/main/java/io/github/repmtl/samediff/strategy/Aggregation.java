package io.github.repmtl.samediff.strategy;

import java.util.Arrays;
import java.util.Objects;

/**
 * The result of one {@link MultiTaskStrategy#aggregate(StepContext)} call.
 *
 * <p>How a trainer applies it:
 * <ul>
 *   <li>{@code weights} ({@code double[T]}, never null): the task-specific parameters (head t) are updated with
 *       the gradient of {@code sum_t weights[t] * l_t}, the weights being constants. When {@code direction} is
 *       null the shared parameters are updated with the same weighted loss.</li>
 *   <li>{@code direction} ({@code double[P]} or null): the aggregated gradient for the shared part, in the space
 *       of the {@link StepContext#gradients() gradient rows}: set as the gradient of the shared parameters
 *       ({@link GradientMode#PARAMETERS}) or back-propagated from {@code Z} ({@link GradientMode#REPRESENTATION}).</li>
 *   <li>{@code directionWeights} ({@code double[T]} or null): when the direction is a linear combination of the
 *       current task gradients, its coefficients ({@code direction = sum_t directionWeights[t] * g_t}); null when it
 *       is not (EMA buffers, masks, per-block surgery). Useful for logging.</li>
 * </ul>
 * Arrays are owned by the caller after return; the strategy keeps no reference to them.
 */
public record Aggregation(double[] weights, double[] direction, double[] directionWeights) {

    public Aggregation {
        Objects.requireNonNull(weights, "weights");
        if (directionWeights != null && directionWeights.length != weights.length) {
            throw new IllegalArgumentException("directionWeights has " + directionWeights.length
                    + " entries but weights has " + weights.length);
        }
    }

    /** Loss weights only: the shared part is updated with the same weighted loss. */
    public static Aggregation ofWeights(double[] weights) {
        return new Aggregation(weights, null, null);
    }

    /** The shared direction together with the loss weights of the task-specific parameters. */
    public static Aggregation ofDirection(double[] weights, double[] direction, double[] directionWeights) {
        return new Aggregation(weights, Objects.requireNonNull(direction, "direction"), directionWeights);
    }

    /**
     * The update for the shared part: {@link #direction()} when present, else {@code sum_t weights[t] * g_t}.
     *
     * @param gradients the task gradient rows {@code [T][P]} of the step
     */
    public double[] sharedDirection(double[][] gradients) {
        if (direction != null) return direction.clone();
        if (gradients.length != weights.length) {
            throw new IllegalArgumentException("gradients has " + gradients.length + " rows but there are "
                    + weights.length + " task weights");
        }
        double[] out = new double[gradients[0].length];
        for (int t = 0; t < gradients.length; t++) {
            for (int p = 0; p < out.length; p++) out[p] += weights[t] * gradients[t][p];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Aggregation a && Arrays.equals(weights, a.weights) && Arrays.equals(direction, a.direction)
                && Arrays.equals(directionWeights, a.directionWeights);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(weights) + Arrays.hashCode(direction)) + Arrays.hashCode(directionWeights);
    }

    @Override
    public String toString() {
        return "Aggregation{weights=" + Arrays.toString(weights)
                + ", direction=" + (direction == null ? "null" : "double[" + direction.length + "]")
                + ", directionWeights=" + Arrays.toString(directionWeights) + "}";
    }
}
