package io.github.repmtl.samediff.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Surface-normal estimation (LibMTL {@code NormalMetric}): the angle in degrees between the L2-normalised
 * prediction and the ground-truth unit normal, {@code acos(clamp(<p/|p|, n>, -1, 1))}, over the valid pixels
 * (ground-truth channel sum non-zero). Reports the mean and the exact median angle over every valid pixel of
 * the epoch, and the percentage of pixels with an angle strictly below 11.25, 22.5 and 30 degrees.
 * Prediction and ground truth are {@code [B, 3, H, W]}; the ground truth is used as given (the benchmarks
 * store unit vectors). A zero prediction vector has no direction and counts as 90 degrees off.
 *
 * <p>Memory: the median is exact, so every valid pixel's angle is kept until {@link #reset()}, as a
 * primitive {@code float} (4 bytes per valid pixel: at most about 290 MB for the whole NYUv2 test set at
 * 288x384, plus up to half as much again while the buffer grows). The median
 * is the exact median of those float32 angles (the reference computes in float32 too); the mean and the
 * threshold shares use the double-precision angles, the mean through their exact sum rounded once when the
 * results are read. So the results depend only on the multiset of per-pixel angles: not on the order of the
 * batches, nor on how they are split between evaluators that are {@link #merge}d. A serialized evaluator (e.g.
 * shipped from a Spark executor) carries its angles too, 4 bytes each.
 */
public final class NormalEvaluator implements TaskEvaluator {
    private static final long serialVersionUID = 1L;

    /** Mean angular error, degrees. */
    public static final String MEAN_ANGLE = "meanAngle";
    /** Median angular error, degrees. */
    public static final String MEDIAN_ANGLE = "medianAngle";
    /** Percentage of valid pixels with an angular error below 11.25 degrees. */
    public static final String WITHIN_11_25 = "within11.25";
    /** Percentage of valid pixels with an angular error below 22.5 degrees. */
    public static final String WITHIN_22_5 = "within22.5";
    /** Percentage of valid pixels with an angular error below 30 degrees. */
    public static final String WITHIN_30 = "within30";

    private static final List<Metric> METRICS = List.of(
            Metric.lowerIsBetter(MEAN_ANGLE), Metric.lowerIsBetter(MEDIAN_ANGLE),
            Metric.higherIsBetter(WITHIN_11_25), Metric.higherIsBetter(WITHIN_22_5), Metric.higherIsBetter(WITHIN_30));

    private final String task;
    private final GrowableFloatArray angles = new GrowableFloatArray();
    private final ExactSum angleSum = new ExactSum();
    private long within11;
    private long within22;
    private long within30;

    public NormalEvaluator(String task) { this.task = task; }

    @Override public String task() { return task; }

    @Override public List<Metric> metrics() { return METRICS; }

    @Override
    public void update(INDArray prediction, INDArray label) {
        EvaluatorInputs.requireDenseMaps(prediction, label, 3, task, "normal", "normal ground truth");
        double[] predicted = EvaluatorInputs.toDoubles(prediction);
        double[] truth = EvaluatorInputs.toDoubles(label);
        int batch = (int) prediction.size(0);
        int plane = (int) (prediction.size(2) * prediction.size(3));
        for (int b = 0; b < batch; b++) {
            int x = 3 * b * plane;
            int y = x + plane;
            int z = y + plane;
            for (int j = 0; j < plane; j++) {
                double tx = truth[x + j], ty = truth[y + j], tz = truth[z + j];
                if (tx + ty + tz == 0) continue;
                double px = predicted[x + j], py = predicted[y + j], pz = predicted[z + j];
                double norm = Math.sqrt(px * px + py * py + pz * pz);
                double cosine = norm > 0 ? (px * tx + py * ty + pz * tz) / norm : 0.0;
                add(Math.toDegrees(Math.acos(Math.max(-1.0, Math.min(1.0, cosine)))));
            }
        }
    }

    private void add(double angle) {
        angles.add((float) angle);
        angleSum.add(angle);
        if (angle < 11.25) within11++;
        if (angle < 22.5) within22++;
        if (angle < 30) within30++;
    }

    @Override
    public void reset() {
        angles.clear();
        angleSum.clear();
        within11 = 0;
        within22 = 0;
        within30 = 0;
    }

    /** Adds the angles, their sum and the threshold counts of an evaluator of the same task. */
    @Override
    public void merge(TaskEvaluator other) {
        NormalEvaluator o = EvaluatorInputs.mergeable(this, other, NormalEvaluator.class);
        angles.addAll(o.angles);
        angleSum.merge(o.angleSum);
        within11 += o.within11;
        within22 += o.within22;
        within30 += o.within30;
    }

    @Override
    public Map<String, Double> results() {
        long n = angles.size();
        if (n == 0) throw new IllegalStateException("task '" + task + "': no valid normal pixel has been evaluated");
        Map<String, Double> results = new LinkedHashMap<>();
        results.put(MEAN_ANGLE, angleSum.value() / n);
        results.put(MEDIAN_ANGLE, angles.median());
        results.put(WITHIN_11_25, 100.0 * within11 / n);
        results.put(WITHIN_22_5, 100.0 * within22 / n);
        results.put(WITHIN_30, 100.0 * within30 / n);
        return results;
    }

    @Override
    public String toString() { return "NormalEvaluator[task '" + task + "']"; }
}
