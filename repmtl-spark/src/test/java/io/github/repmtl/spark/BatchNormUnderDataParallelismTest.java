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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.repmtl.spark.SparkFixtures.assertClose;
import static io.github.repmtl.spark.SparkFixtures.batches;
import static io.github.repmtl.spark.SparkFixtures.concat;
import static io.github.repmtl.spark.SparkFixtures.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch norm under data parallelism, both masters: each worker normalises its own minibatch by its own statistics
 * (PyTorch DDP without SyncBN), and the running statistics become the example-weighted mean of the workers'. With
 * plain SGD and one step both masters therefore end at the example-weighted mean of the single-machine steps on each
 * worker's minibatch, parameters and running statistics alike, and not at the step on the concatenated batch.
 */
class BatchNormUnderDataParallelismTest {
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() { sc = SparkFixtures.localContext("local[2]"); }

    @AfterAll
    static void stop() { sc.stop(); }

    private static MultiTaskTrainer.Builder sgdWithBatchNorm() {
        return MultiTaskTrainer.builder(model(false, true)).optimizer(Optimizer.sgd(0.1, 0)).seed(5).epochs(1);
    }

    /** The single-machine state after one SGD step on {@code batch}. */
    private static TrainerState stepOn(MultiDataSet batch) {
        MultiTaskTrainer t = sgdWithBatchNorm().train(new SparkFixtures.ListIterator(List.of(batch))).build();
        t.fit();
        return t.state();
    }

    @Test
    void runningStatisticsAreTheExampleWeightedMeanOfTheWorkers() {
        MultiDataSet eight = batches(1, 8, 21).get(0), four = batches(1, 4, 22).get(0);
        TrainerState s8 = stepOn(eight), s4 = stepOn(four), whole = stepOn(concat(List.of(eight, four)));
        assertEquals(2, s8.statistics().size(), "running mean and variance of the encoder's batch norm");
        Map<String, INDArray> expectedParams = mean(s8.parameters(), s4.parameters()), expectedStats = mean(s8.statistics(), s4.statistics());
        List<TrainingMaster> masters = List.of(GradientTrainingMaster.builder().workers(2).build(),
                ParameterAveragingTrainingMaster.builder().workers(2).batchSizePerWorker(8).averagingFrequency(1).repartitionData(Repartition.NEVER).build());
        for (TrainingMaster m : masters) {
            String name = m.getClass().getSimpleName();
            SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(sgdWithBatchNorm()).trainingMaster(m).build();
            spark.fit(sc.parallelize(List.of(eight, four), 2));
            TrainerState actual = spark.trainer().state();
            assertClose(expectedStats, actual.statistics(), 1e-12, name + ": running statistics");
            assertClose(expectedParams, actual.parameters(), 1e-12, name + ": parameters");
            INDArray e = whole.parameters().get("enc.W"), a = actual.parameters().get("enc.W");
            double differs = e.sub(a).norm2Number().doubleValue() / e.norm2Number().doubleValue();
            assertTrue(differs > 1e-6, name + ": per-worker normalisation is not the concatenated batch's (relative difference " + differs + ")");
        }
    }

    /** 8/12 of {@code a} plus 4/12 of {@code b}. */
    private static Map<String, INDArray> mean(Map<String, INDArray> a, Map<String, INDArray> b) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        a.forEach((k, v) -> out.put(k, v.castTo(DataType.DOUBLE).mul(8.0 / 12).addi(b.get(k).castTo(DataType.DOUBLE).mul(4.0 / 12))));
        return out;
    }
}
