package io.github.repmtl.spark;

import io.github.repmtl.samediff.train.ModelEvaluator;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.github.repmtl.spark.SparkFixtures.assertBitwise;
import static io.github.repmtl.spark.SparkFixtures.assertClose;
import static io.github.repmtl.spark.SparkFixtures.batches;
import static io.github.repmtl.spark.SparkFixtures.concat;
import static io.github.repmtl.spark.SparkFixtures.configure;
import static io.github.repmtl.spark.SparkFixtures.configureAsShipped;
import static io.github.repmtl.spark.SparkFixtures.model;
import static io.github.repmtl.spark.SparkFixtures.params;
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
    static void start() { sc = SparkFixtures.localContext("local[2]"); }

    @AfterAll
    static void stop() { sc.stop(); }

    @Test
    void oneWorkerIsTheSingleMachineTrainerBitwise() {
        List<MultiDataSet> batches = batches(3, 16, 1);
        for (String method : new String[]{"ew", "rep-mtl", "pcgrad"}) {
            Map<String, INDArray> local = params(configureAsShipped(method).train(new SparkFixtures.ListIterator(batches)).build());
            SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(configure(method))
                    .trainingMaster(GradientTrainingMaster.builder().workers(1).build()).build();
            spark.fit(sc.parallelize(batches, 1));
            Map<String, INDArray> distributed = params(spark.trainer());
            assertBitwise(local, distributed, method + ", after 2 epochs");
        }
    }

    @Test
    void workersEqualTheSingleMachineStepOnTheConcatenatedBatch() {
        for (DataType dt : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            double tolerance = dt == DataType.DOUBLE ? 1e-12 : 1e-5;
            for (int workers : new int[]{2, 4}) {
                List<MultiDataSet> shards = batches(3 * workers, 8, 2);          // step s: the s-th minibatch of every partition
                if (dt == DataType.FLOAT) shards = SparkFixtures.asFloat(shards);
                List<MultiDataSet> whole = new ArrayList<>();
                int perPartition = 3;
                for (int s = 0; s < perPartition; s++) {
                    List<MultiDataSet> step = new ArrayList<>();
                    for (int k = 0; k < workers; k++) step.add(shards.get(k * perPartition + s));
                    whole.add(concat(step));
                }
                for (String method : new String[]{"ew", "pcgrad"}) {
                    Map<String, INDArray> local = params(configure(method, model(false, false, dt)).train(new SparkFixtures.ListIterator(whole)).build());
                    SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(configure(method, model(false, false, dt)))
                            .trainingMaster(GradientTrainingMaster.builder().workers(workers).build()).build();
                    spark.fit(sc.parallelize(shards, workers));
                    assertClose(local, params(spark.trainer()), tolerance, dt + ", " + method + ", " + workers + " workers");
                }
            }
        }
    }

    @Test
    void anIteratorsEpochsTrainAsOnOneMachine() {
        List<MultiDataSet> b = batches(6, 8, 6);
        for (String method : new String[]{"ew", "rep-mtl"}) {
            Map<String, INDArray> local = params(configureAsShipped(method).train(new SparkFixtures.ListIterator(b, 9)).build());
            SparkMultiTaskTrainer one = SparkMultiTaskTrainer.builder(sc).training(configure(method)).build();
            one.fit(new SparkFixtures.ListIterator(b, 9));
            Map<String, INDArray> distributed = params(one.trainer());
            assertBitwise(local, distributed, method + ", shuffled epochs");
        }
        // two workers: step s holds the epoch's minibatches 2s and 2s+1
        SparkFixtures.ListIterator shuffled = new SparkFixtures.ListIterator(b, 9);
        List<MultiDataSet> steps = new ArrayList<>();
        for (int epoch = 0; epoch < 3; epoch++) {                        // the trainer reads an epoch to count it, then trains 2
            shuffled.reset();
            List<MultiDataSet> epochBatches = new ArrayList<>();
            while (shuffled.hasNext()) epochBatches.add(shuffled.next());
            if (epoch == 0) continue;
            for (int s = 0; s < epochBatches.size() / 2; s++) steps.add(concat(epochBatches.subList(2 * s, 2 * s + 2)));
        }
        Map<String, INDArray> local = params(configure("ew").epochs(1).train(new SparkFixtures.ListIterator(steps)).build());
        SparkMultiTaskTrainer two = SparkMultiTaskTrainer.builder(sc).training(configure("ew"))
                .trainingMaster(GradientTrainingMaster.builder().workers(2).build()).build();
        two.fit(new SparkFixtures.ListIterator(b, 9));
        Map<String, INDArray> distributed = params(two.trainer());
        for (String p : local.keySet()) {
            double err = local.get(p).sub(distributed.get(p)).norm2Number().doubleValue() / local.get(p).norm2Number().doubleValue();
            assertTrue(err <= 1e-12, "two workers from an iterator: " + p + " relative error " + err);
        }
    }

    @Test
    void theTrainedModelEvaluatesOnAnRddAsOnOneMachine() {
        SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(configure("ew"))
                .trainingMaster(GradientTrainingMaster.builder().workers(2).build()).build();
        spark.fit(sc.parallelize(batches(4, 8, 12), 2));
        List<MultiDataSet> test = batches(3, 8, 13);
        assertEquals(ModelEvaluator.evaluate(spark.trainer().model(), new SparkFixtures.ListIterator(test)), spark.evaluate(sc.parallelize(test, 2)));
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
        assertBitwise(expected, actual, "exported files");
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
        MultiTaskTrainer.Builder cfg = MultiTaskTrainer.builder(model(true, false)).optimizer(Optimizer.adam(1e-2)).seed(5);
        Map<String, INDArray> before = new TreeMap<>();
        for (String p : List.of("enc.W", "enc.b", "a.W", "b.W")) before.put(p, cfg.model().sameDiff().getVariable(p).getArr().dup());
        SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(cfg).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> spark.fit(sc.parallelize(b, 2)));
        assertTrue(e.getMessage().contains("epoch 0, step 0, partition 1: loss of task 'a' is NaN") && e.getMessage().contains("no update applied"), e.getMessage());
        for (String p : before.keySet()) assertEquals(before.get(p), cfg.model().sameDiff().getVariable(p).getArr(), p + " after the failed step");
        // partition 0 empty: the failing minibatch is the step's second shard, on partition 2
        IllegalStateException named = assertThrows(IllegalStateException.class,
                () -> SparkMultiTaskTrainer.builder(sc).training(MultiTaskTrainer.builder(model(true, false)).seed(5)).build().fit(sc.parallelize(b, 3)));
        assertTrue(named.getMessage().contains("epoch 0, step 0, partition 2: loss of task 'a' is NaN"), named.getMessage());
    }

    private static void assertEqualsSingleMachine(JavaRDD<MultiDataSet> data, List<MultiDataSet> steps, String what) {
        Map<String, INDArray> local = params(configure("ew").train(new SparkFixtures.ListIterator(steps)).build());
        SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(configure("ew")).build();
        spark.fit(data);
        Map<String, INDArray> distributed = params(spark.trainer());
        for (String p : local.keySet()) {
            double err = local.get(p).sub(distributed.get(p)).norm2Number().doubleValue() / local.get(p).norm2Number().doubleValue();
            assertTrue(err <= 1e-12, what + ": " + p + " relative error " + err);
        }
    }
}
