package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.model.TaskKind;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns {@link MultiDataSet}s into placeholder values of a {@link MultiTaskModel}, checking them first:
 * single-input batches carry one feature array and one label array per task (in task order); multi-input
 * batches come one per task (features[0], labels[0]). A wrong count, a shape that does not fit the
 * placeholder, NaN/Inf features or a label out of range raise an exception naming task, array and step.
 */
final class BatchFeeder {
    private final MultiTaskModel model;
    private final SameDiff sd;

    BatchFeeder(MultiTaskModel model) {
        this.model = model;
        this.sd = model.sameDiff();
    }

    Map<String, INDArray> single(MultiDataSet batch, String where, boolean withLabels) {
        List<TaskBinding> tasks = model.tasks();
        int inputs = model.inputs().size();
        if (batch.getFeatures() == null || batch.getFeatures().length != inputs)
            throw new IllegalArgumentException(where + ": expected " + inputs + " feature array(s) " + model.inputs() + ", got "
                    + (batch.getFeatures() == null ? 0 : batch.getFeatures().length));
        Map<String, INDArray> feed = new HashMap<>();
        for (int i = 0; i < inputs; i++) feed.put(model.inputs().get(i), features(model.inputs().get(i), batch.getFeatures(i), where));
        if (withLabels) {
            if (batch.getLabels() == null || batch.getLabels().length != tasks.size())
                throw new IllegalArgumentException(where + ": expected " + tasks.size() + " label arrays (one per task " + model.taskNames()
                        + "), got " + (batch.getLabels() == null ? 0 : batch.getLabels().length));
            for (int t = 0; t < tasks.size(); t++) feed.put(tasks.get(t).label(), label(tasks.get(t), batch.getLabels(t), where));
        }
        return feed;
    }

    Map<String, INDArray> perTask(List<MultiDataSet> batches, String where, boolean withLabels) {
        List<TaskBinding> tasks = model.tasks();
        if (batches.size() != tasks.size())
            throw new IllegalArgumentException(where + ": expected one batch per task " + model.taskNames() + ", got " + batches.size());
        Map<String, INDArray> feed = new HashMap<>();
        for (int t = 0; t < tasks.size(); t++) {
            TaskBinding b = tasks.get(t);
            MultiDataSet m = batches.get(t);
            String w = where + ", task '" + b.name() + "'";
            if (m.getFeatures() == null || m.getFeatures().length != 1)
                throw new IllegalArgumentException(w + ": expected 1 feature array, got " + (m.getFeatures() == null ? 0 : m.getFeatures().length));
            feed.put(b.input(), features(b.input(), m.getFeatures(0), w));
            if (withLabels) {
                if (m.getLabels() == null || m.getLabels().length != 1)
                    throw new IllegalArgumentException(w + ": expected 1 label array, got " + (m.getLabels() == null ? 0 : m.getLabels().length));
                feed.put(b.label(), label(b, m.getLabels(0), w));
            }
        }
        return feed;
    }

    private INDArray features(String placeholder, INDArray x, String where) {
        INDArray cast = fit(placeholder, x, where + ", features '" + placeholder + "'");
        if (!finite(cast)) throw new IllegalArgumentException(where + ": features '" + placeholder + "' contain NaN or infinite values");
        return cast;
    }

    private INDArray label(TaskBinding task, INDArray y, String where) {
        String what = where + ", labels of task '" + task.name() + "'";
        INDArray cast = fit(task.label(), y, what);
        TaskKind kind = task.spec().kind();
        if (kind == TaskKind.CLASSIFICATION || kind == TaskKind.SEGMENTATION) {
            double max = y.maxNumber().doubleValue(), min = y.minNumber().doubleValue();
            if (max >= task.spec().outputs() || min < -1)
                throw new IllegalArgumentException(what + ": label values must be in [0, " + task.spec().outputs() + ") or -1 (ignore), found "
                        + (max >= task.spec().outputs() ? max : min));
        } else if (!finite(cast)) {
            throw new IllegalArgumentException(what + ": contain NaN or infinite values");
        }
        return cast;
    }

    private INDArray fit(String placeholder, INDArray value, String what) {
        if (value == null) throw new IllegalArgumentException(what + ": array is missing");
        SDVariable ph = sd.getVariable(placeholder);
        long[] expected = ph.placeholderShape();
        if (expected != null) {
            boolean ok = expected.length == value.rank();
            for (int d = 0; ok && d < expected.length; d++) ok = expected[d] < 0 || expected[d] == value.size(d);
            if (!ok) throw new IllegalArgumentException(what + ": shape " + Arrays.toString(value.shape()) + " does not fit placeholder '"
                    + placeholder + "' " + Arrays.toString(expected));
        }
        if (value.size(0) == 0) throw new IllegalArgumentException(what + ": empty batch");
        return value.dataType() == ph.dataType() ? value : value.castTo(ph.dataType());
    }

    static boolean finite(INDArray a) {
        if (!a.dataType().isFPType()) return true;
        double s = a.sumNumber().doubleValue();
        return Double.isFinite(s) && Double.isFinite(a.amaxNumber().doubleValue());
    }
}
