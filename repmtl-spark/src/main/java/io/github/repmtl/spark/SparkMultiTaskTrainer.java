package io.github.repmtl.spark;

import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.metrics.DeltaP;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.TrainingGraph;
import io.github.repmtl.samediff.train.TrainingResult;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * Trains a {@link MultiTaskModel} on a Spark cluster, as DL4J's {@code SparkComputationGraph} trains a
 * {@code ComputationGraph}: built from a {@link JavaSparkContext}, the single-machine trainer's configuration
 * ({@link MultiTaskTrainer.Builder}: strategy, Rep-MTL, optimizer, seed, validation and test iterators, baselines,
 * selection, listeners, checkpoints, resume) and a training master. The driver runs that trainer; only its steps'
 * graph executions run on the executors, so logs, checkpoints and results are the single-machine trainer's.
 *
 * <pre>{@code
 * SparkMultiTaskTrainer spark = SparkMultiTaskTrainer.builder(sc)
 *         .training(MultiTaskTrainer.builder(model).repMtl(RepMtl.builder(model).build()).epochs(10))
 *         .trainingMaster(GradientTrainingMaster.builder().workers(8).build())
 *         .build();
 * TrainingResult result = spark.fit(trainRdd);   // JavaRDD<MultiDataSet> of the workers' minibatches
 * Map<String, TaskResult> test = spark.evaluate(testRdd);
 * }</pre>
 * {@link ParameterAveragingTrainingMaster} trains local steps on each worker and averages every few instead.
 */
public final class SparkMultiTaskTrainer {
    private final JavaSparkContext sc;
    private final MultiTaskTrainer.Builder training;
    private final TrainingMaster master;
    private final ModelShipment shipment;
    private MultiTaskTrainer trainer;

    private SparkMultiTaskTrainer(Builder b) {
        this.sc = b.sc;
        this.training = b.training;
        this.master = b.master;
        if (training.model().isMultiInput())
            throw new IllegalArgumentException("Spark training needs a single-input model; " + training.model().taskNames() + " have inputs " + training.model().inputs());
        this.shipment = ModelShipment.of(training.model());              // before the driver's trainer prepares the graph
    }

    public static Builder builder(JavaSparkContext sc) { return new Builder(sc); }

    /**
     * Trains on {@code data}, single-input {@code MultiDataSet}s: with the gradient master its elements are the
     * workers' minibatches; with parameter averaging they are re-batched to the master's batch size per worker.
     */
    public TrainingResult fit(JavaRDD<MultiDataSet> data) {
        if (data == null) throw new IllegalArgumentException("training RDD is null");
        if (master instanceof ParameterAveragingTrainingMaster a) {
            int workers = workers();
            JavaRDD<MultiDataSet> fixed = a.rngSeed() == null ? a.partition(data, workers, 0) : null;
            return run(epoch -> fixed != null ? fixed : a.partition(data, workers, epoch));
        }
        JavaRDD<MultiDataSet> partitioned = ((GradientTrainingMaster) master).partition(data);
        return run(epoch -> partitioned);
    }

    private int workers() {
        return master.workers() > 0 ? master.workers() : master instanceof ParameterAveragingTrainingMaster ? sc.defaultParallelism() : 1;
    }

    /**
     * Trains on the minibatches of an iterator read on the driver, epoch by epoch (seeded shuffles replay as on one
     * machine): step s holds minibatches {@code s*W .. s*W+W-1} of the epoch, minibatch {@code s*W+k} on worker k,
     * so that with one worker the steps are the single-machine trainer's.
     */
    public TrainingResult fit(MultiDataSetIterator data) {
        if (data == null) throw new IllegalArgumentException("training iterator is null");
        int workers = workers();
        return run(epoch -> {
            data.reset();
            List<List<MultiDataSet>> perWorker = new ArrayList<>();
            for (int k = 0; k < workers; k++) perWorker.add(new ArrayList<>());
            for (int i = 0; data.hasNext(); i++) perWorker.get(i % workers).add(data.next());
            return sc.parallelize(perWorker, workers).flatMap(List::iterator);
        });
    }

