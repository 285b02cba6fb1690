package io.github.repmtl.spark;

import io.github.repmtl.samediff.train.EpochSummary;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.TrainingListener;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.github.repmtl.spark.SparkFixtures.assertBitwise;
import static io.github.repmtl.spark.SparkFixtures.batches;
import static io.github.repmtl.spark.SparkFixtures.configure;
import static io.github.repmtl.spark.SparkFixtures.params;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Determinism under faults, both masters, Spark local mode with up to 4 attempts per task: tasks that fail on their
 * first attempt and are re-run leave the final weights bitwise equal to a run without faults; a driver stopped
 * between epochs and resumed from its checkpoints ends bitwise equal to an uninterrupted run.
 */
class FaultToleranceTest {
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() { sc = SparkFixtures.localContext("local[2,4]"); }

    @AfterAll
    static void stop() { sc.stop(); }

    private static List<Supplier<TrainingMaster>> masters() {
        return List.of(() -> GradientTrainingMaster.builder().workers(2).storageLevel(StorageLevel.NONE()).build(),
                () -> ParameterAveragingTrainingMaster.builder().workers(2).batchSizePerWorker(8).averagingFrequency(2)
                        .repartitionData(Repartition.NEVER).storageLevel(StorageLevel.NONE()).build());
    }

    @Test
    void tasksRerunAfterAFailureComputeTheSameResults() {
        List<MultiDataSet> b = batches(6, 8, 31);
        for (Supplier<TrainingMaster> m : masters()) {
            String name = m.get().getClass().getSimpleName();
            Map<String, INDArray> clean = params(fit(configure("uw"), m.get(), sc.parallelize(b, 2)).trainer());
            // not cached (StorageLevel.NONE): every job re-reads partition 1, and its first attempt always fails
            JavaRDD<MultiDataSet> faulty = sc.parallelize(b, 2).map(x -> {
                TaskContext c = TaskContext.get();
                if (c.partitionId() == 1 && c.attemptNumber() == 0) throw new IllegalStateException("injected fault in " + c.taskAttemptId());
                return x;
            });
            Map<String, INDArray> retried = params(fit(configure("uw"), m.get(), faulty).trainer());
            assertBitwise(clean, retried, name + " with first attempts failing");
        }
    }

    @Test
    void aDriverStoppedBetweenEpochsResumesExactly(@TempDir Path dir) {
        List<MultiDataSet> b = batches(6, 8, 32);
        int run = 0;
        for (Supplier<TrainingMaster> m : masters()) {
            String name = m.get().getClass().getSimpleName();
            Path whole = dir.resolve("whole-" + run), stopped = dir.resolve("stopped-" + run++);
            Map<String, INDArray> uninterrupted = params(fit(configure("uw").epochs(3).checkpoints(whole, 2), m.get(), sc.parallelize(b, 2)).trainer());
            TrainingListener stopAfterEpoch1 = new TrainingListener() {
                @Override public void onEpochEnd(EpochSummary s) {
                    if (s.epoch() == 1) throw new IllegalStateException("driver stopped");       // before epoch 1's checkpoint
                }
            };
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> fit(configure("uw").epochs(3).checkpoints(stopped, 2).listener(stopAfterEpoch1), m.get(), sc.parallelize(b, 2)));
            assertTrue(e.getMessage().contains("driver stopped"), e.getMessage());
            SparkMultiTaskTrainer resumed = fit(configure("uw").epochs(3).checkpoints(stopped, 2).resume(true), m.get(), sc.parallelize(b, 2));
            assertBitwise(uninterrupted, params(resumed.trainer()), name + " resumed from epoch 0's checkpoint");
        }
    }

    private static SparkMultiTaskTrainer fit(MultiTaskTrainer.Builder cfg, TrainingMaster m, JavaRDD<MultiDataSet> data) {
        SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc).training(cfg).trainingMaster(m).build();
        spark.fit(data);
        return spark;
    }
}
