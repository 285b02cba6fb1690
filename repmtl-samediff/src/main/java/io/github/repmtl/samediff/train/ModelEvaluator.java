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
        BatchFeeder feeder = new BatchFeeder(model);
        Map<String, TaskEvaluator> evaluators = TaskEvaluators.forTasks(model.tasks().stream().map(TaskBinding::spec).toList());
        String[] outputs = model.tasks().stream().map(TaskBinding::output).toArray(String[]::new);
        data.reset();
        int batch = 0;
        while (data.hasNext()) {
            MultiDataSet m = data.next();
            Map<String, INDArray> feed = feeder.single(m, "evaluation batch " + batch++, true);
            inferenceMode(model, feed);
            Map<String, INDArray> out = model.sameDiff().output(feed, outputs);
            for (TaskBinding t : model.tasks()) evaluators.get(t.name()).update(out.get(t.output()), feed.get(t.label()));
        }
        if (batch == 0) throw new IllegalArgumentException("evaluation iterator is empty");
        return results(evaluators);
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
