package io.github.repmtl.spark;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gradient master in Spark local mode: with one worker it is the single-machine trainer bitwise; with two and
 * four workers, uneven and empty partitions, each step equals the single-machine step on the concatenated
 * minibatches of the partitions that hold one (float64, 1e-12); exported files train as their minibatches; a
 * non-finite loss on one worker stops the run, naming step and partition, before any update.
 */
class SparkMultiTaskTrainerTest {
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("repmtl-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
    }

    @AfterAll
    static void stop() { sc.stop(); }

    @Test
    void oneWorkerIsTheSingleMachineTrainerBitwise() {
        List<MultiDataSet> batches = batches(3, 16, 1);
        for (String method : new String[]{"ew", "rep-mtl", "pcgrad"}) {
            Map<String, INDArray> local = params(configure(method).train(new ListIterator(batches)).build());
            SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(configure(method))
                    .trainingMaster(GradientTrainingMaster.builder().workers(1).build()).build();
            spark.fit(sc.parallelize(batches, 1));
            Map<String, INDArray> distributed = params(spark.trainer());
            for (String p : local.keySet()) assertEquals(local.get(p), distributed.get(p), method + ": " + p + " after 2 epochs");
        }
    }

    @Test
    void workersEqualTheSingleMachineStepOnTheConcatenatedBatch() {
        for (int workers : new int[]{2, 4}) {
            List<MultiDataSet> shards = batches(3 * workers, 8, 2);          // step s: the s-th minibatch of every partition
            List<MultiDataSet> whole = new ArrayList<>();
            int perPartition = 3;
            for (int s = 0; s < perPartition; s++) {
                List<MultiDataSet> step = new ArrayList<>();
                for (int k = 0; k < workers; k++) step.add(shards.get(k * perPartition + s));
                whole.add(concat(step));
            }
            for (String method : new String[]{"ew", "pcgrad"}) {
                Map<String, INDArray> local = params(configure(method).train(new ListIterator(whole)).build());
                SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(configure(method))
                        .trainingMaster(GradientTrainingMaster.builder().workers(workers).build()).build();
                spark.fit(sc.parallelize(shards, workers));
                Map<String, INDArray> distributed = params(spark.trainer());
                for (String p : local.keySet()) {
                    double err = local.get(p).sub(distributed.get(p)).norm2Number().doubleValue() / local.get(p).norm2Number().doubleValue();
                    assertTrue(err <= 1e-12, method + ", " + workers + " workers: " + p + " relative error " + err);
                }
            }
        }
    }

    @Test
    void anIteratorsEpochsTrainAsOnOneMachine() {
        List<MultiDataSet> b = batches(6, 8, 6);
        for (String method : new String[]{"ew", "rep-mtl"}) {
            Map<String, INDArray> local = params(configure(method).train(new ListIterator(b, 9)).build());
            SparkMultiTaskTrainer one = SparkMultiTaskTrainer.builder(sc).training(configure(method)).build();
            one.fit(new ListIterator(b, 9));
            Map<String, INDArray> distributed = params(one.trainer());
            for (String p : local.keySet()) assertEquals(local.get(p), distributed.get(p), method + ", shuffled epochs: " + p);
        }
        // two workers: step s holds the epoch's minibatches 2s and 2s+1
        ListIterator shuffled = new ListIterator(b, 9);
        List<MultiDataSet> steps = new ArrayList<>();
        for (int epoch = 0; epoch < 3; epoch++) {                        // the trainer reads an epoch to count it, then trains 2
            shuffled.reset();
            List<MultiDataSet> epochBatches = new ArrayList<>();
            while (shuffled.hasNext()) epochBatches.add(shuffled.next());
            if (epoch == 0) continue;
            for (int s = 0; s < epochBatches.size() / 2; s++) steps.add(concat(epochBatches.subList(2 * s, 2 * s + 2)));
        }
        Map<String, INDArray> local = params(configure("ew").epochs(1).train(new ListIterator(steps)).build());
        SparkMultiTaskTrainer two = SparkMultiTaskTrainer.builder(sc).training(configure("ew"))
                .trainingMaster(GradientTrainingMaster.builder().workers(2).build()).build();
        two.fit(new ListIterator(b, 9));
        Map<String, INDArray> distributed = params(two.trainer());
        for (String p : local.keySet()) {
            double err = local.get(p).sub(distributed.get(p)).norm2Number().doubleValue() / local.get(p).norm2Number().doubleValue();
            assertTrue(err <= 1e-12, "two workers from an iterator: " + p + " relative error " + err);
        }
    }

