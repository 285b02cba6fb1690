package io.github.repmtl.spark;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.metrics.DeltaP;
import io.github.repmtl.samediff.metrics.DeltaPTracker;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.train.ModelEvaluator;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark evaluation in local mode: with 1, 2 and 3 partitions (one of them empty) the results of every task kind and
 * their Delta-p are exactly (bitwise, {@code TaskResult.equals}) those of {@link ModelEvaluator} on one machine over the
 * same minibatches; an empty RDD, a multi-input model and a minibatch with the wrong number of label arrays are
 * errors naming the problem (and the minibatch's partition and element).
 */
class SparkModelEvaluatorTest {
    private static final List<String> TASKS = List.of("cls", "seg", "depth", "normal");
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("repmtl-spark-evaluator-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
    }

    @AfterAll
    static void stop() { sc.stop(); }

    @Test
    void anyPartitioningGivesTheSingleMachineResultsExactly() {
        MultiTaskModel model = model();
        List<MultiDataSet> batches = batches(7, 3);
        Map<String, TaskResult> local = ModelEvaluator.evaluate(model, new ListIterator(batches));
        assertEquals(TASKS, List.copyOf(local.keySet()));

        assertEquals(local, SparkModelEvaluator.evaluate(model, sc.parallelize(batches, 1)), "1 partition");
        assertEquals(local, SparkModelEvaluator.evaluate(model, sc.parallelize(batches, 2)), "2 partitions");
        List<List<MultiDataSet>> slices = List.of(new ArrayList<>(batches.subList(0, 2)), new ArrayList<>(), new ArrayList<>(batches.subList(2, 7)));
        JavaRDD<MultiDataSet> three = sc.parallelize(slices, 3).flatMap(List::iterator);
        assertEquals(List.of(2, 0, 5), three.glom().map(List::size).collect(), "partition sizes");
        Map<String, TaskResult> distributed = SparkModelEvaluator.evaluate(model, three);
        assertEquals(local, distributed, "3 partitions, one empty");

        Baselines baselines = baselines(local);
        DeltaP expected = DeltaPTracker.against(baselines).compute(local.values()).orElseThrow();
        assertEquals(expected, SparkModelEvaluator.deltaP(distributed, baselines));
        assertEquals(expected, SparkModelEvaluator.deltaP(model, three, baselines));
        assertTrue(expected.taskAveraged() != 0, "a Delta-p that tells results apart: " + expected);
    }

    @Test
    void emptyRddMultiInputModelAndWrongLabelCountAreErrors() {
        MultiTaskModel model = model();
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> SparkModelEvaluator.evaluate(model, sc.parallelize(List.<MultiDataSet>of(), 2)));
        assertTrue(empty.getMessage().contains("evaluation RDD is empty"), empty.getMessage());

        IllegalArgumentException multi = assertThrows(IllegalArgumentException.class,
                () -> SparkModelEvaluator.evaluate(multiInputModel(), sc.parallelize(batches(2, 4), 2)));
        assertTrue(multi.getMessage().contains("single-input model") && multi.getMessage().contains("x_a"), multi.getMessage());

        List<MultiDataSet> b = new ArrayList<>(batches(4, 5));                // parallelize(4, 2): partitions {b0, b1}, {b2, b3}
        MultiDataSet bad = b.get(3);
        b.set(3, new org.nd4j.linalg.dataset.MultiDataSet(bad.getFeatures(), new INDArray[]{bad.getLabels(0), bad.getLabels(1), bad.getLabels(2)}));
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class, () -> SparkModelEvaluator.evaluate(model, sc.parallelize(b, 2)));
        assertTrue(labels.getMessage().contains("evaluation RDD partition 1, element 1: expected 4 label arrays (one per task " + TASKS + "), got 3"),
                labels.getMessage());
    }

    /** A baseline off every metric of {@code results} (by +10% and +0.5), so that Delta-p is non-zero. */
    private static Baselines baselines(Map<String, TaskResult> results) {
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        results.forEach((task, r) -> {
            Map<String, Double> m = new LinkedHashMap<>();
            r.values().forEach((metric, v) -> m.put(metric, v * 1.1 + 0.5));
            values.put(task, m);
        });
        return Baselines.of("test", values);
    }

    /**
     * x [B,5] -> dense 6 tanh = Z (plus 100 x the training flag: outputs only match in inference mode) -> heads: class
     * logits [B,3], segmentation logits [B,3,2,2], depth [B,1,2,2], normals [B,3,2,2]; float64.
     */
    private static MultiTaskModel model() {
        Nd4j.getRandom().setSeed(17);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 5);
        SDVariable flag = sd.placeHolder("training", DataType.DOUBLE);
        SDVariable z = sd.math.tanh("Z", x.mmul(w(sd, "enc.W", 5, 6)).add(w(sd, "enc.b", 6)).add(flag.mul(100.0)));
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd).trainingFlag("training");

        SDVariable yc = sd.placeHolder("y_cls", DataType.INT64, -1);
        SDVariable cls = sd.identity("out_cls", z.mmul(w(sd, "cls.W", 6, 3)).add(w(sd, "cls.b", 3)));
        TaskLosses.softmaxCrossEntropy(sd, "loss_cls", cls, yc, 3);
        b.task(TaskSpec.classification("cls", 3), "x", "Z", "out_cls", "y_cls", "loss_cls");

        SDVariable ys = sd.placeHolder("y_seg", DataType.INT64, -1, 2, 2);
        SDVariable seg = sd.reshape("out_seg", z.mmul(w(sd, "seg.W", 6, 12)), -1, 3, 2, 2);
        TaskLosses.softmaxCrossEntropy(sd, "loss_seg", seg, ys, 3);
        b.task(TaskSpec.segmentation("seg", 3), "x", "Z", "out_seg", "y_seg", "loss_seg");

        SDVariable yd = sd.placeHolder("y_depth", DataType.DOUBLE, -1, 1, 2, 2);
        SDVariable depth = sd.reshape("out_depth", z.mmul(w(sd, "depth.W", 6, 4)).add(1.0), -1, 1, 2, 2);
        TaskLosses.maskedL1(sd, "loss_depth", depth, yd);
        b.task(TaskSpec.depth("depth"), "x", "Z", "out_depth", "y_depth", "loss_depth");

        SDVariable yn = sd.placeHolder("y_normal", DataType.DOUBLE, -1, 3, 2, 2);
        SDVariable normal = sd.reshape("out_normal", z.mmul(w(sd, "normal.W", 6, 12)), -1, 3, 2, 2);
        TaskLosses.maskedCosine(sd, "loss_normal", normal, yn);
        b.task(TaskSpec.normal("normal"), "x", "Z", "out_normal", "y_normal", "loss_normal");
        return b.build();
    }

    /** Two inputs x_a, x_b [B,5], a classification task on each. */
    private static MultiTaskModel multiInputModel() {
        SameDiff sd = SameDiff.create();
        SDVariable w = w(sd, "enc.W", 5, 3);
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd);
        for (String t : List.of("a", "b")) {
            SDVariable x = sd.placeHolder("x_" + t, DataType.DOUBLE, -1, 5);
            SDVariable z = sd.math.tanh("Z_" + t, x.mmul(w));
            SDVariable y = sd.placeHolder("y_" + t, DataType.INT64, -1);
            TaskLosses.softmaxCrossEntropy(sd, "loss_" + t, sd.identity("out_" + t, z), y, 3);
            b.task(TaskSpec.classification(t, 3), "x_" + t, "Z_" + t, "out_" + t, "y_" + t, "loss_" + t);
        }
        return b.build();
    }

    private static SDVariable w(SameDiff sd, String name, long... shape) {
        return sd.var(name, Nd4j.randn(DataType.DOUBLE, shape).muli(0.7));
    }

    /**
     * {@code n} minibatches of 3..7 examples with labels of every kind: classes, segmentation maps with ignored (-1)
     * pixels, depth with missing (0) pixels, unit normals with invalid (zero) pixels.
     */
    private static List<MultiDataSet> batches(int n, long seed) {
        Random r = new Random(seed);
        List<MultiDataSet> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int size = 3 + r.nextInt(5);
            INDArray x = Nd4j.create(DataType.DOUBLE, size, 5);
            INDArray cls = Nd4j.create(DataType.INT64, size);
            INDArray seg = Nd4j.create(DataType.INT64, size, 2, 2);
            INDArray depth = Nd4j.create(DataType.DOUBLE, size, 1, 2, 2);
            INDArray normal = Nd4j.create(DataType.DOUBLE, size, 3, 2, 2);
            for (int e = 0; e < size; e++) {
                for (int j = 0; j < 5; j++) x.putScalar(e, j, r.nextGaussian());
                cls.putScalar(e, r.nextInt(3));
                for (int p = 0; p < 4; p++) {
                    int py = p / 2, px = p % 2;
                    seg.putScalar(new int[]{e, py, px}, r.nextInt(4) - 1);
                    depth.putScalar(new int[]{e, 0, py, px}, r.nextInt(4) == 0 ? 0 : Math.exp(r.nextGaussian()));
                    double[] v = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
                    double norm = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                    boolean invalid = r.nextInt(5) == 0;
                    for (int c = 0; c < 3; c++) normal.putScalar(new int[]{e, c, py, px}, invalid ? 0 : v[c] / norm);
                }
            }
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{x}, new INDArray[]{cls, seg, depth, normal}));
        }
        return out;
    }

    /** The given minibatches in order. */
    private static final class ListIterator implements MultiDataSetIterator {
        private final List<MultiDataSet> batches;
        private int cursor;

        ListIterator(List<MultiDataSet> batches) { this.batches = batches; }

        @Override public MultiDataSet next(int num) { throw new UnsupportedOperationException(); }
        @Override public void setPreProcessor(MultiDataSetPreProcessor p) { throw new UnsupportedOperationException(); }
        @Override public MultiDataSetPreProcessor getPreProcessor() { return null; }
        @Override public boolean resetSupported() { return true; }
        @Override public boolean asyncSupported() { return false; }
        @Override public void reset() { cursor = 0; }
        @Override public boolean hasNext() { return cursor < batches.size(); }
        @Override public MultiDataSet next() { return batches.get(cursor++); }
    }
}
