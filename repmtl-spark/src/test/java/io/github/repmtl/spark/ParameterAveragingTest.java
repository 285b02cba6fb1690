package io.github.repmtl.spark;

import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.TrainerState;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parameter-averaging master in Spark local mode: one worker is the single-machine trainer bitwise; with plain
 * SGD and one local step per round it is the big-batch step; with Adam and several local steps the averaged state is
 * the example-weighted mean of the workers' states and the loss falls; tree aggregation, prefetching, the seeded
 * repartitioning, small, uneven and empty partitions and a NaN on one worker behave as documented.
 */
class ParameterAveragingTest {
    private static final long SEED_STRIDE = 0x9E3779B97F4A7C15L;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() { sc = SparkFixtures.localContext("local[2]"); }

    @AfterAll
    static void stop() { sc.stop(); }

    private static ParameterAveragingTrainingMaster.Builder master(int workers, int batch, int k) {
        return ParameterAveragingTrainingMaster.builder().workers(workers).batchSizePerWorker(batch).averagingFrequency(k);
    }

    private static SparkMultiTaskTrainer fitted(MultiTaskTrainer.Builder cfg, ParameterAveragingTrainingMaster m, List<MultiDataSet> data, int slices) {
        SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(cfg).trainingMaster(m).build();
        spark.fit(sc.parallelize(data, slices));
        return spark;
    }

    @Test
    void oneWorkerIsTheSingleMachineTrainerBitwise() throws Exception {
        List<MultiDataSet> b = batches(7, 8, 1);                              // rounds of 3, 3, 1 steps per epoch
        for (String method : new String[]{"ew", "rep-mtl", "uw", "pcgrad"}) {
            MultiTaskTrainer local = configureAsShipped(method).train(new SparkFixtures.ListIterator(b)).build();
            Map<String, INDArray> expected = params(local);
            SparkMultiTaskTrainer spark = fitted(configure(method), master(1, 8, 3).build(), b, 1);
            Map<String, INDArray> actual = params(spark.trainer());
            assertBitwise(expected, actual, method);
            assertBitwise(local.state().optimizer(), spark.trainer().state().optimizer(), method + ": optimizer state");
            assertEquals(JSON.writeValueAsString(local.state().strategy()), JSON.writeValueAsString(spark.trainer().state().strategy()), method + ": strategy state");
            assertEquals(local.history().get(1).trainLosses(), spark.trainer().history().get(1).trainLosses(), method + ": epoch training losses");
        }
        // minibatches of another size are re-batched to batchSizePerWorker: 4 x 6 examples = 3 x 8
        List<MultiDataSet> sixes = batches(4, 6, 2);
        MultiDataSet all = concat(sixes);
        List<MultiDataSet> eights = new ArrayList<>();
        for (int i = 0; i < 3; i++) eights.add(rows(all, 8 * i, 8 * i + 8));
        Map<String, INDArray> expected = params(configure("ew").train(new SparkFixtures.ListIterator(eights)).build());
        Map<String, INDArray> actual = params(fitted(configure("ew"), master(1, 8, 2).build(), sixes, 1).trainer());
        assertBitwise(expected, actual, "re-batched");
    }

    @Test
    void anIteratorsShuffledEpochsTrainAsOnOneMachine() {
        List<MultiDataSet> b = batches(5, 8, 6);
        Map<String, INDArray> expected = params(configureAsShipped("uw").train(new SparkFixtures.ListIterator(b, 9)).build());
        SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(configure("uw")).trainingMaster(master(1, 8, 2).build()).build();
        spark.fit(new SparkFixtures.ListIterator(b, 9));
        Map<String, INDArray> actual = params(spark.trainer());
        assertBitwise(expected, actual, "shuffled epochs");
    }

    @Test
    void sgdWithOneLocalStepIsTheBigBatchStep() {
        for (int workers : new int[]{2, 4}) {
            List<MultiDataSet> b = batches(3 * workers, 8, 3);              // balanced: element i on partition i mod W
            List<MultiDataSet> big = new ArrayList<>();
            for (int r = 0; r < 3; r++) big.add(concat(b.subList(r * workers, r * workers + workers)));
            Map<String, INDArray> expected = params(sgd().train(new SparkFixtures.ListIterator(big)).build());
            Map<String, INDArray> actual = params(fitted(sgd(), master(workers, 8, 1).build(), b, 3).trainer());
            assertClose(expected, actual, 1e-6, workers + " workers, SGD, K = 1");
            assertClose(expected, actual, 1e-13, workers + " workers, SGD, K = 1 (float64)");
        }
    }

