package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.MultiTaskStrategy;
import io.github.repmtl.samediff.strategy.StepContext;
import io.github.repmtl.samediff.util.QuietConsole;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-task gradients of gradient strategies come from one graph execution (per-task parameter replicas, or
 * per-head copies of {@code Z}): the rows a strategy receives and the update the trainer applies equal
 * independently computed gradients, with and without Rep-MTL, and replicas share dropout masks.
 */
class PerTaskGradientsTest {
    private static final List<String> SHARED = List.of("enc.W", "enc.b");
    private static final double[] WEIGHTS = {0.3, 1.7};

    @Test
    void parameterRowsAndUpdateMatchIndependentGradients() {
        for (boolean rep : new boolean[]{false, true}) {
            Stepped s = step(GradientMode.PARAMETERS, rep, ctx -> Aggregation.ofWeights(WEIGHTS));
            for (int t = 0; t < 2; t++)
                assertClose(flatten(s.reference.taskGradients(t), SHARED), s.strategy.rows[t], "task " + t + " row" + s.label);
            s.assertUpdate(s.reference.objectiveGradients(WEIGHTS, null));
        }
    }

    @Test
    void representationRowsAndDirectionMatchIndependentGradients() {
        for (boolean rep : new boolean[]{false, true}) {
            double[] direction = new double[16 * 8];
            for (int i = 0; i < direction.length; i++) direction[i] = Math.sin(i) * 0.01;       // not a combination of the rows
            Stepped s = step(GradientMode.REPRESENTATION, rep, ctx -> Aggregation.ofDirection(WEIGHTS, direction.clone(), null));
            for (int t = 0; t < 2; t++)
                assertClose(s.reference.taskGradients(t).get("Z").dup().data().asDouble(), s.strategy.rows[t], "task " + t + " dl/dZ" + s.label);
            s.assertUpdate(s.reference.objectiveGradients(WEIGHTS, direction));
        }
    }

    /** One SGD step (rate 1) of the tiny model with a recording strategy, and a reference copy of the model. */
    private static Stepped step(GradientMode mode, boolean rep, Function<StepContext, Aggregation> rule) {
        MultiDataSet batch = TinyModels.data(16, 16, 1).next();
        Recording strategy = new Recording(rule);
        MultiTaskModel m = TinyModels.twoTaskDense(5);
        Map<String, INDArray> before = snapshot(m);
        MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(m).optimizer(Optimizer.sgd(1.0, 0)).strategy(strategy).gradientMode(mode);
        if (rep) b.repMtl(RepMtl.builder(m).build());
        b.build().step(batch);
        return new Stepped(m, before, strategy, new Reference(TinyModels.twoTaskDense(5), batch, rep), rep ? " (Rep-MTL)" : "");
    }

    private record Stepped(MultiTaskModel model, Map<String, INDArray> before, Recording strategy, Reference reference, String label) {
        /** The applied update (before - after, SGD with rate 1) equals {@code expected} for every parameter. */
        void assertUpdate(Map<String, INDArray> expected) {
            for (String p : before.keySet())
                assertClose(expected.get(p).dup().data().asDouble(), before.get(p).sub(model.sameDiff().getVariable(p).getArr()).data().asDouble(),
                        "update of " + p + label);
        }
    }

    @Test
    void replicatedGraphKeepsTheModelsOutputs() {
        for (boolean rep : new boolean[]{false, true}) {
            MultiTaskModel m = TinyModels.twoTaskDense(5);
            INDArray x = TinyModels.data(16, 16, 1).next().getFeatures(0);
            Map<String, INDArray> before = m.sameDiff().output(Map.of("x", x), "out_a", "out_b");
            MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(m).strategy(new Recording(ctx -> Aggregation.ofWeights(WEIGHTS)))
                    .gradientMode(GradientMode.PARAMETERS);
            if (rep) b.repMtl(RepMtl.builder(m).build());
            b.build();
            Map<String, INDArray> after = m.sameDiff().output(Map.of("x", x), "out_a", "out_b");
            for (String o : List.of("out_a", "out_b"))
                assertEquals(before.get(o), after.get(o), o + (rep ? " (Rep-MTL)" : "") + " after the task replicas were added");
        }
    }

