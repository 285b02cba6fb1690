package io.github.repmtl.samediff.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Semantic segmentation (LibMTL {@code SegMetric}): a {@code K x K} confusion matrix (rows: ground truth,
 * columns: the first arg-max of the logits) accumulated over the whole epoch, then mIoU and pixel accuracy in
 * percent. Logits are {@code [B, K, H, W]}, labels {@code [B, H, W]} (or {@code [B, 1, H, W]}) of any numeric
 * type; {@value #IGNORE_LABEL} marks ignored pixels, any other label outside {@code [0, K)} is an error.
 *
 * <p>Absent classes: the IoU of class {@code c} is {@code TP / (TP + FP + FN)}; a class that neither occurs
 * in the ground truth nor is ever predicted over the epoch has an empty union and is left out of the mean
 * (LibMTL would return NaN there; on the benchmarks' test sets every class occurs, so the numbers agree). A
 * class that only appears in the prediction counts with IoU 0.
 */
public final class SegmentationEvaluator implements TaskEvaluator {
    private static final long serialVersionUID = 1L;

    /** Mean intersection over union, percent. */
    public static final String MIOU = "mIoU";
    /** Share of correctly labelled non-ignored pixels, percent. */
    public static final String PIXEL_ACCURACY = "pixAcc";
    /** Label value of pixels that are not scored. */
    public static final int IGNORE_LABEL = -1;

    private static final List<Metric> METRICS = List.of(Metric.higherIsBetter(MIOU), Metric.higherIsBetter(PIXEL_ACCURACY));

    private final String task;
    private final int classes;
    private final long[] confusion;

    public SegmentationEvaluator(String task, int classes) {
        if (classes < 1) throw new IllegalArgumentException("task '" + task + "': classes must be >= 1, got " + classes);
        this.task = task;
        this.classes = classes;
        this.confusion = new long[classes * classes];
    }

    @Override public String task() { return task; }

    @Override public List<Metric> metrics() { return METRICS; }

    @Override
    public void update(INDArray prediction, INDArray label) {
        EvaluatorInputs.requireRank(prediction, 4, task, "prediction");
        if (label == null) throw new IllegalArgumentException("task '" + task + "': label is null");
        long[] p = prediction.shape();
        long[] l = label.shape();
        boolean labelShapeOk = (label.rank() == 3 && l[0] == p[0] && l[1] == p[2] && l[2] == p[3])
                || (label.rank() == 4 && l[0] == p[0] && l[1] == 1 && l[2] == p[2] && l[3] == p[3]);
        if (p[1] != classes || !labelShapeOk) {
            throw new IllegalArgumentException("task '" + task + "': expected logits [B, " + classes + ", H, W] and labels [B, H, W], got "
                    + Arrays.toString(p) + " and " + Arrays.toString(l));
        }
        EvaluatorInputs.requireFinite(prediction, task, "prediction");
        long[] predicted = Nd4j.argMax(prediction, 1).castTo(DataType.INT64).dup('c').data().asLong();
        long[] truth = EvaluatorInputs.classIndices(label, task);
        for (int i = 0; i < truth.length; i++) {
            long t = truth[i];
            if (t == IGNORE_LABEL) continue;
            if (t < 0 || t >= classes) {
                throw new IllegalArgumentException("task '" + task + "': label " + t + " at flat pixel index " + i
                        + " is outside [0, " + classes + ") and is not the ignore label " + IGNORE_LABEL);
            }
            confusion[(int) t * classes + (int) predicted[i]]++;
        }
    }

    @Override
    public void reset() { Arrays.fill(confusion, 0L); }

    /** Adds the confusion matrix of an evaluator of the same task and classes. */
    @Override
    public void merge(TaskEvaluator other) {
        SegmentationEvaluator o = EvaluatorInputs.mergeable(this, other, SegmentationEvaluator.class);
        if (o.classes != classes) throw EvaluatorInputs.notMergeable(this, other);
        for (int i = 0; i < confusion.length; i++) confusion[i] += o.confusion[i];
    }

    @Override
    public Map<String, Double> results() {
        long total = 0;
        long diagonal = 0;
        long[] truthCounts = new long[classes];
        long[] predictedCounts = new long[classes];
        for (int t = 0; t < classes; t++) {
            for (int q = 0; q < classes; q++) {
                long n = confusion[t * classes + q];
                truthCounts[t] += n;
                predictedCounts[q] += n;
                total += n;
            }
            diagonal += confusion[t * classes + t];
        }
        if (total == 0) throw new IllegalStateException("task '" + task + "': no labelled pixel has been evaluated");
        double iouSum = 0;
        int counted = 0;
        for (int c = 0; c < classes; c++) {
            long intersection = confusion[c * classes + c];
            long union = truthCounts[c] + predictedCounts[c] - intersection;
            if (union == 0) continue;
            iouSum += (double) intersection / union;
            counted++;
        }
        Map<String, Double> results = new LinkedHashMap<>();
        results.put(MIOU, 100.0 * iouSum / counted);
        results.put(PIXEL_ACCURACY, 100.0 * diagonal / total);
        return results;
    }

    /** A copy of the accumulated confusion matrix, {@code [groundTruth][predicted]}. */
    public long[][] confusionMatrix() {
        long[][] copy = new long[classes][];
        for (int t = 0; t < classes; t++) copy[t] = Arrays.copyOfRange(confusion, t * classes, (t + 1) * classes);
        return copy;
    }

    @Override
    public String toString() { return "SegmentationEvaluator[task '" + task + "', " + classes + " classes]"; }
}
