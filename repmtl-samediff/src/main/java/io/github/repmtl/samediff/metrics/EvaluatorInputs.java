package io.github.repmtl.samediff.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.Arrays;

/** Validation and host-side copies of the arrays handed to the evaluators; every failure names the task. */
final class EvaluatorInputs {
    private EvaluatorInputs() {}

    /** Fails unless {@code array} is non-null and has exactly {@code rank} dimensions. */
    static void requireRank(INDArray array, int rank, String task, String role) {
        if (array == null) throw new IllegalArgumentException("task '" + task + "': " + role + " is null");
        if (array.rank() != rank) {
            throw new IllegalArgumentException("task '" + task + "': " + role + " must have rank " + rank
                    + ", got shape " + Arrays.toString(array.shape()));
        }
    }

    /** Fails unless both arrays have the same shape. */
    static void requireSameShape(INDArray prediction, INDArray label, String task) {
        if (!Arrays.equals(prediction.shape(), label.shape())) {
            throw new IllegalArgumentException("task '" + task + "': prediction shape " + Arrays.toString(prediction.shape())
                    + " does not match ground-truth shape " + Arrays.toString(label.shape()));
        }
    }

    /** Fails if a floating-point array holds a NaN or an infinity (integer arrays are finite by construction). */
    static void requireFinite(INDArray array, String task, String role) {
        if (array.dataType().isFPType() && BooleanIndexing.or(array, Conditions.notFinite())) {
            throw new IllegalArgumentException("task '" + task + "': " + role + " contains NaN or infinite values");
        }
    }

    /**
     * Checks a dense prediction against its ground truth: both {@code [B, channels, H, W]}, same shape, finite
     * (the ground truth is called {@code what} in messages, e.g. "depth ground truth").
     */
    static void requireDenseMaps(INDArray prediction, INDArray label, int channels, String task, String kind, String what) {
        requireRank(prediction, 4, task, "prediction");
        requireRank(label, 4, task, what);
        if (prediction.size(1) != channels) {
            throw new IllegalArgumentException("task '" + task + "': " + kind + " prediction must have " + channels
                    + (channels == 1 ? " channel" : " channels") + ", got " + prediction.size(1));
        }
        requireSameShape(prediction, label, task);
        requireFinite(prediction, task, "prediction");
        requireFinite(label, task, what);
    }

    /**
     * {@code other} as an evaluator of {@code kind} for the same task as {@code into}, for {@link TaskEvaluator#merge};
     * fails (naming both) when it is null, of another kind or for another task. The caller checks its configuration.
     */
    static <T extends TaskEvaluator> T mergeable(TaskEvaluator into, TaskEvaluator other, Class<T> kind) {
        if (other == null) throw new IllegalArgumentException("cannot merge null into " + into);
        if (other.getClass() != kind || !other.task().equals(into.task())) throw notMergeable(into, other);
        return kind.cast(other);
    }

    /** The error of merging evaluators of different kinds, tasks or configurations. */
    static IllegalArgumentException notMergeable(TaskEvaluator into, TaskEvaluator other) {
        return new IllegalArgumentException("cannot merge " + other + " into " + into
                + ": evaluators must be of the same kind, task and configuration");
    }

    /** The elements in row-major (NCHW) order as doubles. */
    static double[] toDoubles(INDArray array) {
        return array.dup('c').data().asDouble();
    }

    /**
     * The class indices held by a label array (any numeric type), in row-major order. Fails on a non-finite
     * or non-integral value, naming the task and the value.
     */
    static long[] classIndices(INDArray labels, String task) {
        if (labels.dataType().isIntType()) {
            return labels.castTo(DataType.INT64).dup('c').data().asLong();
        }
        double[] values = toDoubles(labels);
        long[] indices = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v) || v != Math.rint(v)) {
                throw new IllegalArgumentException("task '" + task + "': label " + v + " at flat index " + i + " is not an integer class index");
            }
            indices[i] = (long) v;
        }
        return indices;
    }
}
