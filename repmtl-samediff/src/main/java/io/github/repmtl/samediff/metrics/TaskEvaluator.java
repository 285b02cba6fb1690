package io.github.repmtl.samediff.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * Accumulates the metrics of one task over an evaluation epoch, batch by batch, the way the reference
 * benchmarks (LibMTL, MTAN) do.
 *
 * <p>Unit convention (the same as the Rep-MTL paper's tables and the bundled {@link Baselines}): accuracies,
 * mIoU, pixel accuracy and the within-angle shares are percentages in [0, 100]; depth errors are in the units
 * of the ground truth (the relative error is a plain ratio); angles are in degrees. Delta-p only compares a
 * metric with its baseline, so it is unit-free as long as both follow this convention.
 *
 * <p>Arrays are NCHW. Non-finite predictions and shape mismatches raise an {@link IllegalArgumentException}
 * that names the task.
 */
public interface TaskEvaluator {

    /** The name of the evaluated task. */
    String task();

    /** The metrics this evaluator reports, in the order of {@link #results()}. */
    List<Metric> metrics();

    /** Adds one batch: the network output and the batch's labels. */
    void update(INDArray prediction, INDArray label);

    /** Forgets everything accumulated so far (start of a new evaluation epoch). */
    void reset();

    /**
     * The metrics over everything accumulated since the last {@link #reset()}, ordered as {@link #metrics()}.
     *
     * @throws IllegalStateException when nothing valid (no sample, no valid pixel) has been accumulated
     */
    Map<String, Double> results();

    /** {@link #results()} together with the task name and metric directions. */
    default TaskResult result() { return new TaskResult(task(), metrics(), results()); }
}
