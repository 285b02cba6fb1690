package io.github.repmtl.spark;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.nn.BatchNorm;
import io.github.repmtl.samediff.nn.LayerContext;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tiny float64 models, minibatches and checks shared by the Spark tests. */
final class SparkFixtures {
    private SparkFixtures() {}

    /** A local Spark context bound to loopback, web UI off; {@code master} e.g. {@code local[2]} or {@code local[2,4]} (4 attempts per task). */
    static JavaSparkContext localContext(String master) {
        return new JavaSparkContext(new SparkConf().setMaster(master).setAppName("repmtl-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
    }

    /** Adam 1e-2, seed 5, 2 epochs on {@link #model()}: {@code ew}, {@code rep-mtl}, {@code uw} or {@code pcgrad} (parameters mode). */
    static MultiTaskTrainer.Builder configure(String method) { return configure(method, model()); }

    /**
     * {@link #configure(String)} on the model as executors train it: saved and loaded (SameDiff M2.1 orders a
     * reloaded graph's ops differently, so results of the original graph differ in the last bits), the single-machine
     * reference for bitwise comparisons.
     */
    static MultiTaskTrainer.Builder configureAsShipped(String method) { return configure(method, MultiTaskModelFiles.copyOf(model())); }

    static MultiTaskTrainer.Builder configure(String method, MultiTaskModel m) {
        MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(1e-2)).seed(5).epochs(2);
        switch (method) {
            case "ew" -> { }
            case "rep-mtl" -> b.repMtl(RepMtl.builder(m).build());
            case "uw" -> b.strategy(Strategies.create("uw", m.taskNames(), Map.of()));
            case "pcgrad" -> b.strategy(Strategies.create("pcgrad", m.taskNames(), Map.of(), GradientMode.PARAMETERS));
            default -> throw new IllegalArgumentException("unknown test method " + method);
        }
        return b;
    }

    static MultiDataSet concat(List<MultiDataSet> parts) {
        INDArray[] labels = new INDArray[2];
        for (int t = 0; t < 2; t++) {
            final int task = t;
            labels[t] = Nd4j.concat(0, parts.stream().map(m -> m.getLabels(task)).toArray(INDArray[]::new));
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{Nd4j.concat(0, parts.stream().map(m -> m.getFeatures(0)).toArray(INDArray[]::new))}, labels);
    }

    /** Trains with {@code t} (when not trained yet) and returns its parameters. */
    static Map<String, INDArray> params(MultiTaskTrainer t) {
        if (t.history().isEmpty()) t.fit();
        Map<String, INDArray> p = new TreeMap<>();
        for (String name : t.trainableParameters()) p.put(name, t.model().sameDiff().getVariable(name).getArr().dup());
        return p;
    }

    /** {@code actual} holds the same arrays as {@code expected}, bit for bit (INDArray.equals allows 1e-5). */
    static void assertBitwise(Map<String, INDArray> expected, Map<String, INDArray> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": entries");
        for (String p : expected.keySet()) {
            INDArray e = expected.get(p), a = actual.get(p);
            assertEquals(e.dataType(), a.dataType(), what + ": data type of " + p);
            assertArrayEquals(e.shape(), a.shape(), what + ": shape of " + p);
            assertArrayEquals(e.castTo(DataType.DOUBLE).data().asDouble(), a.castTo(DataType.DOUBLE).data().asDouble(), what + ": " + p);
        }
    }

    /** Every array of {@code actual} within {@code tolerance} of {@code expected}'s, relative (Euclidean). */
    static void assertClose(Map<String, INDArray> expected, Map<String, INDArray> actual, double tolerance, String what) {
        assertTrue(expected.keySet().equals(actual.keySet()), what + ": entries " + expected.keySet() + " vs " + actual.keySet());
        for (String p : expected.keySet()) {
            INDArray e = expected.get(p).castTo(DataType.DOUBLE), a = actual.get(p).castTo(DataType.DOUBLE);
            double scale = Math.max(e.norm2Number().doubleValue(), 1e-300);
            double err = e.sub(a).norm2Number().doubleValue() / scale;
            assertTrue(err <= tolerance, what + ": " + p + " relative error " + err);
        }
    }

    static MultiTaskModel model() { return model(false, false); }

    /**
     * x [B,5] -> dense 6 tanh = Z -> per task dense 3 -> softmax CE; float64. With {@code logOfFirstFeature}, task a's
     * loss adds {@code 0 * sum(log x[:, 0])}, NaN where a first feature is negative; with {@code batchNorm} the encoder
     * normalises its pre-activation (training-mode batch norm with running statistics).
     */
    static MultiTaskModel model(boolean logOfFirstFeature, boolean batchNorm) { return model(logOfFirstFeature, batchNorm, DataType.DOUBLE); }

