package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.regularizer.RegularizerPlacement;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import io.github.repmtl.samediff.saliency.GraphPaths;
import io.github.repmtl.samediff.saliency.ShapeProbe;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.util.QuietConsole;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's graph prepared for training, and what one shard of a step computes on it. {@link #prepare} adds the
 * trained objective (Rep-MTL's, or the weighted task losses), the per-task gradient rewiring a gradient strategy
 * needs ({@link TaskGradientGraph}), the representation injection placeholder and the gradient function;
 * {@link #compute} runs one {@link ShardRequest} on one shard's batch. The single-machine trainer runs every request
 * on its one shard; a distributed trainer prepares the same graph on each worker and combines the shards' results
 * with {@link ShardResult#combine}, so both run this one code path.
 */
public final class TrainingGraph {
    static final String WEIGHTS = "mtl/task_weights";
    static final String OBJECTIVE = "mtl/objective";
    static final String INJECTION = "mtl/representation_direction";

    private final MultiTaskModel model;
    private final RepMtl repMtl;
    private final RegularizerPlacement placement;
    private final SameDiff sd;
    private final RepMtlGraph repGraph;
    private final String objective;
    private final String weightsVar;
    private final List<String> params;
    private final Set<String> shared;
    private final Set<String> statisticTargets;
    private final GradientMode mode;
    private final long[] zTail;
    private final BatchFeeder feeder;
    private final GradientPass pass;
    private final TaskGradientGraph taskGraph;

    private TrainingGraph(MultiTaskModel model, RepMtl repMtl, RegularizerPlacement placement, GradientMode mode) {
        this.model = model;
        this.repMtl = repMtl;
        this.placement = placement;
        this.sd = model.sameDiff();
        this.mode = mode;
        this.feeder = new BatchFeeder(model);
        String obj, wv;
        if (repMtl != null) {
            if (!repMtl.taskNames().equals(model.taskNames()))
                throw new IllegalArgumentException("Rep-MTL tasks " + repMtl.taskNames() + " differ from the model's " + model.taskNames());
            this.repGraph = repMtl.attachTo(sd, placement);
            obj = RepMtlGraph.OBJECTIVE;
            wv = RepMtlGraph.TASK_WEIGHTS;
        } else {
            this.repGraph = null;
            DataType dt = sd.getVariable(model.tasks().get(0).loss()).dataType();
            SDVariable w = sd.constant(WEIGHTS, Nd4j.ones(dt, model.numTasks()));
            SDVariable sum = null;
            for (int t = 0; t < model.numTasks(); t++) {
                SDVariable term = sd.getVariable(model.tasks().get(t).loss()).mul(w.get(SDIndex.point(t)));
                sum = sum == null ? term : sum.add(term);
            }
            sd.identity(OBJECTIVE, sum);
            obj = OBJECTIVE;
            wv = WEIGHTS;
        }
        this.statisticTargets = new LinkedHashSet<>();
        for (StatisticUpdate u : model.statisticUpdates()) statisticTargets.add(u.variable());
        this.params = new ArrayList<>();
        for (SDVariable v : sd.variables())
            if (v.getVariableType() == VariableType.VARIABLE && v.dataType().isFPType() && !statisticTargets.contains(v.name())) params.add(v.name());
        if (params.isEmpty()) throw new IllegalArgumentException("the model has no trainable variables");
        this.shared = GraphPaths.upstream(sd, model.sharedActivations());
        if (mode == GradientMode.REPRESENTATION && model.isMultiInput())
            throw new IllegalArgumentException("gradient mode REPRESENTATION needs a single-input model; " + model.taskNames() + " have inputs " + model.inputs());
        if (mode == GradientMode.PARAMETERS || mode == GradientMode.REPRESENTATION) {
            this.taskGraph = TaskGradientGraph.build(model, mode, params, repGraph, obj, wv);
            obj = taskGraph.objective();
            wv = taskGraph.weights();
        } else {
            this.taskGraph = null;
        }
        this.objective = obj;
        this.weightsVar = wv;
        String trainObjective = objective;
        if (mode == GradientMode.REPRESENTATION) {
            String z = model.sharedActivations().get(0);
            long[] probed = ShapeProbe.probe(sd, List.of(z), ShapeProbe.PROBE_BATCH, Map.of()).get(z);
            this.zTail = Arrays.copyOfRange(probed, 1, probed.length);
            SDVariable zVar = sd.getVariable(z);
            long[] phShape = new long[zTail.length + 1];
            phShape[0] = -1;
            System.arraycopy(zTail, 0, phShape, 1, zTail.length);
            SDVariable d = sd.placeHolder(INJECTION, zVar.dataType(), phShape);
            trainObjective = sd.getVariable(objective).add("mtl/train_objective", zVar.mul(d).sum()).name();
        } else {
            this.zTail = null;
        }
        sd.setLossVariables(trainObjective);
        QuietConsole.run(sd::createGradFunction);
        this.pass = new GradientPass(sd);
    }

    /**
     * Prepares {@code model}'s graph (once per model: it adds variables) for training with Rep-MTL ({@code null}
     * for none) and a strategy's gradient mode ({@link GradientMode#NONE} for equal or loss weighting).
     */
    public static TrainingGraph prepare(MultiTaskModel model, RepMtl repMtl, RegularizerPlacement placement, GradientMode mode) {
        if (model == null) throw new IllegalArgumentException("model is null");
        if (placement == null) throw new IllegalArgumentException("regularizer placement is null");
        if (mode == null) throw new IllegalArgumentException("gradient mode is null");
        return new TrainingGraph(model, repMtl, placement, mode);
    }

    public MultiTaskModel model() { return model; }

    public GradientMode mode() { return mode; }

    /** The Rep-MTL configuration the graph was prepared with, or {@code null}. */
    public RepMtl repMtl() { return repMtl; }

    /** Where Rep-MTL's regularizer is computed. */
    public RegularizerPlacement placement() { return placement; }

    /** The Rep-MTL graph when Rep-MTL is on, else {@code null}. */
    public RepMtlGraph repMtlGraph() { return repGraph; }

    /** Trainable parameters, in graph order. */
    public List<String> parameters() { return List.copyOf(params); }

    /** Parameters upstream of the shared representation (those a gradient strategy combines). */
    public Set<String> sharedParameters() { return Collections.unmodifiableSet(shared); }

    /** Variables updated from batch statistics (batch-norm running means and variances). */
    public Set<String> statisticTargets() { return Collections.unmodifiableSet(statisticTargets); }

    /** The feed of one single-input batch (features and labels checked against the model). */
    public Map<String, INDArray> feed(MultiDataSet batch, String where) { return feeder.single(batch, where, true); }

    /** The feed of one batch per task (multi-input models). */
    public Map<String, INDArray> feedPerTask(List<MultiDataSet> batches, String where) { return feeder.perTask(batches, where, true); }

    /** Examples per task in {@code feed}. */
    public long[] examples(Map<String, INDArray> feed) {
        long[] n = new long[model.numTasks()];
        for (int t = 0; t < n.length; t++) {
            String input = model.isMultiInput() ? model.tasks().get(t).input() : model.inputs().get(0);
            INDArray x = feed.get(input);
            if (x == null) throw new IllegalArgumentException("feed lacks input '" + input + "'");
            n[t] = x.size(0);
        }
        return n;
    }

    /**
     * Sets the host regularizer's per-execution arrays (TSR, CSA, its gradient and offset, which
     * {@code HostRegularizer} fills during each execution) back to NaN, so that a model saved after training holds no
     * step's values, wherever its steps ran.
     */
    void clearHostRegularizerArrays() {
        if (repGraph == null || placement != RegularizerPlacement.HOST) return;
        for (String c : List.of(RepMtlGraph.TSR, RepMtlGraph.CSA, RepMtlGraph.REGULARIZER_GRADIENT, RepMtlGraph.REGULARIZER_OFFSET))
            sd.getArrForVarName(c).assign(Double.NaN);
    }

    /** Sets the objective's task weights. */
    void setWeights(double[] w) { sd.getVariable(weightsVar).getArr().assign(Nd4j.createFromArray(w)); }

    /** Runs {@code request} on shard {@code shard}'s batch ({@code feed}, not modified) with the current parameters. */
    public ShardResult compute(ShardRequest request, Map<String, INDArray> feed, int shard) {
        if (shard < 0 || shard >= request.shards()) throw new IllegalArgumentException("shard " + shard + " of a request for " + request.shards());
        String where = request.where(shard);
        Map<String, INDArray> f = new HashMap<>(feed);
        long[] n = examples(f);
        if (!Arrays.equals(n, request.shardExamples()[shard]))
            throw new IllegalArgumentException(where + ": batch has " + Arrays.toString(n) + " examples per task, the request expects " + Arrays.toString(request.shardExamples()[shard]));
        Nd4j.getRandom().setSeed(request.shardSeed(shard));                      // dropout masks: reproducible and resumable
        if (model.trainingFlag() != null) f.put(model.trainingFlag(), Nd4j.scalar(sd.getVariable(model.trainingFlag()).dataType(), 1.0));
        if (mode == GradientMode.REPRESENTATION) f.put(INJECTION, injection(request, n[0], shard));
        int tasks = model.numTasks();
        double[] taskScale = new double[tasks];
        for (int t = 0; t < tasks; t++) taskScale[t] = request.taskScale(shard, t);
        boolean split = request.shards() > 1;
        if (request.kind() == ShardRequest.Kind.LOSSES) {
            Map<String, INDArray> out = sd.output(f, lossNames());
            String failure = nonFiniteLoss(out, where);
            if (failure != null) return ShardResult.failed(failure);
            return new ShardResult(null, losses(out, taskScale), Double.NaN, Double.NaN, Double.NaN, null, null, null, null, null, null, 0);
        }
        double[] termScale = taskScale.clone();                         // each task term's share of the whole batch's term
        double[] own = null;
        if (split && logTerms()) {                                       // d log l = sum_k (n_k/N) (l_k/l) d log l_k
            if (request.losses() == null || request.losses().length != tasks)
                throw new IllegalArgumentException(where + ": a split step with log-transformed task terms needs the whole batch's " + tasks + " task losses");
            Map<String, INDArray> out = sd.output(f, lossNames());
            String failure = nonFiniteLoss(out, where);
            if (failure != null) return ShardResult.failed(failure);
            own = losses(out, null);
            for (int t = 0; t < tasks; t++) termScale[t] = taskScale[t] * own[t] / request.losses()[t];
            Nd4j.getRandom().setSeed(request.shardSeed(shard));                  // the pass below sees the same masks
        }
        double[] ones = new double[tasks];
        Arrays.fill(ones, 1.0);
        switch (request.kind()) {
            case GRADIENTS -> {
                double[] w = request.weights();
                if (w.length != tasks) throw new IllegalArgumentException(where + ": " + w.length + " task weights for " + tasks + " tasks");
                double[] set = new double[tasks];
                for (int t = 0; t < tasks; t++) set[t] = w[t] * termScale[t];
                setWeights(set);
                var r = pass.run(f, outputs(), params);
                return result(r.outputs(), request, shard, taskScale, set, w, own, r.gradients(), null, null, null, null);
            }
            case TASK_GRADIENTS -> {
                if (mode != GradientMode.PARAMETERS) throw new IllegalStateException("per-task parameter gradients need gradient mode PARAMETERS, the graph has " + mode);
                setWeights(termScale);                                           // each task's copy gradients are its share
                var r = pass.run(f, outputs(), taskGraph.requests());
                List<Map<String, INDArray>> perTask = taskGraph.parameterGradients(r.gradients());
                Map<String, INDArray> reg = taskGraph.regularizerGradients(r.gradients(), perTask);
                return result(r.outputs(), request, shard, taskScale, termScale, ones, own, null, perTask, reg, null, null);
            }
            case REPRESENTATION_ROWS -> {
                if (mode != GradientMode.REPRESENTATION) throw new IllegalStateException("representation gradients need gradient mode REPRESENTATION, the graph has " + mode);
                setWeights(ones);
                String z = model.sharedActivations().get(0);
                List<String> outputs = outputs();
                outputs.add(z);
                Map<String, INDArray> out, grads;
                if (taskGraph.needsGradientPass()) {
                    var r = pass.run(f, outputs, taskGraph.requests());
                    out = r.outputs();
                    grads = r.gradients();
                } else {
                    List<String> names = new ArrayList<>(outputs);
                    names.addAll(taskGraph.requests());
                    out = sd.output(f, names.toArray(new String[0]));
                    grads = Map.of();
                }
                double[][] rows = new double[tasks][];
                for (int t = 0; t < tasks; t++) {
                    rows[t] = taskGraph.representationRow(t, grads, out).dup().data().asDouble();
                    if (split) for (int i = 0; i < rows[t].length; i++) rows[t][i] *= termScale[t];
                }
                return result(out, request, shard, taskScale, ones, ones, own, null, null, null, rows, out.get(z));
            }
            default -> throw new IllegalStateException("unknown request kind " + request.kind());
        }
    }

    /** Whether the objective's task terms are {@code log l_t} (Rep-MTL's log transform). */
    private boolean logTerms() { return repMtl != null && repMtl.logTransform(); }

    /**
     * Whether a step split into {@code shards} needs the whole batch's task losses in its gradient requests
     * ({@link ShardRequest#losses()}): with Rep-MTL's log-transformed task terms.
     */
    public boolean needsWholeBatchLosses(int shards) { return shards > 1 && logTerms(); }

    private String[] lossNames() { return model.tasks().stream().map(TaskBinding::loss).toArray(String[]::new); }

    private List<String> outputs() {
        List<String> outputs = new ArrayList<>();
        for (TaskBinding t : model.tasks()) outputs.add(t.loss());
        outputs.add(objective);
        if (repGraph != null) outputs.addAll(List.of(RepMtlGraph.TSR, RepMtlGraph.CSA));
        for (StatisticUpdate u : model.statisticUpdates()) outputs.add(u.batchValue());
        return outputs;
    }

    /**
     * Shard {@code shard}'s result of a pass run with task weights {@code set}, meant as {@code intended}; with
     * log-transformed terms of a split step ({@code own}: the shard's losses), the objective's share is the shard's
     * regularizer plus its share of {@code sum_t intended_t log l_t} of the whole batch.
     */
    private ShardResult result(Map<String, INDArray> out, ShardRequest request, int shard, double[] taskScale, double[] set, double[] intended,
                               double[] own, Map<String, INDArray> gradients, List<Map<String, INDArray>> perTask, Map<String, INDArray> reg,
                               double[][] rows, INDArray z) {
        String failure = nonFiniteLoss(out, request.where(shard));
        if (failure != null) return ShardResult.failed(failure);
        double exampleScale = request.exampleScale(shard);
        double objectiveValue = out.get(objective).getDouble(0);
        if (own != null)
            for (int t = 0; t < own.length; t++)
                objectiveValue += intended[t] * taskScale[t] * term(request.losses()[t]) - set[t] * term(own[t]);
        Map<String, INDArray> statistics = new HashMap<>();
        for (StatisticUpdate u : model.statisticUpdates()) {
            INDArray v = out.get(u.batchValue());
            statistics.put(u.batchValue(), exampleScale == 1.0 ? v : v.mul(exampleScale));
        }
        return new ShardResult(null, losses(out, taskScale), objectiveValue,
                repGraph == null ? Double.NaN : out.get(RepMtlGraph.TSR).getDouble(0),
                repGraph == null ? Double.NaN : out.get(RepMtlGraph.CSA).getDouble(0),
                statistics, gradients, perTask, reg, rows, z == null ? null : z.dup().data().asDouble(), z == null ? 0 : z.size(0));
    }

    /** Task losses in {@code out}, each times its scale ({@code null}: unscaled). */
    private double[] losses(Map<String, INDArray> out, double[] scale) {
        double[] l = new double[model.numTasks()];
        for (int t = 0; t < l.length; t++) {
            l[t] = out.get(model.tasks().get(t).loss()).getDouble(0);
            if (scale != null) l[t] *= scale[t];
        }
        return l;
    }

    /** Rep-MTL's log-transformed task term of a loss value. */
    private static double term(double loss) { return Math.log(Math.max(loss, RepMtl.LOSS_FLOOR)); }

    private String nonFiniteLoss(Map<String, INDArray> out, String where) {
        for (TaskBinding b : model.tasks()) {
            double l = out.get(b.loss()).getDouble(0);
            if (!Double.isFinite(l)) return where + ": loss of task '" + b.name() + "' is " + l + "; no update applied";
        }
        return null;
    }

    private INDArray injection(ShardRequest request, long rows, int shard) {
        long[] s = new long[zTail.length + 1];
        s[0] = rows;
        System.arraycopy(zTail, 0, s, 1, zTail.length);
        DataType dt = sd.getVariable(model.sharedActivations().get(0)).dataType();
        if (request.injection() == null) return Nd4j.zeros(dt, s);
        long rowLength = 1;
        for (long d : zTail) rowLength *= d;
        int from = Math.toIntExact(request.rowOffset(shard) * rowLength), length = Math.toIntExact(rows * rowLength);
        if (request.injection().length < from + length)
            throw new IllegalArgumentException(request.where(shard) + ": injection has " + request.injection().length + " entries, rows up to "
                    + (request.rowOffset(shard) + rows) + " need " + (from + length));
        return Nd4j.createFromArray(Arrays.copyOfRange(request.injection(), from, from + length)).reshape(s).castTo(dt);
    }
}
