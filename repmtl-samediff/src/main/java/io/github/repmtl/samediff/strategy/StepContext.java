package io.github.repmtl.samediff.strategy;

import java.util.Objects;
import java.util.Random;

/**
 * Everything a {@link MultiTaskStrategy} sees of one training step.
 *
 * <p>{@code losses[t]} is the objective term of task t that the trainer minimises (after its optional log
 * transform) and {@code gradients[t]} is the gradient of exactly that term, in the space given by
 * {@link #mode()}. The arrays are not copied (gradient rows can hold millions of entries): strategies never modify
 * them, and the trainer must not change them while {@code aggregate} runs.
 *
 * <p>Built with {@link #builder()}; the builder checks structure only (non-null, consistent lengths). Task
 * counts, finiteness and mode support are checked by the strategy, which knows the task names.
 */
public final class StepContext {
    private final long step;
    private final int epoch;
    private final double[] losses;
    private final GradientMode mode;
    private final double[][] gradients;
    private final double[] representation;
    private final int batchSize;
    private final int[] parameterSizes;
    private final Random random;

    private StepContext(Builder b) {
        this.step = b.step;
        this.epoch = b.epoch;
        this.losses = b.losses;
        this.mode = b.mode;
        this.gradients = b.gradients;
        this.representation = b.representation;
        this.batchSize = b.batchSize;
        this.parameterSizes = b.parameterSizes;
        this.random = b.random;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Global step index (0-based), used in error messages. */
    public long step() { return step; }

    /** Epoch index (0-based); epoch-based strategies (DWA, GradNorm, STCH) need it non-decreasing. */
    public int epoch() { return epoch; }

    /** Per-task losses {@code double[T]}. */
    public double[] losses() { return losses; }

    /** Which gradients {@link #gradients()} holds; {@link GradientMode#NONE} when there are none. */
    public GradientMode mode() { return mode; }

    /** Per-task gradient rows {@code double[T][P]}, or null in {@link GradientMode#NONE}. */
    public double[][] gradients() { return gradients; }

    /** The shared representation {@code Z} of the batch, flattened like the gradient rows; null unless given. */
    public double[] representation() { return representation; }

    /** The batch size B of {@link #representation()} ({@code P = B * F}); 0 when no representation is given. */
    public int batchSize() { return batchSize; }

    /** Sizes of the shared parameter arrays in flattening order (they sum to P); null unless given. */
    public int[] parameterSizes() { return parameterSizes; }

    /** The seeded random source for stochastic strategies (RLW, PCGrad, GradVac, GradDrop). */
    public Random random() { return random; }

    /** Number of entries of each gradient row, or 0 in {@link GradientMode#NONE}. */
    public int gradientLength() {
        return gradients == null ? 0 : gradients[0].length;
    }

    /** Builder of a {@link StepContext}. */
    public static final class Builder {
        private long step;
        private int epoch;
        private double[] losses;
        private GradientMode mode = GradientMode.NONE;
        private double[][] gradients;
        private double[] representation;
        private int batchSize;
        private int[] parameterSizes;
        private Random random;

        private Builder() {}

        public Builder step(long step) {
            if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
            this.step = step;
            return this;
        }

        public Builder epoch(int epoch) {
            if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
            this.epoch = epoch;
            return this;
        }

        public Builder losses(double... losses) {
            this.losses = losses;
            return this;
        }

        /** Gradient rows {@code [T][P]} and the space they live in (PARAMETERS or REPRESENTATION). */
        public Builder gradients(GradientMode mode, double[][] gradients) {
            Objects.requireNonNull(mode, "gradient mode");
            if (mode == GradientMode.NONE) {
                throw new IllegalArgumentException("gradients need mode PARAMETERS or REPRESENTATION, not NONE");
            }
            this.mode = mode;
            this.gradients = Objects.requireNonNull(gradients, "gradients");
            return this;
        }

        /** The representation {@code Z} (flattened, batch first) and its batch size; REPRESENTATION mode only. */
        public Builder representation(double[] representation, int batchSize) {
            this.representation = representation;
            this.batchSize = batchSize;
            return this;
        }

        /** Sizes of the shared parameter arrays in flattening order; PARAMETERS mode only. */
        public Builder parameterSizes(int... parameterSizes) {
            this.parameterSizes = parameterSizes;
            return this;
        }

        public Builder random(Random random) {
            this.random = random;
            return this;
        }

        public StepContext build() {
            if (losses == null) throw new IllegalArgumentException("step " + step + ": losses are missing");
            if (random == null) throw new IllegalArgumentException("step " + step + ": random source is missing");
            if (gradients != null) checkGradients();
            if (representation != null) checkRepresentation();
            if (parameterSizes != null) checkParameterSizes();
            return new StepContext(this);
        }

        private void checkGradients() {
            if (gradients.length == 0) throw new IllegalArgumentException("step " + step + ": gradients have no rows");
            for (int t = 0; t < gradients.length; t++) {
                if (gradients[t] == null) {
                    throw new IllegalArgumentException("step " + step + ": gradient row " + t + " is null");
                }
                if (gradients[t].length != gradients[0].length) {
                    throw new IllegalArgumentException("step " + step + ": gradient row " + t + " has "
                            + gradients[t].length + " entries but row 0 has " + gradients[0].length
                            + " (all rows must have the same length P)");
                }
            }
            if (gradients[0].length == 0) throw new IllegalArgumentException("step " + step + ": gradient rows are empty");
        }

        private void checkRepresentation() {
            if (mode != GradientMode.REPRESENTATION) {
                throw new IllegalArgumentException("step " + step + ": a representation is only meaningful with "
                        + "REPRESENTATION gradients, mode is " + mode);
            }
            if (representation.length != gradients[0].length) {
                throw new IllegalArgumentException("step " + step + ": representation has " + representation.length
                        + " entries but the gradient rows have " + gradients[0].length);
            }
            if (batchSize < 1 || representation.length % batchSize != 0) {
                throw new IllegalArgumentException("step " + step + ": batch size " + batchSize
                        + " does not divide the representation length " + representation.length);
            }
        }

        private void checkParameterSizes() {
            if (mode != GradientMode.PARAMETERS) {
                throw new IllegalArgumentException("step " + step + ": parameter sizes are only meaningful with "
                        + "PARAMETERS gradients, mode is " + mode);
            }
            long sum = 0;
            for (int i = 0; i < parameterSizes.length; i++) {
                if (parameterSizes[i] < 1) {
                    throw new IllegalArgumentException("step " + step + ": parameter size " + i + " is "
                            + parameterSizes[i] + ", must be >= 1");
                }
                sum += parameterSizes[i];
            }
            if (sum != gradients[0].length) {
                throw new IllegalArgumentException("step " + step + ": parameter sizes sum to " + sum
                        + " but the gradient rows have " + gradients[0].length + " entries");
            }
        }
    }
}