    @Test
    void multiInputParameterRowsMatchIndependentGradients() {
        Recording strategy = new Recording(ctx -> Aggregation.ofWeights(WEIGHTS));
        MultiTaskModel m = TinyModels.twoTaskMultiInput(9);
        MultiTaskTrainer.builder(m).optimizer(Optimizer.sgd(1.0, 0)).strategy(strategy).gradientMode(GradientMode.PARAMETERS)
                .trainPerTask(List.of(TinyModels.taskData(16, 16, 1, 0), TinyModels.taskData(16, 16, 2, 1))).build().fit();
        MultiTaskModel fresh = TinyModels.twoTaskMultiInput(9);
        MultiDataSet a = TinyModels.taskData(16, 16, 1, 0).next(), c = TinyModels.taskData(16, 16, 2, 1).next();
        Map<String, INDArray> feed = Map.of("x_a", a.getFeatures(0), "y_a", a.getLabels(0), "x_b", c.getFeatures(0), "y_b", c.getLabels(0));
        for (int t = 0; t < 2; t++) {
            SameDiff sd = fresh.sameDiff();
            sd.setLossVariables(fresh.tasks().get(t).loss());
            Map<String, INDArray> g = QuietConsole.call(() -> sd.calculateGradients(feed, SHARED.toArray(new String[0])));
            assertClose(flatten(g, SHARED), strategy.rows[t], "multi-input task " + t + " row");
        }
    }

    @Test
    void replicasAndBothRepresentationPassesShareTheDropoutMask() {
        for (GradientMode mode : new GradientMode[]{GradientMode.PARAMETERS, GradientMode.REPRESENTATION}) {
            MultiDataSet batch = TinyModels.data(16, 16, 1).next();
            MultiTaskModel ew = droppedModel(), manipulated = droppedModel();
            MultiTaskTrainer.builder(ew).optimizer(Optimizer.sgd(1.0, 0)).build().step(batch);
            // a direction equal to the weighted sum of the rows: exact only if both passes saw the same mask
            Recording strategy = new Recording(ctx -> Aggregation.ofDirection(new double[]{1, 1}, Aggregation.ofWeights(new double[]{1, 1}).sharedDirection(ctx.gradients()), null));
            MultiTaskTrainer.builder(manipulated).optimizer(Optimizer.sgd(1.0, 0)).strategy(strategy).gradientMode(mode).build().step(batch);
            for (String p : List.of("enc.W", "enc.b", "a.W1", "b.W2")) {
                assertClose(ew.sameDiff().getVariable(p).getArr().dup().data().asDouble(), manipulated.sameDiff().getVariable(p).getArr().dup().data().asDouble(),
                        mode + ": " + p + " after one step");
            }
        }
    }

