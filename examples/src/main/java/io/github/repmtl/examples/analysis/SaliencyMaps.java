package io.github.repmtl.examples.analysis;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import io.github.repmtl.samediff.util.QuietConsole;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The task saliencies of a batch at the shared representation of a dense model (spec, "TSR"): per task the
 * channel mean {@code Sh_t[b,h,w] = (1/C) sum_c S_t[b,c,h,w]} of {@code S_t = dl_t/dZ} (the graph variable
 * {@code repmtl/saliency/<task>}), and the per-position entropy of the task distribution
 * {@code P_{i,t} = (|Sh_t[i]| + eps) / sum_k (|Sh_k[i]| + eps)}, whose mean over positions is {@code L_tsr}.
 *
 * <p>A model trained without Rep-MTL has no saliency variables: they are then computed on a copy of its graph
 * with Rep-MTL's defaults attached (log transform on), so the caller's model is never changed. The model runs
 * in inference mode (training flag 0).
 */
public final class SaliencyMaps {
    /** The {@code eps} of the spec's task distribution. */
    public static final double EPS = 1e-12;

    private final List<String> tasks;
    private final Map<String, INDArray> channelMeans;
    private final INDArray entropy;
    private final INDArray images;

    private SaliencyMaps(List<String> tasks, Map<String, INDArray> channelMeans, INDArray entropy, INDArray images) {
        this.tasks = List.copyOf(tasks);
        this.channelMeans = channelMeans;
        this.entropy = entropy;
        this.images = images;
    }

    /** Saliencies of every sample of a single-input batch that carries one label array per task, in task order. */
    public static SaliencyMaps compute(MultiTaskModel model, MultiDataSet batch) {
        if (model.isMultiInput())
            throw new IllegalArgumentException("saliency maps need a single-input model; " + model.taskNames() + " have inputs " + model.inputs());
        if (batch.getFeatures() == null || batch.getFeatures().length != 1)
            throw new IllegalArgumentException("saliency maps need a batch with one feature array, got "
                    + (batch.getFeatures() == null ? 0 : batch.getFeatures().length));
        if (batch.getLabels() == null || batch.getLabels().length != model.numTasks())
            throw new IllegalArgumentException("saliency maps need one label array per task " + model.taskNames() + ", got "
                    + (batch.getLabels() == null ? 0 : batch.getLabels().length));
        MultiTaskModel withSaliency = hasSaliencies(model) ? model : withRepMtl(model);
        SameDiff sd = withSaliency.sameDiff();
        Map<String, INDArray> feed = new HashMap<>();
        String input = withSaliency.inputs().get(0);
        feed.put(input, batch.getFeatures(0).castTo(sd.getVariable(input).dataType()));
        for (int t = 0; t < withSaliency.numTasks(); t++) {
            TaskBinding b = withSaliency.tasks().get(t);
            feed.put(b.label(), batch.getLabels(t).castTo(sd.getVariable(b.label()).dataType()));
        }
        if (withSaliency.trainingFlag() != null)
            feed.put(withSaliency.trainingFlag(), Nd4j.scalar(sd.getVariable(withSaliency.trainingFlag()).dataType(), 0.0));
        String[] names = withSaliency.taskNames().stream().map(RepMtlGraph::saliency).toArray(String[]::new);
        Map<String, INDArray> out = QuietConsole.call(() -> sd.output(feed, names));
        Map<String, INDArray> means = new LinkedHashMap<>();
        for (String task : withSaliency.taskNames()) {
            INDArray s = out.get(RepMtlGraph.saliency(task));
            if (s.rank() != 4)
                throw new IllegalArgumentException("saliency maps need a spatial shared representation [B, C, H, W]; the saliency of task '" + task
                        + "' has shape " + Arrays.toString(s.shape()));
            means.put(task, s.mean(1).castTo(DataType.DOUBLE));
        }
        return new SaliencyMaps(withSaliency.taskNames(), means, entropy(means), batch.getFeatures(0).castTo(DataType.DOUBLE));
    }

    private static boolean hasSaliencies(MultiTaskModel model) {
        return model.taskNames().stream().allMatch(t -> model.sameDiff().hasVariable(RepMtlGraph.saliency(t)));
    }

    /** A copy of the model whose graph has Rep-MTL (spec defaults) attached. */
    private static MultiTaskModel withRepMtl(MultiTaskModel model) {
        SameDiff copy = model.sameDiff().dup();
        MultiTaskModel.Builder b = MultiTaskModel.builder(copy);
        model.tasks().forEach(b::task);
        if (model.trainingFlag() != null) b.trainingFlag(model.trainingFlag());
        for (StatisticUpdate u : model.statisticUpdates()) b.statisticUpdate(u);
        MultiTaskModel m = b.build();
        QuietConsole.run(() -> RepMtl.builder(m).build().attachTo(copy));
        return m;
    }

    /** Per-position entropy {@code -sum_t P_t ln P_t} of the task distribution of the channel means, {@code [B, H, W]}. */
    static INDArray entropy(Map<String, INDArray> channelMeans) {
        INDArray total = null;
        for (INDArray m : channelMeans.values()) {
            INDArray a = Transforms.abs(m, true).addi(EPS);
            total = total == null ? a : total.addi(a);
        }
        INDArray h = Nd4j.zerosLike(total);
        for (INDArray m : channelMeans.values()) {
            INDArray p = Transforms.abs(m, true).addi(EPS).divi(total);
            h.subi(p.mul(Transforms.log(p, true)));
        }
        return h;
    }

    /** Task names in model order. */
    public List<String> tasks() { return tasks; }

    /** {@code Sh_t} of a task, {@code [B, H, W]} (double). */
    public INDArray channelMean(String task) {
        INDArray m = channelMeans.get(task);
        if (m == null) throw new IllegalArgumentException("no saliency for task '" + task + "'; tasks: " + tasks);
        return m;
    }

    /** The per-position entropy of the task distribution, {@code [B, H, W]} (double), in nats; at most {@code ln T}. */
    public INDArray entropy() { return entropy; }

    /** The batch's input images {@code [B, C, H, W]} (double). */
    public INDArray images() { return images; }

    /** Number of samples. */
    public int size() { return (int) entropy.size(0); }

    /** The mean entropy over all positions: the TSR loss {@code L_tsr} of this batch. */
    public double meanEntropy() { return entropy.meanNumber().doubleValue(); }
}
