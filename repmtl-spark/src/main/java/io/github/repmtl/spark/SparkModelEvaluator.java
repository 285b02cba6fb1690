package io.github.repmtl.spark;

import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.metrics.DeltaP;
import io.github.repmtl.samediff.metrics.TaskEvaluator;
import io.github.repmtl.samediff.metrics.TaskEvaluators;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.train.ModelEvaluator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Evaluates a {@link MultiTaskModel} on a split held as an RDD of minibatches, as DL4J's
 * {@code SparkComputationGraph.evaluate} does with {@code IEvaluation.merge}: the model is shipped once per call
 * (its saved files, broadcast), each partition evaluates its minibatches in order, in inference mode, on a model of
 * {@link WorkerPools} with the project's evaluators ({@link ModelEvaluator#update}, the per-batch step of
 * {@link ModelEvaluator#evaluate(MultiTaskModel, org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator)}), and
 * returns them; the driver collects them and merges them in partition order ({@link TaskEvaluator#merge}).
 *
 * <p>The evaluators accumulate exactly (counts, confusion matrices, exact sums, every angle for the median), so the
 * results are bit for bit those of {@code ModelEvaluator.evaluate} on one machine over the same minibatches in any
 * order and partitioning, as long as the executors compute the same outputs as that machine (the same model bytes
 * on the same ND4J backend and CPU kind).
 *
 * <p>Data: single-input {@code MultiDataSet}s, one feature array and one label array per task in task order, as
 * {@code ModelEvaluator} and the Spark trainer take them. A malformed minibatch is reported as an
 * {@link IllegalArgumentException} naming its partition and element; the executor returns it as a value rather
 * than throwing, so that Spark does not retry a deterministic failure. What partitions send to the driver is small
 * except for normal tasks: their evaluators carry every valid pixel's angle (4 bytes each; the whole NYUv2 test
 * split is about 290 MB), which must fit {@code spark.driver.maxResultSize}.
 *
 * <pre>{@code
 * Map<String, TaskResult> results = SparkModelEvaluator.evaluate(model, testRdd);   // JavaRDD<MultiDataSet>
 * DeltaP deltaP = SparkModelEvaluator.deltaP(results, Baselines.bundled(Baselines.NYUV2));
 * }</pre>
 */
public final class SparkModelEvaluator {
    private SparkModelEvaluator() {}

    /**
     * The results of every task over all minibatches of {@code data}, keyed and ordered by task as
     * {@link ModelEvaluator#evaluate(MultiTaskModel, org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator)} returns them.
     *
     * @throws IllegalArgumentException for a multi-input model, an empty RDD or a malformed minibatch (naming its
     *                                  partition and element)
     * @throws IllegalStateException    when a task has nothing valid to report (e.g. no labelled pixel)
     */
    public static Map<String, TaskResult> evaluate(MultiTaskModel model, JavaRDD<MultiDataSet> data) {
        Map<String, TaskResult> results = new LinkedHashMap<>();
        evaluators(model, data).forEach((task, evaluator) -> results.put(task, evaluator.result()));
        return results;
    }

    /**
     * The merged evaluators of every task over all minibatches of {@code data}, keyed and ordered by task (for merging
     * further, e.g. with another split's); errors as {@link #evaluate}.
     */
    public static Map<String, TaskEvaluator> evaluators(MultiTaskModel model, JavaRDD<MultiDataSet> data) {
        if (model == null) throw new IllegalArgumentException("model is null");
        if (data == null) throw new IllegalArgumentException("evaluation RDD is null");
        if (model.isMultiInput())
            throw new IllegalArgumentException("Spark evaluation needs a single-input model (one feature array per minibatch); tasks "
                    + model.taskNames() + " have inputs " + model.inputs());
        String key = "evaluation-" + UUID.randomUUID();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.context());
        Broadcast<EvaluationTask> task = sc.broadcast(new EvaluationTask(key, ModelShipment.of(model)));
        try {
            List<PartitionEvaluation> parts = data.mapPartitionsWithIndex((k, it) -> evaluatePartition(task, k, it), true).collect();
            Map<String, TaskEvaluator> merged = newEvaluators(model);
            long minibatches = 0;
            for (PartitionEvaluation part : parts) {                    // partition order
                if (part.failure() != null) throw new IllegalArgumentException(part.failure());
                if (part.minibatches() == 0) continue;
                minibatches += part.minibatches();
                merged.forEach((name, evaluator) -> evaluator.merge(part.evaluators().get(name)));
            }
            if (minibatches == 0) throw new IllegalArgumentException("evaluation RDD is empty");
            return merged;
        } finally {
            task.destroy();
            WorkerPools.release(key);
        }
    }

    /**
     * Delta-p of {@code results} against {@code baselines}, as the trainer computes it for an evaluation against fixed
     * baselines ({@link io.github.repmtl.samediff.metrics.DeltaPTracker#against}: {@link DeltaP#compute}).
     */
    public static DeltaP deltaP(Map<String, TaskResult> results, Baselines baselines) {
        if (results == null) throw new IllegalArgumentException("results are null");
        if (baselines == null) throw new IllegalArgumentException("baselines are null");
        return DeltaP.compute(results.values(), baselines);
    }

    /** Evaluates {@code data} ({@link #evaluate}) and returns its Delta-p against {@code baselines}. */
    public static DeltaP deltaP(MultiTaskModel model, JavaRDD<MultiDataSet> data, Baselines baselines) {
        if (baselines == null) throw new IllegalArgumentException("baselines are null");
        return deltaP(evaluate(model, data), baselines);
    }

    private static Map<String, TaskEvaluator> newEvaluators(MultiTaskModel model) {
        return TaskEvaluators.forTasks(model.tasks().stream().map(TaskBinding::spec).toList());
    }

    /** What every partition needs, broadcast once per call: the model and the key of its pool. */
    private record EvaluationTask(String key, ModelShipment model) implements Serializable {}

    /** One partition's answer: its evaluators after its minibatches, or why a minibatch could not be evaluated. */
    private record PartitionEvaluation(int partition, int minibatches, Map<String, TaskEvaluator> evaluators, String failure)
            implements Serializable {}

    private static Iterator<PartitionEvaluation> evaluatePartition(Broadcast<EvaluationTask> broadcast, int partition, Iterator<MultiDataSet> it) {
        if (!it.hasNext()) return Collections.singletonList(new PartitionEvaluation(partition, 0, null, null)).iterator();   // no model needed
        EvaluationTask task = broadcast.value();
        PartitionEvaluation result = WorkerPools.with(task.key(), task.model()::load, model -> {
            Map<String, TaskEvaluator> evaluators = newEvaluators(model);
            int element = 0;
            while (it.hasNext()) {
                String where = "evaluation RDD partition " + partition + ", element " + element;
                MultiDataSet batch = it.next();
                try {
                    ModelEvaluator.update(model, evaluators, batch, where);
                } catch (IllegalArgumentException e) {                 // a malformed minibatch: deterministic, not retried
                    String message = String.valueOf(e.getMessage());
                    return new PartitionEvaluation(partition, element, null, message.startsWith(where) ? message : where + ": " + message);
                }
                element++;
            }
            return new PartitionEvaluation(partition, element, evaluators, null);
        });
        return Collections.singletonList(result).iterator();
    }
}