    /** {@link TinyModels#twoTaskDense} with a random (rate 0.5, per-feature) dropout mask on the shared representation. */
    private static MultiTaskModel droppedModel() {
        Nd4j.getRandom().setSeed(3);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6);
        SDVariable pre = sd.math.tanh(x.mmul(sd.var("enc.W", Nd4j.randn(DataType.FLOAT, 6, 8).muli(0.5))).add(sd.var("enc.b", Nd4j.randn(DataType.FLOAT, 8).muli(0.5))));
        SDVariable u = sd.random().uniform(0.0, 1.0, DataType.FLOAT, 1, 8);    // per-feature mask, reproducible across graphs
        SDVariable z = sd.identity("Z", pre.mul(u.lt(0.5).castTo(DataType.FLOAT).mul(2.0)));
        MultiTaskModel.Builder b = MultiTaskModel.builder(sd);
        for (String t : List.of("a", "b")) {
            SDVariable y = sd.placeHolder("y_" + t, DataType.INT64, -1);
            SDVariable h = sd.nn.relu(z.mmul(sd.var(t + ".W1", Nd4j.randn(DataType.FLOAT, 8, 8).muli(0.5))).add(sd.var(t + ".b1", Nd4j.randn(DataType.FLOAT, 8).muli(0.5))), 0);
            SDVariable logits = sd.identity("out_" + t, h.mmul(sd.var(t + ".W2", Nd4j.randn(DataType.FLOAT, 8, 3).muli(0.5))).add(sd.var(t + ".b2", Nd4j.randn(DataType.FLOAT, 3).muli(0.5))));
            TaskLosses.softmaxCrossEntropy(sd, "loss_" + t, logits, y, 3);
            b.task(TaskSpec.classification(t, 3), "x", "Z", "out_" + t, "y_" + t, "loss_" + t);
        }
        return b.build();
    }

    /** Gradients of a fresh copy of the model, computed with SameDiff's own autodiff, one objective at a time. */
    private static final class Reference {
        private final MultiTaskModel model;
        private final Map<String, INDArray> feed;
        private final boolean rep;
        private final List<String> params;

        Reference(MultiTaskModel model, MultiDataSet batch, boolean rep) {
            this.model = model;
            this.rep = rep;
            this.feed = Map.of("x", batch.getFeatures(0), "y_a", batch.getLabels(0), "y_b", batch.getLabels(1));
            this.params = new ArrayList<>(snapshot(model).keySet());
            if (rep) RepMtl.builder(model).build().attachTo(model.sameDiff());
        }

        /** {@code dl_t/dP} for every parameter and {@code Z}; {@code l_t = log L_t} with Rep-MTL (its log transform). */
        Map<String, INDArray> taskGradients(int t) {
            SameDiff sd = model.sameDiff();
            String loss = model.tasks().get(t).loss();
            String term = rep ? sd.math.log(sd.getVariable(loss)).name() : loss;
            sd.setLossVariables(term);
            List<String> names = new ArrayList<>(params);
            names.add("Z");
            return QuietConsole.call(() -> sd.calculateGradients(feed, names.toArray(new String[0])));
        }

        /**
         * The gradient of {@code sum_t w_t l_t (+ Rep-MTL regularizer)} for every parameter; with a direction {@code D}
         * the shared parameters get {@code J_Z^T D} (+ the regularizer's gradient) instead.
         */
        Map<String, INDArray> objectiveGradients(double[] w, double[] direction) {
            SameDiff sd = model.sameDiff();
            Map<String, INDArray> weighted = weightedGradients(w);
            if (direction == null) return weighted;
            INDArray d = Nd4j.createFromArray(direction).castTo(DataType.FLOAT).reshape(16, 8);
            SDVariable injected = sd.getVariable("Z").mul(sd.constant(d)).sum();
            SDVariable regularizer = rep ? sd.getVariable(RepMtlGraph.REGULARIZER) : null;
            sd.setLossVariables((regularizer == null ? injected : injected.add(regularizer)).name());
            Map<String, INDArray> shared = QuietConsole.call(() -> sd.calculateGradients(feed, SHARED.toArray(new String[0])));
            Map<String, INDArray> out = new HashMap<>(weighted);
            out.putAll(shared);
            return out;
        }

        private Map<String, INDArray> weightedGradients(double[] w) {
            SameDiff sd = model.sameDiff();
            if (rep) {
                sd.getVariable(RepMtlGraph.TASK_WEIGHTS).getArr().assign(Nd4j.createFromArray(w));
                sd.setLossVariables(RepMtlGraph.OBJECTIVE);
            } else {
                SDVariable sum = sd.getVariable("loss_a").mul(w[0]).add(sd.getVariable("loss_b").mul(w[1]));
                sd.setLossVariables(sum.name());
            }
            return QuietConsole.call(() -> sd.calculateGradients(feed, params.toArray(new String[0])));
        }
    }

    /** A gradient strategy that records the rows it is given and answers with a fixed rule. */
    private static final class Recording implements MultiTaskStrategy {
        private final Function<StepContext, Aggregation> rule;
        double[][] rows;

        Recording(Function<StepContext, Aggregation> rule) { this.rule = rule; }

        @Override public String name() { return "recording"; }
        @Override public List<String> taskNames() { return List.of("a", "b"); }
        @Override public boolean needsGradients() { return true; }
        @Override public Set<GradientMode> supportedModes() { return Set.of(GradientMode.PARAMETERS, GradientMode.REPRESENTATION); }
        @Override public Map<String, Object> state() { return Map.of(); }
        @Override public void restore(Map<String, Object> state) {}

        @Override
        public Aggregation aggregate(StepContext context) {
            rows = new double[context.gradients().length][];
            for (int t = 0; t < rows.length; t++) rows[t] = context.gradients()[t].clone();
            return rule.apply(context);
        }
    }

    private static Map<String, INDArray> snapshot(MultiTaskModel m) {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        for (SDVariable v : m.sameDiff().variables())
            if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) out.put(v.name(), v.getArr().dup());
        return out;
    }

    private static double[] flatten(Map<String, INDArray> grads, List<String> names) {
        List<Double> all = new ArrayList<>();
        for (String n : names) for (double d : grads.get(n).dup().data().asDouble()) all.add(d);
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1e-6, err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(err <= 1e-4 * scale, what + ": max error " + err + " (scale " + scale + ")");
    }
}