    private static MultiTaskTrainer.Builder sgd() {
        return MultiTaskTrainer.builder(model()).optimizer(Optimizer.sgd(0.1, 0)).seed(5).epochs(2);
    }

    @Test
    void theAveragedStateIsTheExampleWeightedMeanOfTheWorkers() {
        // partition 0: two minibatches of 8 (16 examples); partition 1: 4 + 4 + 4 re-batched to 8 + 4 (12 examples)
        List<MultiDataSet> eights = batches(2, 8, 4), fours = batches(3, 4, 5);
        List<MultiDataSet> data = new ArrayList<>(eights);
        data.addAll(fours);
        SparkMultiTaskTrainer spark = fitted(configure("uw").epochs(1), master(2, 8, 2).repartitionData(Repartition.NEVER).build(), data, 2);
        TrainerState w0 = worker(0, eights), w1 = worker(1, List.of(concat(fours.subList(0, 2)), fours.get(2)));
        TrainerState actual = spark.trainer().state();
        double f0 = 16.0 / 28, f1 = 12.0 / 28;
        assertClose(mean(w0.parameters(), w1.parameters(), f0, f1), actual.parameters(), 1e-14, "parameters");
        assertClose(mean(w0.optimizer(), w1.optimizer(), f0, f1), actual.optimizer(), 1e-14, "Adam moments");
        assertEquals(2, actual.optimizerSteps(), "optimizer steps: the workers' count");
        assertEquals(2, actual.step());
        double[] lv0 = (double[]) w0.strategy().get("logVariances"), lv1 = (double[]) w1.strategy().get("logVariances");
        double[] lv = (double[]) actual.strategy().get("logVariances");
        for (int t = 0; t < lv.length; t++) assertEquals(f0 * lv0[t] + f1 * lv1[t], lv[t], 1e-15, "UW log-variance " + t);
        assertNotEquals(lv0[0], lv1[0], "the workers' strategy states differ before averaging");
    }

    /** Worker k's state after its local steps from the initial state, as the master's worker computes it. */
    private static TrainerState worker(int k, List<MultiDataSet> minibatches) {
        MultiTaskTrainer t = configure("uw").epochs(1).seed(5 + k * SEED_STRIDE).build();
        for (MultiDataSet m : minibatches) t.step(m, 0);
        return t.state();
    }