    private TrainingResult run(IntFunction<JavaRDD<MultiDataSet>> epochs) {
        if (trainer != null) throw new IllegalStateException("this trainer has already been fitted; build a new one (resume continues from its checkpoints)");
        String runId = UUID.randomUUID().toString();
        if (master instanceof ParameterAveragingTrainingMaster a) {
            Broadcast<AveragingWorkerSpec> spec = sc.broadcast(AveragingWorkerSpec.of(runId, shipment, training));
            AveragingRoundSource rounds = new AveragingRoundSource(sc, epochs, a, spec);
            try {
                trainer = training.trainingRounds(rounds).build();
                return trainer.fit();
            } finally {
                rounds.close();
                spec.destroy();
                WorkerPools.release(runId);
            }
        }
        Broadcast<WorkerSpec> spec = sc.broadcast(new WorkerSpec(runId, shipment, training.repMtl(), training.regularizerPlacement(), training.resolvedGradientMode()));
        MultiTaskTrainer[] driver = new MultiTaskTrainer[1];                  // the source reads the parameters of the trainer it feeds
        PartitionedStepSource source = new PartitionedStepSource(sc, epochs, master.storageLevel(), spec, training.model().numTasks(),
                () -> parameters(driver[0].trainingGraph()));
        try {
            trainer = driver[0] = training.trainingSource(source).build();
            return trainer.fit();
        } finally {
            source.close();
            spec.destroy();
            WorkerPools.release(runId);
        }
    }

    /** Trains on exported {@code MultiDataSet} files ({@code MultiDataSet.save}, DL4J's export approach), one minibatch each. */
    public TrainingResult fitPaths(JavaRDD<String> paths) {
        if (paths == null) throw new IllegalArgumentException("path RDD is null");
        return fit(paths.map(p -> {
            File f = new File(p);
            if (!f.isFile()) throw new IllegalArgumentException("exported MultiDataSet file not found: " + p);
            org.nd4j.linalg.dataset.MultiDataSet m = new org.nd4j.linalg.dataset.MultiDataSet();
            m.load(f);
            return (MultiDataSet) m;
        }));
    }

    /**
     * The model's metrics on an RDD split (single-input minibatches), evaluated on the executors with the project's
     * evaluators and merged in partition order: the same results as {@code ModelEvaluator} on one machine
     * ({@link SparkModelEvaluator}).
     */
    public Map<String, TaskResult> evaluate(JavaRDD<MultiDataSet> data) { return SparkModelEvaluator.evaluate(training.model(), data); }

    /** Delta-p of the model on an RDD split against single-task {@code baselines}. */
    public DeltaP deltaP(JavaRDD<MultiDataSet> data, Baselines baselines) { return SparkModelEvaluator.deltaP(training.model(), data, baselines); }

    /** The driver's trainer of the last {@link #fit} (history, model), or {@code null} before. */
    public MultiTaskTrainer trainer() { return trainer; }

    private static Map<String, INDArray> parameters(TrainingGraph g) {
        Map<String, INDArray> values = new HashMap<>();
        for (String p : g.parameters()) values.put(p, g.model().sameDiff().getVariable(p).getArr());
        return values;
    }

    /** Builder. */
    public static final class Builder {
        private final JavaSparkContext sc;
        private MultiTaskTrainer.Builder training;
        private TrainingMaster master = GradientTrainingMaster.builder().build();

        private Builder(JavaSparkContext sc) {
            if (sc == null) throw new IllegalArgumentException("Spark context is null");
            this.sc = sc;
        }

        /** The single-machine trainer's configuration (its training data is the RDD given to fit). */
        public Builder training(MultiTaskTrainer.Builder b) { this.training = b; return this; }

        /** {@link GradientTrainingMaster} (default) or {@link ParameterAveragingTrainingMaster}. */
        public Builder trainingMaster(TrainingMaster m) {
            if (m == null) throw new IllegalArgumentException("training master is null");
            this.master = m;
            return this;
        }

        public SparkMultiTaskTrainer build() {
            if (training == null) throw new IllegalStateException("no training configuration: call training(MultiTaskTrainer.builder(model)...)");
            return new SparkMultiTaskTrainer(this);
        }
    }
}
