package io.github.repmtl.arbiter;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskBinding;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mean task losses of a trained model over a whole validation split, in inference mode (training flag 0):
 * each task's loss variable evaluated batch by batch and averaged with the batch sizes as weights. Only the
 * task losses are evaluated, never the Rep-MTL regularizer.
 */
final class ValidationLoss {
    private ValidationLoss() {}

    /** Per-task mean validation loss, in task order. */
    static Map<String, Double> perTask(MultiTaskModel model, CandidateData data) {
        double[] sums = new double[model.numTasks()];
        long[] counts = new long[model.numTasks()];
        List<TaskBinding> tasks = model.tasks();
        if (data.isMultiInput()) {
            for (int t = 0; t < tasks.size(); t++) {
                TaskBinding task = tasks.get(t);
                MultiDataSetIterator it = data.validationPerTask().get(t);
                it.reset();
                while (it.hasNext()) {
                    MultiDataSet batch = it.next();
                    Map<String, INDArray> feed = new HashMap<>();
                    feed.put(task.input(), cast(model, task.input(), batch.getFeatures(0)));
                    feed.put(task.label(), cast(model, task.label(), batch.getLabels(0)));
                    accumulate(model, feed, List.of(task), t, sums, counts);
                }
            }
        } else {
            MultiDataSetIterator it = data.validation();
            it.reset();
            List<String> inputs = model.inputs();
            while (it.hasNext()) {
                MultiDataSet batch = it.next();
                if (batch.getFeatures().length != inputs.size() || batch.getLabels().length != tasks.size())
                    throw new IllegalArgumentException("validation batch has " + batch.getFeatures().length + " feature and " + batch.getLabels().length
                            + " label arrays; the model needs " + inputs.size() + " " + inputs + " and " + tasks.size() + " " + model.taskNames());
                Map<String, INDArray> feed = new HashMap<>();
                for (int i = 0; i < inputs.size(); i++) feed.put(inputs.get(i), cast(model, inputs.get(i), batch.getFeatures(i)));
                for (int t = 0; t < tasks.size(); t++) feed.put(tasks.get(t).label(), cast(model, tasks.get(t).label(), batch.getLabels(t)));
                accumulate(model, feed, tasks, 0, sums, counts);
            }
        }
        Map<String, Double> mean = new LinkedHashMap<>();
        for (int t = 0; t < tasks.size(); t++) {
            String name = tasks.get(t).name();
            if (counts[t] == 0) throw new IllegalArgumentException("validation data of task '" + name + "' is empty");
            double m = sums[t] / counts[t];
            if (!Double.isFinite(m)) throw new IllegalStateException("validation loss of task '" + name + "' is " + m);
            mean.put(name, m);
        }
        return mean;
    }

    /** Evaluates the losses of {@code tasks} (model tasks {@code first ..}) on one batch and adds them, weighted by its size. */
    private static void accumulate(MultiTaskModel model, Map<String, INDArray> feed, List<TaskBinding> tasks, int first, double[] sums, long[] counts) {
        SameDiff sd = model.sameDiff();
        if (model.trainingFlag() != null) feed.put(model.trainingFlag(), Nd4j.scalar(sd.getVariable(model.trainingFlag()).dataType(), 0.0));
        Map<String, INDArray> out = sd.output(feed, tasks.stream().map(TaskBinding::loss).toArray(String[]::new));
        long size = feed.get(tasks.get(0).input()).size(0);
        for (int i = 0; i < tasks.size(); i++) {
            sums[first + i] += out.get(tasks.get(i).loss()).getDouble(0) * size;
            counts[first + i] += size;
        }
    }

    private static INDArray cast(MultiTaskModel model, String placeholder, INDArray value) {
        if (value == null) throw new IllegalArgumentException("validation batch: array for '" + placeholder + "' is missing");
        var type = model.sameDiff().getVariable(placeholder).dataType();
        return value.dataType() == type ? value : value.castTo(type);
    }
}