    /** {@link #model(boolean, boolean)} with parameters and input of type {@code dt} (the same initial values, rounded). */
    static MultiTaskModel model(boolean logOfFirstFeature, boolean batchNorm, DataType dt) {
        Nd4j.getRandom().setSeed(11);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", dt, -1, 5);
        SDVariable h = x.mmul(sd.var("enc.W", Nd4j.randn(DataType.DOUBLE, 5, 6).muli(0.5).castTo(dt))).add(sd.var("enc.b", Nd4j.randn(DataType.DOUBLE, 6).muli(0.1).castTo(dt)));
        LayerContext ctx = LayerContext.create(sd, dt, 3);
        if (batchNorm) h = BatchNorm.builder(6).build().apply(ctx, "enc.bn", h, 2);
        SDVariable z = sd.math.tanh("Z", h);
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd);
        for (String t : List.of("a", "b")) {
            SDVariable y = sd.placeHolder("y_" + t, DataType.INT64, -1);
            SDVariable logits = sd.identity("out_" + t, z.mmul(sd.var(t + ".W", Nd4j.randn(DataType.DOUBLE, 6, 3).muli(0.5).castTo(dt))).add(sd.var(t + ".b", Nd4j.zeros(dt, 3))));
            if (logOfFirstFeature && t.equals("a")) {
                SDVariable ce = TaskLosses.softmaxCrossEntropy(sd, "ce_a", logits, y, 3);
                sd.identity("loss_a", ce.add(sd.math.log(x.get(SDIndex.all(), SDIndex.point(0))).sum().mul(0.0)));
            } else {
                TaskLosses.softmaxCrossEntropy(sd, "loss_" + t, logits, y, 3);
            }
            b.task(TaskSpec.classification(t, 3), "x", "Z", "out_" + t, "y_" + t, "loss_" + t);
        }
        if (batchNorm) {
            b.trainingFlag(LayerContext.TRAINING_FLAG);
            for (StatisticUpdate u : ctx.statisticUpdates()) b.statisticUpdate(u);
        }
        return b.build();
    }

    /** {@code n} minibatches of {@code size}: task a = argmax of x[0..2], task b = argmax of x[2..4]. */
    static List<MultiDataSet> batches(int n, int size, long seed) {
        Random r = new Random(seed);
        List<MultiDataSet> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            INDArray x = Nd4j.create(DataType.DOUBLE, size, 5);
            INDArray ya = Nd4j.create(DataType.INT64, size), yb = Nd4j.create(DataType.INT64, size);
            for (int e = 0; e < size; e++) {
                for (int j = 0; j < 5; j++) x.putScalar(e, j, r.nextGaussian());
                ya.putScalar(e, x.get(NDArrayIndex.point(e), NDArrayIndex.interval(0, 3)).argMax().getInt(0));
                yb.putScalar(e, x.get(NDArrayIndex.point(e), NDArrayIndex.interval(2, 5)).argMax().getInt(0));
            }
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{x}, new INDArray[]{ya, yb}));
        }
        return out;
    }

    /** {@code batches} with float32 features. */
    static List<MultiDataSet> asFloat(List<MultiDataSet> batches) {
        return batches.stream().map(m -> (MultiDataSet) new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{m.getFeatures(0).castTo(DataType.FLOAT)}, m.getLabels()))
                .toList();
    }

    /** The given minibatches in order, or reshuffled by a seeded generator at every reset. */
    static final class ListIterator implements MultiDataSetIterator {
        private final List<MultiDataSet> given;
        private final Random shuffle;
        private List<MultiDataSet> batches;
        private int cursor;

        ListIterator(List<MultiDataSet> batches) { this(batches, -1); }

        ListIterator(List<MultiDataSet> batches, long seed) {
            this.given = batches;
            this.batches = batches;
            this.shuffle = seed < 0 ? null : new Random(seed);
        }

        @Override public MultiDataSet next(int num) { throw new UnsupportedOperationException(); }
        @Override public void setPreProcessor(MultiDataSetPreProcessor p) { throw new UnsupportedOperationException(); }
        @Override public MultiDataSetPreProcessor getPreProcessor() { return null; }
        @Override public boolean resetSupported() { return true; }
        @Override public boolean asyncSupported() { return false; }
        @Override public void reset() {
            cursor = 0;
            if (shuffle != null) {
                batches = new ArrayList<>(given);
                java.util.Collections.shuffle(batches, shuffle);
            }
        }
        @Override public boolean hasNext() { return cursor < batches.size(); }
        @Override public MultiDataSet next() { return batches.get(cursor++); }
    }
}
