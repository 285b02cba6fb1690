package io.github.repmtl.samediff.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Depth estimation (LibMTL {@code DepthMetric}): mean absolute error {@code |d - d*|} and mean relative error
 * {@code |d - d*| / |d*|} over the pixels whose ground truth {@code d*} is non-zero (zero marks a missing
 * measurement). Both are pixel-weighted over the whole epoch, i.e. every valid pixel of every batch counts
 * once. Prediction and ground truth are {@code [B, 1, H, W]}.
 *
 * <p>The per-pixel errors are summed exactly and the sums rounded once when the results are read, so the results
 * depend only on the multiset of per-pixel errors: not on the order of the batches, nor on how they are split
 * between evaluators that are {@link #merge}d.
 */
public final class DepthEvaluator implements TaskEvaluator {
    private static final long serialVersionUID = 1L;

    /** Mean absolute error, in ground-truth units. */
    public static final String ABSOLUTE_ERROR = "absErr";
    /** Mean relative error (a ratio, not a percentage). */
    public static final String RELATIVE_ERROR = "relErr";

    private static final List<Metric> METRICS = List.of(Metric.lowerIsBetter(ABSOLUTE_ERROR), Metric.lowerIsBetter(RELATIVE_ERROR));

    private final String task;
    private final ExactSum absoluteErrorSum = new ExactSum();
    private final ExactSum relativeErrorSum = new ExactSum();
    private long validPixels;

    public DepthEvaluator(String task) { this.task = task; }

    @Override public String task() { return task; }

    @Override public List<Metric> metrics() { return METRICS; }

    @Override
    public void update(INDArray prediction, INDArray label) {
        EvaluatorInputs.requireDenseMaps(prediction, label, 1, task, "depth", "depth ground truth");
        double[] predicted = EvaluatorInputs.toDoubles(prediction);
        double[] truth = EvaluatorInputs.toDoubles(label);
        for (int i = 0; i < truth.length; i++) {
            double t = truth[i];
            if (t == 0) continue;
            double error = Math.abs(predicted[i] - t);
            absoluteErrorSum.add(error);
            relativeErrorSum.add(error / Math.abs(t));
            validPixels++;
        }
    }

    @Override
    public void reset() {
        absoluteErrorSum.clear();
        relativeErrorSum.clear();
        validPixels = 0;
    }

    /** Adds the error sums and valid-pixel count of an evaluator of the same task. */
    @Override
    public void merge(TaskEvaluator other) {
        DepthEvaluator o = EvaluatorInputs.mergeable(this, other, DepthEvaluator.class);
        absoluteErrorSum.merge(o.absoluteErrorSum);
        relativeErrorSum.merge(o.relativeErrorSum);
        validPixels += o.validPixels;
    }

    @Override
    public Map<String, Double> results() {
        if (validPixels == 0) throw new IllegalStateException("task '" + task + "': no valid (non-zero) depth pixel has been evaluated");
        Map<String, Double> results = new LinkedHashMap<>();
        results.put(ABSOLUTE_ERROR, absoluteErrorSum.value() / validPixels);
        results.put(RELATIVE_ERROR, relativeErrorSum.value() / validPixels);
        return results;
    }

    @Override
    public String toString() { return "DepthEvaluator[task '" + task + "']"; }
}