    @Test
    void unevenAndEmptyPartitionsSitOutTheStepsTheyHaveNoMinibatchFor() {
        List<MultiDataSet> b = batches(5, 8, 3);
        // parallelize(5 elements, 2 slices): partition 0 = {b0, b1}, partition 1 = {b2, b3, b4}
        List<MultiDataSet> uneven = List.of(concat(List.of(b.get(0), b.get(2))), concat(List.of(b.get(1), b.get(3))), b.get(4));
        assertEqualsSingleMachine(sc.parallelize(b, 2), uneven, "uneven partitions");
        // parallelize(2 elements, 3 slices): partition 0 is empty
        List<MultiDataSet> two = b.subList(0, 2);
        assertEqualsSingleMachine(sc.parallelize(two, 3), List.of(concat(two)), "an empty partition");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkMultiTaskTrainer.builder(sc).training(configure("ew"))
                .build().fit(sc.parallelize(List.<MultiDataSet>of(), 2)));
        assertTrue(e.getMessage().contains("training RDD is empty"), e.getMessage());
    }

    @Test
    void exportedFilesTrainAsTheirMinibatches(@TempDir Path dir) throws Exception {
        List<MultiDataSet> b = batches(4, 8, 4);
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            File f = dir.resolve("batch-" + i + ".bin").toFile();
            b.get(i).save(f);
            paths.add(f.getPath());
        }
        SparkMultiTaskTrainer fromObjects = SparkMultiTaskTrainer.builder(sc).training(configure("ew")).build();
        fromObjects.fit(sc.parallelize(b, 2));
        SparkMultiTaskTrainer fromFiles = SparkMultiTaskTrainer.builder(sc).training(configure("ew")).build();
        fromFiles.fitPaths(sc.parallelize(paths, 2));
        Map<String, INDArray> expected = params(fromObjects.trainer()), actual = params(fromFiles.trainer());
        for (String p : expected.keySet()) assertEquals(expected.get(p), actual.get(p), p);
        paths.set(1, dir.resolve("missing.bin").toString());
        Exception e = assertThrows(Exception.class, () -> SparkMultiTaskTrainer.builder(sc).training(configure("ew")).build().fitPaths(sc.parallelize(paths, 2)));
        assertTrue(String.valueOf(e.getMessage()).contains("exported MultiDataSet file not found: " + paths.get(1)), e.getMessage());
    }

    @Test
    void aNonFiniteLossOnOneWorkerStopsTheRunBeforeAnyUpdate() {
        List<MultiDataSet> b = new ArrayList<>(batches(2, 8, 5));
        INDArray x0 = b.get(0).getFeatures(0).get(NDArrayIndex.all(), NDArrayIndex.point(0));
        x0.assign(x0.add(10));                                           // task a's loss has a term 0 * sum(log x0): finite here,
        b.get(1).getFeatures(0).get(NDArrayIndex.all(), NDArrayIndex.point(0)).assign(-1);   // NaN on partition 1
        MultiTaskTrainer.Builder cfg = MultiTaskTrainer.builder(model(true)).optimizer(Optimizer.adam(1e-2)).seed(5);
        Map<String, INDArray> before = new TreeMap<>();
        for (String p : List.of("enc.W", "enc.b", "a.W", "b.W")) before.put(p, cfg.model().sameDiff().getVariable(p).getArr().dup());
        SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(cfg).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> spark.fit(sc.parallelize(b, 2)));
        assertTrue(e.getMessage().contains("epoch 0, step 0, partition 1: loss of task 'a' is NaN") && e.getMessage().contains("no update applied"), e.getMessage());
        for (String p : before.keySet()) assertEquals(before.get(p), cfg.model().sameDiff().getVariable(p).getArr(), p + " after the failed step");
    }

    private static void assertEqualsSingleMachine(JavaRDD<MultiDataSet> data, List<MultiDataSet> steps, String what) {
        Map<String, INDArray> local = params(configure("ew").train(new ListIterator(steps)).build());
        SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(configure("ew")).build();
        spark.fit(data);
        Map<String, INDArray> distributed = params(spark.trainer());
        for (String p : local.keySet()) {
            double err = local.get(p).sub(distributed.get(p)).norm2Number().doubleValue() / local.get(p).norm2Number().doubleValue();
            assertTrue(err <= 1e-12, what + ": " + p + " relative error " + err);
        }
    }

    private static MultiTaskTrainer.Builder configure(String method) {
        MultiTaskModel m = model();
        MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(1e-2)).seed(5).epochs(2);
        if (method.equals("rep-mtl")) b.repMtl(RepMtl.builder(m).build());
        if (method.equals("pcgrad")) b.strategy(Strategies.create("pcgrad", m.taskNames(), Map.of(), GradientMode.PARAMETERS));
        return b;
    }

    private static MultiDataSet concat(List<MultiDataSet> parts) {
        INDArray[] labels = new INDArray[2];
        for (int t = 0; t < 2; t++) {
            final int task = t;
            labels[t] = Nd4j.concat(0, parts.stream().map(m -> m.getLabels(task)).toArray(INDArray[]::new));
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{Nd4j.concat(0, parts.stream().map(m -> m.getFeatures(0)).toArray(INDArray[]::new))}, labels);
    }

    /** Trains with {@code t} (when not trained yet) and returns its parameters. */
    private static Map<String, INDArray> params(MultiTaskTrainer t) {
        if (t.history().isEmpty()) t.fit();
        Map<String, INDArray> p = new TreeMap<>();
        for (String name : t.trainableParameters()) p.put(name, t.model().sameDiff().getVariable(name).getArr().dup());
        return p;
    }

    private static MultiTaskModel model() { return model(false); }

    /**
     * x [B,5] -> dense 6 tanh = Z -> per task dense 3 -> softmax CE; float64. With {@code logOfFirstFeature}, task a's
     * loss adds {@code 0 * sum(log x[:, 0])}, NaN where a first feature is negative.
     */
    private static MultiTaskModel model(boolean logOfFirstFeature) {
        Nd4j.getRandom().setSeed(11);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 5);
        SDVariable z = sd.math.tanh("Z", x.mmul(sd.var("enc.W", Nd4j.randn(DataType.DOUBLE, 5, 6).muli(0.5))).add(sd.var("enc.b", Nd4j.randn(DataType.DOUBLE, 6).muli(0.1))));
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd);
        for (String t : List.of("a", "b")) {
            SDVariable y = sd.placeHolder("y_" + t, DataType.INT64, -1);
            SDVariable logits = sd.identity("out_" + t, z.mmul(sd.var(t + ".W", Nd4j.randn(DataType.DOUBLE, 6, 3).muli(0.5))).add(sd.var(t + ".b", Nd4j.zeros(DataType.DOUBLE, 3))));
            if (logOfFirstFeature && t.equals("a")) {
                SDVariable ce = TaskLosses.softmaxCrossEntropy(sd, "ce_a", logits, y, 3);
                sd.identity("loss_a", ce.add(sd.math.log(x.get(SDIndex.all(), SDIndex.point(0))).sum().mul(0.0)));
            } else {
                TaskLosses.softmaxCrossEntropy(sd, "loss_" + t, logits, y, 3);
            }
            b.task(TaskSpec.classification(t, 3), "x", "Z", "out_" + t, "y_" + t, "loss_" + t);
        }
        return b.build();
    }

    /** {@code n} minibatches of {@code size}: task a = argmax of x[0..2], task b = argmax of x[2..4]. */
    private static List<MultiDataSet> batches(int n, int size, long seed) {
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

    /** The given minibatches in order, or reshuffled by a seeded generator at every reset. */
    private static final class ListIterator implements MultiDataSetIterator {
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