    private static Map<String, INDArray> mean(Map<String, INDArray> a, Map<String, INDArray> b, double fa, double fb) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        a.forEach((k, v) -> out.put(k, v.castTo(DataType.DOUBLE).mul(fa).addi(b.get(k).castTo(DataType.DOUBLE).mul(fb))));
        return out;
    }

    @Test
    void adamWithSeveralLocalStepsLowersTheLoss() {
        List<MultiDataSet> b = batches(8, 8, 7);
        SparkMultiTaskTrainer spark = fitted(configure("rep-mtl").epochs(6), master(2, 8, 2).build(), b, 2);
        double first = sum(spark.trainer().history().get(0).trainLosses()), last = sum(spark.trainer().history().get(5).trainLosses());
        assertTrue(last < 0.8 * first, "training loss " + first + " -> " + last);
    }

    private static double sum(Map<String, Double> m) { return m.values().stream().mapToDouble(Double::doubleValue).sum(); }

    @Test
    void treeAggregationPrefetchAndSeededRepartitioningKeepTheResult() {
        List<MultiDataSet> b = batches(16, 8, 8);
        Map<String, INDArray> flat = params(fitted(configure("uw"), master(8, 8, 1).aggregationDepth(1).build(), b, 3).trainer());
        Map<String, INDArray> tree = params(fitted(configure("uw"), master(8, 8, 1).aggregationDepth(2).build(), b, 3).trainer());
        Map<String, INDArray> again = params(fitted(configure("uw"), master(8, 8, 1).aggregationDepth(2).build(), b, 3).trainer());
        assertClose(flat, tree, 1e-13, "8 workers: tree of depth 2 (3 groups) vs all on the driver");
        assertBitwise(tree, again, "tree aggregation is deterministic");
        Map<String, INDArray> prefetched = params(fitted(configure("uw"), master(2, 8, 2).workerPrefetchNumBatches(2).build(), b, 2).trainer());
        Map<String, INDArray> plain = params(fitted(configure("uw"), master(2, 8, 2).build(), b, 2).trainer());
        assertBitwise(plain, prefetched, "prefetching changes nothing");
        Map<String, INDArray> seeded = params(fitted(configure("uw"), master(2, 8, 2).rngSeed(3).build(), b, 2).trainer());
        Map<String, INDArray> seededAgain = params(fitted(configure("uw"), master(2, 8, 2).rngSeed(3).build(), b, 2).trainer());
        assertBitwise(seeded, seededAgain, "rngSeed repartitioning is reproducible");
        assertNotEquals(plain.get("enc.W"), seeded.get("enc.W"), "rngSeed shuffles which worker trains which minibatch");
    }

    @Test
    void smallUnevenAndEmptyPartitions() {
        // a partition smaller than one minibatch (5 examples at batch 8) trains on what it has, weighted by 5
        List<MultiDataSet> data = List.of(batches(1, 8, 9).get(0), batches(1, 5, 10).get(0));
        SparkMultiTaskTrainer spark = fitted(configure("ew").epochs(1), master(2, 8, 1).repartitionData(Repartition.NEVER).build(), data, 2);
        TrainerState w0 = workerEw(0, data.get(0)), w1 = workerEw(1, data.get(1));
        assertClose(mean(w0.parameters(), w1.parameters(), 8.0 / 13, 5.0 / 13), spark.trainer().state().parameters(), 1e-14, "8 and 5 examples");
        // an empty partition and partitions with fewer rounds sit those rounds out
        List<MultiDataSet> two = batches(2, 8, 11);
        Map<String, INDArray> expected = params(sgd().train(new SparkFixtures.ListIterator(List.of(concat(two)))).build());
        Map<String, INDArray> actual = params(fitted(sgd(), master(3, 8, 1).repartitionData(Repartition.NEVER).build(), two, 3).trainer());
        assertClose(expected, actual, 1e-13, "an empty partition");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fitted(configure("ew"), master(2, 8, 1).build(), List.of(), 2));
        assertTrue(e.getMessage().contains("training RDD is empty"), e.getMessage());
    }

    private static TrainerState workerEw(int k, MultiDataSet m) {
        MultiTaskTrainer t = configure("ew").epochs(1).seed(5 + k * SEED_STRIDE).build();
        t.step(m, 0);
        return t.state();
    }

    @Test
    void aNonFiniteLossOnOneWorkerStopsTheRunBeforeAnyAveraging() {
        List<MultiDataSet> b = new ArrayList<>(batches(2, 8, 5));
        INDArray x0 = b.get(0).getFeatures(0).get(NDArrayIndex.all(), NDArrayIndex.point(0));
        x0.assign(x0.add(10));
        b.get(1).getFeatures(0).get(NDArrayIndex.all(), NDArrayIndex.point(0)).assign(-1);   // NaN on partition 1
        MultiTaskTrainer.Builder cfg = MultiTaskTrainer.builder(model(true, false)).optimizer(Optimizer.adam(1e-2)).seed(5);
        Map<String, INDArray> before = new TreeMap<>();
        for (String p : List.of("enc.W", "enc.b", "a.W", "b.W")) before.put(p, cfg.model().sameDiff().getVariable(p).getArr().dup());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> fitted(cfg, master(2, 8, 1).repartitionData(Repartition.NEVER).build(), b, 2));
        assertTrue(e.getMessage().contains("epoch 0, step 0, partition 1, local step 0") && e.getMessage().contains("loss of task 'a' is NaN"), e.getMessage());
        for (String p : before.keySet()) assertEquals(before.get(p), cfg.model().sameDiff().getVariable(p).getArr(), p + " after the failed round");
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> ParameterAveragingTrainingMaster.builder().batchSizePerWorker(0));
        assertThrows(IllegalArgumentException.class, () -> ParameterAveragingTrainingMaster.builder().averagingFrequency(0));
        assertThrows(IllegalArgumentException.class, () -> ParameterAveragingTrainingMaster.builder().aggregationDepth(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParameterAveragingTrainingMaster.builder().workerPrefetchNumBatches(-1));
        assertTrue(e.getMessage().contains("workerPrefetchNumBatches"), e.getMessage());
    }

    private static MultiDataSet rows(MultiDataSet m, int from, int to) {
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{m.getFeatures(0).get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup()},
                new INDArray[]{m.getLabels(0).get(NDArrayIndex.interval(from, to)).dup(), m.getLabels(1).get(NDArrayIndex.interval(from, to)).dup()});
    }
}
