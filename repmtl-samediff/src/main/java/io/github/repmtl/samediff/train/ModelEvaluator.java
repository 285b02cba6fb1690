package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.metrics.TaskEvaluator;
import io.github.repmtl.samediff.metrics.TaskEvaluators;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.model.TaskSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a {@link MultiTaskModel} in inference mode (training flag 0) on a whole split, accumulating the
 * benchmark metrics of every task over all batches of the epoch.
 */
public final class ModelEvaluator {
    private ModelEvaluator() {}

    /** Single-input split: one iterator whose batches hold every task's labels. */
    public static Map<String, TaskResult> evaluate(MultiTaskModel model, MultiDataSetIterator data) {
        Map<String, TaskEvaluator> evaluators = TaskEvaluators.forTasks(model.tasks().stream().map(TaskBinding::spec).toList());
        data.reset();
        int batch = 0;
        while (data.hasNext()) {
            MultiDataSet m = data.next();
            update(model, evaluators, m, "evaluation batch " + batch++);
        }
        if (batch == 0) throw new IllegalArgumentException("evaluation iterator is empty");
        return results(evaluators);
    }

    /**
     * Adds one single-input batch (one feature array, one label array per task in task order) to {@code evaluators},
     * one per task keyed by task name (as {@link TaskEvaluators#forTasks} creates them): the model's outputs in
     * inference mode and the batch's labels. {@link #evaluate(MultiTaskModel, MultiDataSetIterator)} does this for
     * every batch of its iterator; distributed evaluation does it per part of a split and merges the evaluators
     * ({@link TaskEvaluator#merge}). The batch is checked as there; errors start with {@code where}.
     */
    public static void update(MultiTaskModel model, Map<String, TaskEvaluator> evaluators, MultiDataSet batch, String where) {
        for (TaskBinding t : model.tasks())
            if (evaluators.get(t.name()) == null)
                throw new IllegalArgumentException(where + ": no evaluator for task '" + t.name() + "'; evaluators are for " + evaluators.keySet());
        Map<String, INDArray> feed = new BatchFeeder(model).single(batch, where, true);
        inferenceMode(model, feed);
        String[] outputs = model.tasks().stream().map(TaskBinding::output).toArray(String[]::new);
        Map<String, INDArray> out = model.sameDiff().output(feed, outputs);
        for (TaskBinding t : model.tasks()) evaluators.get(t.name()).update(out.get(t.output()), feed.get(t.label()));
    }

    /** Multi-input split: one iterator per task, in task order. */
    public static Map<String, TaskResult> evaluate(MultiTaskModel model, List<MultiDataSetIterator> perTask) {
        if (perTask.size() != model.numTasks())
            throw new IllegalArgumentException("expected one evaluation iterator per task " + model.taskNames() + ", got " + perTask.size());
        Map<String, TaskEvaluator> evaluators = new LinkedHashMap<>();
        for (int t = 0; t < model.numTasks(); t++) {
            TaskBinding b = model.tasks().get(t);
            TaskSpec spec = b.spec();
            TaskEvaluator ev = TaskEvaluators.forTask(spec);
            MultiDataSetIterator it = perTask.get(t);
            it.reset();
            int batch = 0;
            while (it.hasNext()) {
                MultiDataSet m = it.next();
                INDArray x = m.getFeatures(0).castTo(model.sameDiff().getVariable(b.input()).dataType());
                Map<String, INDArray> feed = new LinkedHashMap<>(Map.of(b.input(), x));
                inferenceMode(model, feed);
                ev.update(model.sameDiff().output(feed, b.output()).get(b.output()), m.getLabels(0));
                batch++;
            }
            if (batch == 0) throw new IllegalArgumentException("evaluation iterator of task '" + b.name() + "' is empty");
            evaluators.put(b.name(), ev);
        }
        return results(evaluators);
    }

    static void inferenceMode(MultiTaskModel model, Map<String, INDArray> feed) {
        if (model.trainingFlag() != null)
            feed.put(model.trainingFlag(), Nd4j.scalar(model.sameDiff().getVariable(model.trainingFlag()).dataType(), 0.0));
    }

    private static Map<String, TaskResult> results(Map<String, TaskEvaluator> evaluators) {
        Map<String, TaskResult> r = new LinkedHashMap<>();
        evaluators.forEach((k, v) -> r.put(k, v.result()));
        return r;
    }
}
