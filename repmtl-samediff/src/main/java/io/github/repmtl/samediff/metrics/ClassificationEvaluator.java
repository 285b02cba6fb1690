package io.github.repmtl.samediff.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification accuracy (LibMTL {@code AccMetric}), in percent: logits {@code [B, K]}, class indices
 * {@code [B]} (or {@code [B, 1]}) of any numeric type. Optionally also top-k accuracy: a sample counts when
 * fewer than {@code k} classes have a strictly larger logit than its true class (ties favour the sample).
 * Plain accuracy takes the first maximal logit, like {@code argmax}.
 */
public final class ClassificationEvaluator implements TaskEvaluator {
    private static final long serialVersionUID = 1L;

    /** Top-1 accuracy in percent. */
    public static final String ACCURACY = "accuracy";

    private final String task;
    private final int classes;
    private final int topK;
    private final List<Metric> metrics;
    private long samples;
    private long correct;
    private long correctTopK;

    /** Top-1 accuracy only. */
    public ClassificationEvaluator(String task, int classes) { this(task, classes, 1); }

    /**
     * Top-1 accuracy and, when {@code topK > 1}, the top-k accuracy reported as {@link #topKName(int)}.
     */
    public ClassificationEvaluator(String task, int classes, int topK) {
        if (classes < 1) throw new IllegalArgumentException("task '" + task + "': classes must be >= 1, got " + classes);
        if (topK < 1 || topK > classes) {
            throw new IllegalArgumentException("task '" + task + "': top-k must be in [1, " + classes + "], got " + topK);
        }
        this.task = task;
        this.classes = classes;
        this.topK = topK;
        this.metrics = topK > 1
                ? List.of(Metric.higherIsBetter(ACCURACY), Metric.higherIsBetter(topKName(topK)))
                : List.of(Metric.higherIsBetter(ACCURACY));
    }

    /** The metric name of top-k accuracy, e.g. {@code top5Accuracy}. */
    public static String topKName(int k) { return "top" + k + "Accuracy"; }

    @Override public String task() { return task; }

    @Override public List<Metric> metrics() { return metrics; }

    @Override
    public void update(INDArray prediction, INDArray label) {
        EvaluatorInputs.requireRank(prediction, 2, task, "prediction");
        if (label == null) throw new IllegalArgumentException("task '" + task + "': label is null");
        int batch = (int) prediction.size(0);
        boolean columnLabel = label.rank() == 2 && label.size(1) == 1;
        if (prediction.size(1) != classes || !(label.rank() == 1 || columnLabel) || label.size(0) != batch) {
            throw new IllegalArgumentException("task '" + task + "': expected logits [B, " + classes + "] and labels [B], got "
                    + Arrays.toString(prediction.shape()) + " and " + Arrays.toString(label.shape()));
        }
        EvaluatorInputs.requireFinite(prediction, task, "prediction");
        double[] logits = EvaluatorInputs.toDoubles(prediction);
        long[] targets = EvaluatorInputs.classIndices(label, task);
        for (int i = 0; i < batch; i++) {
            long target = targets[i];
            if (target < 0 || target >= classes) {
                throw new IllegalArgumentException("task '" + task + "': label " + target + " of sample " + i
                        + " is outside [0, " + classes + ")");
            }
            int offset = i * classes;
            double targetLogit = logits[offset + (int) target];
            int strictlyLarger = 0;
            int firstArgMax = 0;
            for (int c = 0; c < classes; c++) {
                double logit = logits[offset + c];
                if (logit > targetLogit) strictlyLarger++;
                if (logit > logits[offset + firstArgMax]) firstArgMax = c;
            }
            if (firstArgMax == target) correct++;
            if (strictlyLarger < topK) correctTopK++;
        }
        samples += batch;
    }

    @Override
    public void reset() {
        samples = 0;
        correct = 0;
        correctTopK = 0;
    }

    /** Adds the sample counts of an evaluator of the same task, classes and top-k. */
    @Override
    public void merge(TaskEvaluator other) {
        ClassificationEvaluator o = EvaluatorInputs.mergeable(this, other, ClassificationEvaluator.class);
        if (o.classes != classes || o.topK != topK) throw EvaluatorInputs.notMergeable(this, other);
        samples += o.samples;
        correct += o.correct;
        correctTopK += o.correctTopK;
    }

    @Override
    public Map<String, Double> results() {
        if (samples == 0) throw new IllegalStateException("task '" + task + "': no sample has been evaluated");
        Map<String, Double> results = new LinkedHashMap<>();
        results.put(ACCURACY, 100.0 * correct / samples);
        if (topK > 1) results.put(topKName(topK), 100.0 * correctTopK / samples);
        return results;
    }

    @Override
    public String toString() {
        return "ClassificationEvaluator[task '" + task + "', " + classes + " classes" + (topK > 1 ? ", top-" + topK : "") + "]";
    }
}
