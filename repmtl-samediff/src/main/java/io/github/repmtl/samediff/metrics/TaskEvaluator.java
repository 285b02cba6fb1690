package io.github.repmtl.samediff.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
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
 *
 * <p>Distributed evaluation (as DL4J's {@code IEvaluation.merge}): evaluators are {@link Serializable} (an
 * evaluator holds only what it accumulated and its configuration, no array), so each part of a split can be
 * evaluated on its own machine, shipped and {@link #merge}d. The project's evaluators accumulate exactly: counts,
 * confusion matrices, exact sums (rounded once, when the results are read) and, for medians, every collected value.
 * So the results of evaluators merged from any split of the batches into parts, merged in any order, are bit for
 * bit those of one evaluator updated with all batches.
 */
public interface TaskEvaluator extends Serializable {

    /** The name of the evaluated task. */
    String task();

    /** The metrics this evaluator reports, in the order of {@link #results()}. */
    List<Metric> metrics();

    /** Adds one batch: the network output and the batch's labels. */
    void update(INDArray prediction, INDArray label);

    /** Forgets everything accumulated so far (start of a new evaluation epoch). */
    void reset();

    /**
     * Adds everything {@code other} has accumulated since its last {@link #reset()} to this evaluator, as if this
     * one had also been updated with {@code other}'s batches; {@code other} is left unchanged. Merging an evaluator
     * into itself counts its batches twice.
     *
     * @throws IllegalArgumentException (naming both evaluators) when {@code other} is null, of another kind, for
     *                                  another task, or configured otherwise (e.g. another number of classes)
     */
    void merge(TaskEvaluator other);

    /**
     * The metrics over everything accumulated since the last {@link #reset()}, ordered as {@link #metrics()}.
     *
     * @throws IllegalStateException when nothing valid (no sample, no valid pixel) has been accumulated
     */
    Map<String, Double> results();

    /** {@link #results()} together with the task name and metric directions. */
    default TaskResult result() { return new TaskResult(task(), metrics(), results()); }
}
