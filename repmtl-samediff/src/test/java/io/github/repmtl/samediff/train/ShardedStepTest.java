package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RegularizerPlacement;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.MultiTaskStrategy;
import io.github.repmtl.samediff.strategy.Strategies;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A step whose batch is split into shards ({@link TrainingGraph#compute} per shard, {@link ShardResult#combine})
 * equals the step on the whole batch, in float64, for equal weighting and for gradient strategies in both gradient
 * modes; with Rep-MTL the regularizer's gradient is the sum of the shards' own regularizer gradients.
 */
class ShardedStepTest {
    private static final double TOLERANCE = 1e-12;

    /** A step's data split into shards in this JVM, as a distributed trainer's partitions would hold it. */
    private record Shards(TrainingGraph graph, List<Map<String, INDArray>> feeds) implements StepData {
        @Override public long[][] shardExamples() { return feeds.stream().map(graph::examples).toArray(long[][]::new); }

        @Override public ShardResult compute(ShardRequest request) {
            List<ShardResult> parts = new ArrayList<>();
            for (int k = 0; k < feeds.size(); k++) parts.add(graph.compute(request, feeds.get(k), k));
            return ShardResult.combine(parts);
        }
    }

    /** {@code batch} split into shards of {@code sizes} rows. */
    private static Shards split(TrainingGraph graph, MultiDataSet batch, int[] sizes, String where) {
        List<Map<String, INDArray>> feeds = new ArrayList<>();
        int from = 0;
        for (int size : sizes) {
            MultiDataSet part = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{rows(batch.getFeatures(0), from, size)},
                    new INDArray[]{rows(batch.getLabels(0), from, size), rows(batch.getLabels(1), from, size)});
            feeds.add(graph.feed(part, where));
            from += size;
        }
        return new Shards(graph, feeds);
    }

    private static INDArray rows(INDArray a, int from, int n) {
        return a.rank() == 1 ? a.get(NDArrayIndex.interval(from, from + n)).dup() : a.get(NDArrayIndex.interval(from, from + n), NDArrayIndex.all()).dup();
    }

    /** The given batches, one per step, each split into shards of {@code sizes} rows. */
    private static final class SplitSource implements StepSource {
        private final Supplier<TrainingGraph> graph;
        private final List<MultiDataSet> batches;
        private final int[] sizes;
        private int cursor;

        SplitSource(Supplier<TrainingGraph> graph, List<MultiDataSet> batches, int[] sizes) {
            this.graph = graph;
            this.batches = batches;
            this.sizes = sizes;
        }

        @Override public int batchesPerEpoch() { return batches.size(); }

        @Override public void reset() { cursor = 0; }

        @Override public boolean hasNext() { return cursor < batches.size(); }

        @Override public StepData next(String where) { return split(graph.get(), batches.get(cursor++), sizes, where); }
    }

    @Test
    void shardedStepsEqualWholeBatchSteps() {
        List<MultiDataSet> batches = new ArrayList<>();
        TinyModels.ShuffledIterator it = TinyModels.data(48, 16, 4);
        while (it.hasNext()) batches.add(it.next());
        for (String strategy : new String[]{null, "pcgrad", "mgda"}) {
            GradientMode mode = strategy == null ? GradientMode.NONE : "pcgrad".equals(strategy) ? GradientMode.PARAMETERS : GradientMode.REPRESENTATION;
            Map<String, INDArray> whole = train(batches, new int[]{16}, strategy, mode, false);
            for (int[] split : new int[][]{{10, 6}, {5, 4, 4, 3}}) {
                Map<String, INDArray> sharded = train(batches, split, strategy, mode, false);
                for (String p : whole.keySet())
                    assertClose(whole.get(p), sharded.get(p), (strategy == null ? "ew" : strategy) + ", shards " + java.util.Arrays.toString(split) + ": " + p);
            }
        }
    }

    @Test
    void oneShardIsTheSingleMachineStepBitwise() {
        List<MultiDataSet> batches = new ArrayList<>();
        TinyModels.ShuffledIterator it = TinyModels.data(32, 16, 5);
        while (it.hasNext()) batches.add(it.next());
        for (boolean rep : new boolean[]{false, true}) {
            Map<String, INDArray> viaSource = train(batches, new int[]{16}, "pcgrad", GradientMode.PARAMETERS, rep);
            MultiTaskModel m = TinyModels.twoTaskDense(7, DataType.DOUBLE);
            MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(1e-2)).seed(3)
                    .strategy(Strategies.create("pcgrad", m.taskNames(), Map.of(), GradientMode.PARAMETERS)).gradientMode(GradientMode.PARAMETERS);
            if (rep) b.repMtl(RepMtl.builder(m).build());
            MultiTaskTrainer t = b.build();
            for (MultiDataSet batch : batches) t.step(batch);
            for (String p : viaSource.keySet())
                assertEquals(viaSource.get(p), m.sameDiff().getVariable(p).getArr(), p + (rep ? " (Rep-MTL)" : "") + " after " + batches.size() + " steps");
        }
    }

    @Test
    void repMtlTaskTermsAreTheWholeBatchsAndItsRegularizerGradientTheSumOfTheShards() {
        MultiDataSet batch = TinyModels.data(16, 16, 6).next();
        int[] sizes = {9, 7};
        for (GradientMode mode : new GradientMode[]{GradientMode.NONE, GradientMode.PARAMETERS}) {
            ShardRequest.Kind kind = mode == GradientMode.NONE ? ShardRequest.Kind.GRADIENTS : ShardRequest.Kind.TASK_GRADIENTS;
            TrainingGraph withRep = prepare(true, mode), taskTerms = prepareTaskTermsOnly(mode), regOnly = prepare(true, mode);
            Shards sharded = split(withRep, batch, sizes, "test");
            double[] wholeLosses = sharded.compute(ShardRequest.losses(sharded.shardExamples(), 11, "test")).losses();
            ShardResult actual = sharded.compute(request(kind, new double[]{1, 1}, wholeLosses, sharded.shardExamples()));
            StepData whole = new LocalStepData(taskTerms, taskTerms.feed(batch, "test"));   // log l_t of the whole batch, no regularizer
            ShardResult expected = whole.compute(request(kind, new double[]{1, 1}, null, whole.shardExamples()));
            Map<String, INDArray> regSum = null;
            double regObjective = 0;
            Shards parts = split(regOnly, batch, sizes, "test");
            for (int k = 0; k < sizes.length; k++) {                 // shard k alone: its regularizer's gradient
                Map<String, INDArray> feed = parts.feeds().get(k);
                ShardResult alone = regOnly.compute(request(kind, new double[]{0, 0}, null, new long[][]{regOnly.examples(feed)}), feed, 0);
                Map<String, INDArray> reg = kind == ShardRequest.Kind.GRADIENTS ? alone.gradients() : alone.regularizerGradients();
                regObjective += alone.objective();                       // with task weights 0: the shard's regularizer
                if (regSum == null) regSum = new java.util.HashMap<>(reg);
                else for (String p : reg.keySet()) regSum.put(p, regSum.get(p).add(reg.get(p)));
            }
            if (kind == ShardRequest.Kind.GRADIENTS) {
                double want = expected.objective() + regObjective;
                assertEquals(want, actual.objective(), 1e-12 * Math.abs(want), "objective: sum_t log l_t of the whole batch plus the shards' regularizers");
                for (String p : regSum.keySet())
                    assertClose(expected.gradients().get(p).add(regSum.get(p)), actual.gradients().get(p), mode + ": Rep-MTL gradient of " + p);
            } else {
                for (int t = 0; t < 2; t++)
                    for (String p : regSum.keySet())
                        assertClose(expected.taskGradients().get(t).get(p), actual.taskGradients().get(t).get(p), mode + ": task " + t + " gradient of " + p);
                for (String p : regSum.keySet())
                    assertClose(regSum.get(p), actual.regularizerGradients().get(p), mode + ": regularizer gradient of " + p);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sharded.compute(request(kind, new double[]{1, 1}, null, sharded.shardExamples())));
            assertTrue(e.getMessage().contains("needs the whole batch's 2 task losses"), e.getMessage());
        }
    }

    private static ShardRequest request(ShardRequest.Kind kind, double[] weights, double[] losses, long[][] examples) {
        return kind == ShardRequest.Kind.GRADIENTS ? ShardRequest.gradients(weights, null, losses, examples, 11, "test")
                : ShardRequest.taskGradients(losses, examples, 11, "test");
    }

    @Test
    void requestsCheckTheirShards() {
        TrainingGraph g = prepare(false);
        Map<String, INDArray> feed = g.feed(TinyModels.data(16, 16, 1).next(), "test");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.compute(ShardRequest.losses(new long[][]{{8, 8}, {8, 8}}, 1, "epoch 0, step 3"), feed, 1));
        assertTrue(e.getMessage().contains("epoch 0, step 3, partition 1") && e.getMessage().contains("[16, 16]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ShardRequest.losses(new long[][]{{8, 8}, {0, 0}}, 1, "epoch 0, step 3"));
        assertTrue(e.getMessage().contains("shard 1 has 0 examples"), e.getMessage());
        ShardRequest r = ShardRequest.losses(new long[][]{{10, 10}, {6, 6}}, 5, "s");
        assertEquals(10.0 / 16, r.taskScale(0, 1), 0);
        assertEquals(10, r.rowOffset(1));
        assertEquals(1.0, ShardRequest.losses(new long[][]{{7, 7}}, 5, "s").taskScale(0, 0), 0);
        assertEquals(5, r.shardSeed(0));
    }

    @Test
    void aFailedShardStopsTheCombination() {
        ShardResult ok = new ShardResult(null, new double[]{1, 2}, 3, Double.NaN, Double.NaN, null, null, null, null, null, null, 0);
        ShardResult failed = ShardResult.failed("epoch 0, step 1, partition 1: loss of task 'a' is NaN; no update applied");
        assertEquals(failed, ShardResult.combine(List.of(ok, failed)));
        ShardResult sum = ShardResult.combine(List.of(ok, ok));
        assertArrayEquals(new double[]{2, 4}, sum.losses());
        assertEquals(6, sum.objective());
    }

    private static TrainingGraph prepare(boolean rep) { return prepare(rep, GradientMode.NONE); }

    private static TrainingGraph prepare(boolean rep, GradientMode mode) {
        MultiTaskModel m = TinyModels.twoTaskDense(7, DataType.DOUBLE);
        return TrainingGraph.prepare(m, rep ? RepMtl.builder(m).build() : null, RegularizerPlacement.HOST, mode);
    }

    /** Rep-MTL's task terms ({@code log l_t}) without its regularizer (both lambdas 0). */
    private static TrainingGraph prepareTaskTermsOnly(GradientMode mode) {
        MultiTaskModel m = TinyModels.twoTaskDense(7, DataType.DOUBLE);
        return TrainingGraph.prepare(m, RepMtl.builder(m).lambdaTsr(0).lambdaCsa(0).build(), RegularizerPlacement.HOST, mode);
    }

    /** Parameters after training {@code batches} (Adam, seed 3), each split into shards of {@code sizes}. */
    private static Map<String, INDArray> train(List<MultiDataSet> batches, int[] sizes, String strategy, GradientMode mode, boolean rep) {
        MultiTaskModel m = TinyModels.twoTaskDense(7, DataType.DOUBLE);
        MultiTaskStrategy s = strategy == null ? null : Strategies.create(strategy, m.taskNames(), Map.of(), mode);
        TrainingGraph[] holder = new TrainingGraph[1];                    // the source reads the trainer's prepared graph
        MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(1e-2)).seed(3).strategy(s).gradientMode(mode)
                .trainingSource(new SplitSource(() -> holder[0], batches, sizes));
        if (rep) b.repMtl(RepMtl.builder(m).build());
        MultiTaskTrainer t = b.build();
        holder[0] = t.trainingGraph();
        t.fit();
        Map<String, INDArray> params = new java.util.TreeMap<>();
        for (String p : t.trainableParameters()) params.put(p, m.sameDiff().getVariable(p).getArr().dup());
        return params;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-300, expected.norm2Number().doubleValue());
        double err = expected.sub(actual).norm2Number().doubleValue() / scale;
        assertTrue(err <= TOLERANCE, what + ": relative error " + err);
    }
}
