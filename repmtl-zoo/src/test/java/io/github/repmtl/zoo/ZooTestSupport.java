package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.util.QuietConsole;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random batches, a minimal Adam loop and a save/load check shared by the zoo tests. */
final class ZooTestSupport {
    private ZooTestSupport() {}

    /** A random batch for every input and label of the model, following the data conventions. */
    static Map<String, INDArray> randomFeed(MultiTaskModel model, int batch, long seed) {
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        SameDiff sd = model.sameDiff();
        Map<String, INDArray> feed = new HashMap<>();
        for (String in : model.inputs()) feed.put(in, Nd4j.rand(rng, withBatch(sd.getVariable(in), batch)).castTo(sd.getVariable(in).dataType()));
        for (TaskBinding t : model.tasks()) {
            SDVariable label = sd.getVariable(t.label());
            long[] shape = withBatch(label, batch);
            INDArray u = Nd4j.rand(rng, shape);
            INDArray value = switch (t.spec().kind()) {
                case CLASSIFICATION, SEGMENTATION -> Transforms.floor(u.muli(t.spec().outputs()), false).castTo(DataType.INT64);
                case DEPTH -> u.addi(0.5).castTo(label.dataType());
                case NORMAL -> {
                    INDArray n = u.subi(0.5);
                    yield n.divi(n.norm2(true, 1).broadcast(n.shape())).castTo(label.dataType());
                }
            };
            feed.put(t.label(), value);
        }
        if (model.trainingFlag() != null) feed.put(model.trainingFlag(), Nd4j.scalar(sd.getVariable(model.trainingFlag()).dataType(), 1.0));
        return feed;
    }

    private static long[] withBatch(SDVariable placeholder, int batch) {
        long[] shape = placeholder.getShape().clone();
        shape[0] = batch;
        return shape;
    }

    /** Sum of the task losses as a new graph variable {@code test/objective}. */
    static String objective(MultiTaskModel model) {
        SameDiff sd = model.sameDiff();
        if (sd.hasVariable("test/objective")) return "test/objective";
        SDVariable sum = null;
        for (TaskBinding t : model.tasks()) sum = sum == null ? sd.getVariable(t.loss()) : sum.add(sd.getVariable(t.loss()));
        sd.identity("test/objective", sum);
        return "test/objective";
    }

    /** Runs Adam on the sum of the task losses for a fixed batch; returns the objective before each step. */
    static List<Double> adam(MultiTaskModel model, Map<String, INDArray> feed, int steps, double lr) {
        SameDiff sd = model.sameDiff();
        String obj = objective(model);
        sd.setLossVariables(obj);
        List<String> params = new ArrayList<>();
        for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) params.add(v.name());
        Map<String, INDArray> m = new HashMap<>(), s = new HashMap<>();
        List<Double> losses = new ArrayList<>();
        List<String> outputs = new ArrayList<>(List.of(obj));
        for (var u : model.statisticUpdates()) outputs.add(u.batchValue());
        for (int t = 1; t <= steps; t++) {
            var r = QuietConsole.call(() -> sd.calculateGradientsAndOutputs(feed, outputs, params));
            losses.add(r.getOutputs().get(obj).getDouble(0));
            for (String p : params) {
                INDArray g = r.getGradients().get(p);
                INDArray mp = m.computeIfAbsent(p, k -> g.ulike().assign(0)).muli(0.9).addi(g.mul(0.1));
                INDArray sp = s.computeIfAbsent(p, k -> g.ulike().assign(0)).muli(0.999).addi(g.mul(g).muli(0.001));
                INDArray mHat = mp.div(1 - Math.pow(0.9, t));
                INDArray sHat = sp.div(1 - Math.pow(0.999, t));
                sd.getVariable(p).getArr().subi(mHat.muli(lr).divi(Transforms.sqrt(sHat, true).addi(1e-8)));
            }
            for (var u : model.statisticUpdates()) {
                INDArray running = sd.getVariable(u.variable()).getArr();
                running.muli(1 - u.momentum()).addi(r.getOutputs().get(u.batchValue()).reshape(running.shape()).mul(u.momentum()));
            }
        }
        return losses;
    }

    /**
     * Saves to FlatBuffers, loads, and checks every task output is identical in inference mode and the reloaded
     * model has the same bindings and statistic updates.
     */
    static void assertRoundTrip(MultiTaskModel model, Map<String, INDArray> feed, File file) throws IOException {
        Map<String, INDArray> inference = new HashMap<>(feed);
        if (model.trainingFlag() != null) inference.put(model.trainingFlag(), Nd4j.scalar(feed.get(model.trainingFlag()).dataType(), 0.0));
        String[] outputs = model.tasks().stream().map(TaskBinding::output).toArray(String[]::new);
        Map<String, INDArray> before = model.sameDiff().output(inference, outputs);
        SavedModels.save(model, file.toPath());
        MultiTaskModel loaded = SavedModels.load(file.toPath(), model.tasks().stream().map(TaskBinding::spec).toList());
        Map<String, INDArray> after = loaded.sameDiff().output(inference, outputs);
        for (String o : outputs) assertTrue(before.get(o).equalsWithEps(after.get(o), 0), "output " + o + " differs after save/load");
        assertEquals(model.tasks(), loaded.tasks());
        assertEquals(model.trainingFlag(), loaded.trainingFlag());
        assertEquals(new HashSet<>(model.statisticUpdates()), new HashSet<>(loaded.statisticUpdates()));
    }
}
