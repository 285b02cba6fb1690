package io.github.repmtl.samediff.train;

import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.metrics.DeltaP;
import io.github.repmtl.samediff.metrics.DeltaPTracker;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.regularizer.RegularizerPlacement;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import io.github.repmtl.samediff.strategy.Aggregation;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.MultiTaskStrategy;
import io.github.repmtl.samediff.strategy.StepContext;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Trains a {@link MultiTaskModel} with or without Rep-MTL and with any loss-weighting or gradient-manipulation
 * strategy (equal weighting when none is given), single-input (one iterator, one label array per task) or
 * multi-input (one iterator per task; an epoch has {@code max_t} steps and shorter iterators restart, as in
 * LibMTL). Evaluates validation and test splits each epoch, logs its own statistics, checkpoints every epoch
 * and resumes bit-exactly on CPU.
 *
 * <p>Gradient strategies: every task's gradient comes from one graph execution per step ({@link TaskGradientGraph}):
 * in {@link GradientMode#PARAMETERS} mode each task's loss path reads its own identity copies of the parameters
 * (replicating the shared encoder), so one execution is the whole step; in {@link GradientMode#REPRESENTATION}
 * mode a first execution yields every {@code dl_t/dZ} (per-head identity copies of {@code Z}, back-propagated
 * through the heads only; with Rep-MTL the saliencies themselves), and a second applies the strategy's result:
 * the weighted loss plus an injection term {@code sum(Z * D)} ({@code D} a placeholder) that turns the shared
 * update into the strategy's direction. The Rep-MTL regularizer's gradient is added after the strategy (spec).
 */
public final class MultiTaskTrainer {
    private static final Logger log = LoggerFactory.getLogger(MultiTaskTrainer.class);

    private final MultiTaskModel model;
    private final SameDiff sd;
    private final Builder cfg;
    private final TrainingGraph graph;
    private final List<String> params;
    private final Set<String> shared;
    private final GradientMode mode;
    private final ParameterUpdater updater;
    private final List<EpochSummary> history = new ArrayList<>();
    private DeltaPTracker valTracker, testTracker;
    private final StepSource source;
    private final RoundSource rounds;
    private long step;
    /** Epochs done in memory ({@code -1} before the first {@code fit}) and the steps of an epoch, both set by the first fit. */
    private int epochsDone = -1, batches;

    private MultiTaskTrainer(Builder b) {
        this.cfg = b;
        this.model = b.model;
        this.sd = model.sameDiff();
        this.mode = resolveMode(b.strategy, b.mode);
        if (b.strategy != null && !b.strategy.taskNames().equals(model.taskNames()))
            throw new IllegalArgumentException("strategy tasks " + b.strategy.taskNames() + " differ from the model's " + model.taskNames());
        this.graph = TrainingGraph.prepare(model, b.repMtl, b.placement, mode);
        this.params = graph.parameters();
        this.shared = graph.sharedParameters();
        this.updater = new ParameterUpdater(b.optimizer);
        this.source = b.source != null || (b.train == null && b.trainPerTask == null) ? b.source
                : new IteratorStepSource(graph, b.train, b.trainPerTask);
        this.rounds = b.rounds;
    }

    /**
     * The gradient mode a strategy runs in: {@code requested} if given (it must be one the strategy supports), else
     * the strategy's preferred one; {@link GradientMode#NONE} without a strategy.
     */
    public static GradientMode resolveMode(MultiTaskStrategy strategy, GradientMode requested) {
        if (strategy == null) return GradientMode.NONE;
        GradientMode m = requested != null ? requested : strategy.preferredMode();
        if (!strategy.supportedModes().contains(m))
            throw new IllegalArgumentException("strategy '" + strategy.name() + "' does not support gradient mode " + m
                    + "; it supports " + strategy.supportedModes());
        return m;
    }

    public static Builder builder(MultiTaskModel model) { return new Builder(model); }

    public MultiTaskModel model() { return model; }

    /** The Rep-MTL graph when Rep-MTL is on, else {@code null}. */
    public RepMtlGraph repMtlGraph() { return graph.repMtlGraph(); }

    /** The model's graph as prepared for training (what every shard of a step runs). */
    public TrainingGraph trainingGraph() { return graph; }

    /** The gradient mode the strategy runs in ({@link GradientMode#NONE} for equal or loss weighting). */
    public GradientMode gradientMode() { return mode; }

    public List<String> trainableParameters() { return List.copyOf(params); }

    /** Epoch summaries so far (including those restored from a checkpoint). */
    public List<EpochSummary> history() { return List.copyOf(history); }

    /**
     * One optimisation step on one single-input batch (epoch 0 learning rate), outside {@link #fit()}: for
     * benchmarks and custom loops.
     */
    public StepStats step(MultiDataSet batch) {
        if (model.isMultiInput()) throw new IllegalStateException("step(MultiDataSet) is for single-input models; " + model.taskNames() + " have one input each");
        return step(batch, 0);
    }

    /**
     * One optimisation step on one single-input batch at epoch {@code epoch}'s learning rate, outside {@link #fit()}:
     * what a worker of a parameter-averaging trainer runs.
     */
    public StepStats step(MultiDataSet batch, int epoch) {
        if (model.isMultiInput()) throw new IllegalStateException("step(MultiDataSet) is for single-input models; " + model.taskNames() + " have one input each");
        return trainStep(new LocalStepData(graph, graph.feed(batch, "epoch " + epoch + ", step " + step)), epoch, 0, 1);
    }

    /**
     * Writes a checkpoint of the state after the last completed epoch into {@code dir} now (on demand, e.g. from
     * {@link TrainingListener#onEpochEnd}); {@code fit} with {@code resume} continues from it.
     */
    public Path saveCheckpoint(Path dir) {
        if (history.isEmpty()) throw new IllegalStateException("no epoch has completed yet: nothing to checkpoint");
        int epoch = history.get(history.size() - 1).epoch();
        return checkpoint(epoch).save(dir, epoch, Integer.MAX_VALUE);
    }

    /** Trains for the configured epochs (continuing from the newest checkpoint when resume is on). */
    public TrainingResult fit() { return fit(cfg.epochs); }

    /**
     * Trains until {@code epochs} epochs are done (the result covers all of them). The first call starts from the
     * beginning or, when resume is on, continues from the newest checkpoint; a later call continues in memory where the
     * previous one stopped, exactly as resuming from the checkpoint it wrote last would (population-based training
     * extends a member's run round by round this way). Nothing is trained when {@code epochs} are already done.
     */
    public TrainingResult fit(int epochs) {
        if (source == null && rounds == null)
            throw new IllegalStateException("no training data: call train(...), trainPerTask(...), trainingSource(...) or trainingRounds(...) on the builder");
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (epochsDone < 0) start();
        for (TrainingListener l : cfg.listeners) l.onTrainingStart(this, epochsDone, epochs, batches);
        for (int epoch = epochsDone; epoch < epochs; epoch++) {
            long t0 = System.nanoTime();
            Map<String, Double> trainLosses = trainEpoch(epoch, batches);
            EpochSummary s = evaluateEpoch(epoch, trainLosses, (System.nanoTime() - t0) / 1e9);
            history.add(s);
            for (TrainingListener l : cfg.listeners) l.onEpochEnd(s);
            if (cfg.checkpointDir != null) checkpoint(epoch).save(cfg.checkpointDir, epoch, cfg.keepCheckpoints);
            SessionMemory.release(model.sameDiff());
            epochsDone = epoch + 1;
        }
        graph.clearHostRegularizerArrays();
        TrainingResult result = select();
        for (TrainingListener l : cfg.listeners) l.onTrainingEnd(result);
        return result;
    }

    /** The first fit: restores the newest checkpoint (resume), the Delta-p references and the iterator positions. */
    private void start() {
        int first = 0;
        if (cfg.resume && cfg.checkpointDir != null && !Checkpoint.list(cfg.checkpointDir).isEmpty()) {
            List<Path> all = Checkpoint.list(cfg.checkpointDir);
            Path latest = all.get(all.size() - 1);
            first = restore(Checkpoint.load(latest)) + 1;
            log.info("resumed from {} (epoch {} done)", latest, first - 1);
        }
        valTracker = cfg.baselines != null ? DeltaPTracker.against(cfg.baselines) : DeltaPTracker.againstFirstEvaluation();
        testTracker = cfg.baselines != null ? DeltaPTracker.against(cfg.baselines) : DeltaPTracker.againstFirstEvaluation();
        for (EpochSummary e : history) {       // re-seed first-evaluation baselines from the restored log
            if (e.validation() != null) valTracker.compute(e.validation().values());
            if (e.test() != null) testTracker.compute(e.test().values());
        }
        for (int e = 0; e < first; e++) {                               // replay iterator positions (seeded shuffles)
            if (source != null) source.reset();
            else rounds.reset();
        }
        batches = source != null ? source.batchesPerEpoch() : rounds.stepsPerEpoch();   // (reads an epoch: counted once)
        epochsDone = first;
    }

    private TrainingResult select() {
        if (cfg.validation != null || cfg.validationPerTask != null)
            return cfg.selection.select(history, EpochSummary::validationDeltaP, "validation");
        if (cfg.test != null || cfg.testPerTask != null) {
            log.warn("no validation split: model selection uses the TEST split, so the reported result is optimistic");
            return cfg.selection.select(history, EpochSummary::testDeltaP, "test");
        }
        return new TrainingResult(List.copyOf(history), cfg.selection, "none", List.of(), Double.NaN);
    }

    private Map<String, Double> trainEpoch(int epoch, int batches) {
        double[] sums = new double[model.numTasks()];
        int done = 0;
        if (source != null) {
            source.reset();
            for (; done < batches && source.hasNext(); done++)
                stepDone(trainStep(source.next("epoch " + epoch + ", step " + step), epoch, done, batches), sums);
        } else {
            rounds.reset();
            while (rounds.hasNext()) {
                Round r = rounds.next(state(), epoch, "epoch " + epoch + ", step " + step);
                restoreState(r.state());
                for (StepStats s : r.steps()) stepDone(s.atBatch(done++, batches), sums);
            }
        }
        Map<String, Double> mean = new LinkedHashMap<>();
        for (int t = 0; t < sums.length; t++) mean.put(model.taskNames().get(t), sums[t] / Math.max(1, done));
        return mean;
    }

    private void stepDone(StepStats s, double[] lossSums) {
        for (int t = 0; t < lossSums.length; t++) lossSums[t] += s.taskLosses().get(model.taskNames().get(t));
        for (TrainingListener l : cfg.listeners) l.onStep(s);
    }

    /**
     * One optimisation step on one step's data: the strategy's graph executions as {@link ShardRequest}s to
     * {@code data}, then the strategy, the Rep-MTL gradient, the optimizer and the running statistics, here.
     */
    StepStats trainStep(StepData data, int epoch, int batch, int batches) {
        String where = "epoch " + epoch + ", step " + step;
        if (graph.repMtlGraph() != null) graph.repMtlGraph().useEpoch(epoch);    // the Rep-MTL schedule's values of this epoch
        long[][] examples = data.shardExamples();
        long seed = stepSeed();
        int tasks = model.numTasks();
        double[] ones = new double[tasks];
        Arrays.fill(ones, 1.0);
        double fbMs = 0, strategyMs = 0;
        double[] weights, wholeLosses = null;
        Map<String, INDArray> grads;
        ShardResult out;
        boolean lossWeighting = cfg.strategy != null && mode == GradientMode.NONE;
        if (lossWeighting || graph.needsWholeBatchLosses(examples.length)) {
            long s0 = System.nanoTime();
            wholeLosses = run(data, ShardRequest.losses(examples, seed, where)).losses();
            fbMs += ms(s0);
        }
        double[] termLosses = graph.needsWholeBatchLosses(examples.length) ? wholeLosses : null;
        if (cfg.strategy == null || mode == GradientMode.NONE) {
            weights = ones;
            if (cfg.strategy != null) {
                long s1 = System.nanoTime();
                weights = cfg.strategy.aggregate(StepContext.builder().step(step).epoch(epoch).losses(wholeLosses).random(stepRandom()).build()).weights();
                strategyMs += ms(s1);
            }
            long s0 = System.nanoTime();
            out = run(data, ShardRequest.gradients(weights, null, termLosses, examples, seed, where));
            fbMs += ms(s0);
            grads = out.gradients();
        } else if (mode == GradientMode.PARAMETERS) {
            long s0 = System.nanoTime();
            out = run(data, ShardRequest.taskGradients(termLosses, examples, seed, where));
            fbMs += ms(s0);
            long s1 = System.nanoTime();                             // strategy time: rows, solver and the combined gradient
            List<Map<String, INDArray>> perTask = out.taskGradients();
            Map<String, INDArray> regGrads = out.regularizerGradients();
            List<String> sharedParams = params.stream().filter(shared::contains).toList();
            double[][] rows = new double[tasks][];
            for (int t = 0; t < tasks; t++) rows[t] = flatten(perTask.get(t), sharedParams);
            Aggregation agg = cfg.strategy.aggregate(StepContext.builder().step(step).epoch(epoch).losses(out.losses()).gradients(mode, rows)
                    .random(stepRandom()).parameterSizes(sharedParams.stream().mapToInt(p -> (int) sd.getVariable(p).getArr().length()).toArray()).build());
            weights = agg.weights();
            grads = new HashMap<>();
            for (String p : params) {
                boolean isShared = shared.contains(p);
                if (isShared && agg.direction() != null) continue;                     // set from the direction below
                double[] coeff = isShared && agg.directionWeights() != null ? agg.directionWeights() : weights;
                INDArray g = perTask.get(0).get(p).mul(coeff[0]);
                for (int t = 1; t < tasks; t++) g.addi(perTask.get(t).get(p).mul(coeff[t]));
                if (regGrads != null) g.addi(regGrads.get(p));
                grads.put(p, g);
            }
            if (agg.direction() != null) unflatten(agg.direction(), sharedParams, grads, regGrads);
            strategyMs += ms(s1);
        } else {
            long s0 = System.nanoTime();
            ShardResult first = run(data, ShardRequest.representationRows(termLosses, examples, seed, where));
            fbMs += ms(s0);
            long s1 = System.nanoTime();                             // strategy time: solver and the injected direction
            double[][] rows = first.rows();
            Aggregation agg = cfg.strategy.aggregate(StepContext.builder().step(step).epoch(epoch).losses(first.losses()).gradients(mode, rows)
                    .random(stepRandom()).representation(first.representation(), (int) first.representationRows()).build());
            weights = agg.weights();
            double[] extra = null;
            if (agg.direction() != null) {            // back-propagate (direction - sum_t w_t g_t) on top of the weighted loss
                extra = agg.direction().clone();
                for (int t = 0; t < tasks; t++) for (int i = 0; i < extra.length; i++) extra[i] -= weights[t] * rows[t][i];
            }
            strategyMs += ms(s1);
            long s2 = System.nanoTime();                              // the same dropout masks as the first pass
            out = run(data, ShardRequest.gradients(weights, extra, termLosses, examples, seed, where));
            fbMs += ms(s2);
            grads = out.gradients();
        }
        graph.setWeights(weights);
        for (String p : params) {
            INDArray g = grads.get(p);
            if (g == null) throw new IllegalStateException(where + ": no gradient for parameter '" + p + "' (it does not influence any loss)");
            if (!BatchFeeder.finite(g)) throw new IllegalStateException(where + ": gradient of parameter '" + p + "' is NaN or infinite; no update applied");
        }
        long u0 = System.nanoTime();
        updater.beginStep();
        for (String p : params) updater.update(p, sd.getVariable(p).getArr(), grads.get(p), epoch);
        for (StatisticUpdate u : model.statisticUpdates()) {
            INDArray running = sd.getVariable(u.variable()).getArr();
            running.muli(1 - u.momentum()).addi(out.statistics().get(u.batchValue()).reshape(running.shape()).castTo(running.dataType()).mul(u.momentum()));
        }
        double updateMs = ms(u0);
        if (cfg.strategy != null && cfg.strategy.needsLossesAfterUpdate())
            cfg.strategy.afterUpdate(run(data, ShardRequest.losses(examples, seed, where + " (after the update)")).losses());
        Map<String, Double> losses = new LinkedHashMap<>();
        for (int t = 0; t < tasks; t++) losses.put(model.taskNames().get(t), out.losses()[t]);
        double lr = cfg.optimizer.schedule().learningRate(cfg.optimizer.learningRate(), epoch);
        StepStats s = new StepStats(epoch, step, batch, batches, losses, out.tsr(), out.csa(), out.objective(), weights.clone(), lr,
                fbMs, strategyMs, updateMs);
        step++;
        return s;
    }

    /** {@code request}'s combined result; a shard's failure (a NaN or infinite loss) stops the step before any update. */
    private static ShardResult run(StepData data, ShardRequest request) {
        ShardResult r = data.compute(request);
        if (r.failure() != null) throw new IllegalStateException(r.failure());
        return r;
    }

    private Random stepRandom() { return new Random(cfg.seed * 31 + step); }

    private long stepSeed() { return cfg.seed * 1_000_003L + step; }

    private static double[] flatten(Map<String, INDArray> grads, List<String> names) {
        return FlatGradients.flatten(names.stream().map(grads::get).toList());
    }

    private void unflatten(double[] direction, List<String> names, Map<String, INDArray> grads, Map<String, INDArray> regGrads) {
        long total = 0;
        for (String p : names) total += sd.getVariable(p).getArr().length();
        if (total != direction.length) throw new IllegalStateException("strategy direction has " + direction.length + " entries, shared parameters " + total);
        int off = 0;
        for (String p : names) {
            INDArray arr = sd.getVariable(p).getArr();
            INDArray g = FlatGradients.slice(direction, off, arr.shape(), arr.dataType());
            if (regGrads != null) g.addi(regGrads.get(p));
            grads.put(p, g);
            off += (int) arr.length();
        }
    }

    private EpochSummary evaluateEpoch(int epoch, Map<String, Double> train, double trainSeconds) {
        Map<String, TaskResult> val = null, test = null;
        DeltaP valD = null, testD = null;
        if (cfg.validation != null) val = ModelEvaluator.evaluate(model, cfg.validation);
        else if (cfg.validationPerTask != null) val = ModelEvaluator.evaluate(model, cfg.validationPerTask);
        if (cfg.test != null) test = ModelEvaluator.evaluate(model, cfg.test);
        else if (cfg.testPerTask != null) test = ModelEvaluator.evaluate(model, cfg.testPerTask);
        if (val != null) valD = valTracker.compute(val.values()).orElse(null);
        if (test != null) testD = testTracker.compute(test.values()).orElse(null);
        return new EpochSummary(epoch, train, val, valD, test, testD, trainSeconds);
    }

    private static double ms(long start) { return (System.nanoTime() - start) / 1e6; }

    // ---------------------------------------------------------------- checkpoints

    private Checkpoint checkpoint(int epoch) {
        TrainerState state = state();
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        state.parameters().forEach((k, v) -> arrays.put("param/" + k, v));
        state.statistics().forEach((k, v) -> arrays.put("stat/" + k, v));
        state.optimizer().forEach((k, v) -> arrays.put("opt/" + k, v));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("epoch", epoch);
        meta.put("step", state.step());
        meta.put("optimizerSteps", state.optimizerSteps());
        meta.put("seed", cfg.seed);
        meta.put("fingerprint", fingerprint());
        meta.put("repMtl", cfg.repMtl == null ? null : cfg.repMtl.describeEpochs(epoch));   // the schedule as far as it was used
        meta.put("strategy", cfg.strategy == null ? "ew" : cfg.strategy.name());
        meta.put("strategyState", state.strategy());
        meta.put("history", EpochLog.toJson(history));
        return new Checkpoint(meta, arrays);
    }

    /** A copy of the training state after the last step (parameters, statistics, optimiser, strategy, step). */
    public TrainerState state() {
        Map<String, INDArray> parameters = new LinkedHashMap<>(), statistics = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>();
        for (String p : params) parameters.put(p, sd.getVariable(p).getArr().dup());
        for (String s : graph.statisticTargets()) statistics.put(s, sd.getVariable(s).getArr().dup());
        updater.state().forEach((k, v) -> optimizer.put(k, v.dup()));
        return new TrainerState(parameters, statistics, optimizer, updater.steps(), cfg.strategy == null ? Map.of() : cfg.strategy.state(), step);
    }

    /**
     * Continues from {@code state} (of this model and configuration, e.g. from {@link #state()} of another trainer):
     * the next step is the one after it.
     *
     * @throws IllegalArgumentException when a parameter or statistic is missing or has another shape
     */
    public void restoreState(TrainerState state) {
        for (String p : params) assign(p, state.parameters().get(p), "parameter");
        for (String s : graph.statisticTargets()) assign(s, state.statistics().get(s), "running statistic");
        updater.restore(state.optimizer(), state.optimizerSteps());
        if (cfg.strategy != null) cfg.strategy.restore(state.strategy());
        step = state.step();
    }

    private void assign(String name, INDArray value, String kind) {
        INDArray arr = sd.getVariable(name).getArr();
        if (value == null) throw new IllegalArgumentException("trainer state has no value for " + kind + " '" + name + "'");
        if (!Arrays.equals(arr.shape(), value.shape()))
            throw new IllegalArgumentException("trainer state's " + kind + " '" + name + "' has shape " + Arrays.toString(value.shape()) + ", the model's " + Arrays.toString(arr.shape()));
        arr.assign(value);
    }

    @SuppressWarnings("unchecked")
    private int restore(Checkpoint c) {
        Map<String, Object> meta = c.meta();
        String fp = fingerprint();
        if (!fp.equals(meta.get("fingerprint")))
            throw new IllegalArgumentException("checkpoint does not fit this model: its parameters are " + meta.get("fingerprint") + ", the model's " + fp);
        String strategy = cfg.strategy == null ? "ew" : cfg.strategy.name();
        if (!strategy.equals(meta.get("strategy")))
            throw new IllegalArgumentException("checkpoint was written with strategy '" + meta.get("strategy") + "', this run uses '" + strategy + "'");
        int epoch = ((Number) meta.get("epoch")).intValue();
        String rep = cfg.repMtl == null ? null : cfg.repMtl.describeEpochs(epoch);     // only what the checkpoint's epochs used
        if (rep == null ? meta.get("repMtl") != null : !rep.equals(meta.get("repMtl")))
            throw new IllegalArgumentException("checkpoint was written with Rep-MTL " + meta.get("repMtl") + " (epochs 0.." + epoch + "), this run uses "
                    + rep + " for those epochs");
        Map<String, INDArray> parameters = new LinkedHashMap<>(), statistics = new LinkedHashMap<>(), opt = new LinkedHashMap<>();
        c.arrays().forEach((k, v) -> {
            if (k.startsWith("param/")) parameters.put(k.substring(6), v);
            else if (k.startsWith("stat/")) statistics.put(k.substring(5), v);
            else if (k.startsWith("opt/")) opt.put(k.substring(4), v);
        });
        Object strategyState = meta.get("strategyState");
        restoreState(new TrainerState(parameters, statistics, opt, ((Number) meta.get("optimizerSteps")).longValue(),
                strategyState == null ? Map.of() : (Map<String, Object>) strategyState, ((Number) meta.get("step")).longValue()));
        history.clear();
        history.addAll(EpochLog.fromJson((List<Map<String, Object>>) meta.get("history"), model));
        return epoch;
    }

    private String fingerprint() {
        StringBuilder sb = new StringBuilder();
        for (String p : params) sb.append(p).append(Arrays.toString(sd.getVariable(p).getArr().shape())).append(';');
        return sb.toString();
    }

    /** Training settings; {@link #build()} validates them against the model. */
    public static final class Builder {
        private final MultiTaskModel model;
        private RepMtl repMtl;
        private RegularizerPlacement placement = RegularizerPlacement.HOST;
        private MultiTaskStrategy strategy;
        private GradientMode mode;
        private Optimizer optimizer = Optimizer.adam(1e-3);
        private int epochs = 1;
        private long seed = 42;
        private MultiDataSetIterator train, validation, test;
        private List<MultiDataSetIterator> trainPerTask, validationPerTask, testPerTask;
        private StepSource source;
        private RoundSource rounds;
        private Baselines baselines;
        private ModelSelection selection = ModelSelection.bestDeltaP();
        private final List<TrainingListener> listeners = new ArrayList<>();
        private Path checkpointDir;
        private int keepCheckpoints = 2;
        private boolean resume;

        private Builder(MultiTaskModel model) { this.model = model; }

        /** The model this configuration trains. */
        public MultiTaskModel model() { return model; }

        /** Rep-MTL's configuration, or {@code null} without Rep-MTL. */
        public RepMtl repMtl() { return repMtl; }

        public RegularizerPlacement regularizerPlacement() { return placement; }

        /** The gradient mode the configured strategy will run in (see {@link MultiTaskTrainer#resolveMode}). */
        public GradientMode resolvedGradientMode() { return resolveMode(strategy, mode); }

        /** Rep-MTL; with a {@link RepMtl#schedule()} each epoch's steps use that epoch's values. */
        public Builder repMtl(RepMtl repMtl) { this.repMtl = repMtl; return this; }

        /** Where Rep-MTL's regularizer is computed (default {@link RegularizerPlacement#HOST}: same result, faster). */
        public Builder regularizerPlacement(RegularizerPlacement p) {
            if (p == null) throw new IllegalArgumentException("regularizer placement is null");
            this.placement = p;
            return this;
        }
        /** Loss-weighting or gradient-manipulation strategy (equal weighting when not set). */
        public Builder strategy(MultiTaskStrategy s) { this.strategy = s; return this; }
        public Builder gradientMode(GradientMode m) { this.mode = m; return this; }
        public Builder optimizer(Optimizer o) { this.optimizer = o; return this; }
        public Builder epochs(int n) { this.epochs = n; return this; }
        public Builder seed(long s) { this.seed = s; return this; }
        /** Single-input training data: one label array per task, in task order. */
        public Builder train(MultiDataSetIterator it) { this.train = it; return this; }
        /** Multi-input training data: one iterator per task, in task order. */
        public Builder trainPerTask(List<MultiDataSetIterator> its) { this.trainPerTask = List.copyOf(its); return this; }
        /** Training steps from elsewhere, e.g. shards on a cluster (instead of train(...) or trainPerTask(...)). */
        public Builder trainingSource(StepSource s) { this.source = s; return this; }
        /** Rounds of steps that run elsewhere, e.g. parameter averaging on a cluster (instead of the other sources). */
        public Builder trainingRounds(RoundSource r) { this.rounds = r; return this; }
        /** The optimiser settings. */
        public Optimizer optimizer() { return optimizer; }
        /** The strategy, or {@code null} for equal weighting. */
        public MultiTaskStrategy strategy() { return strategy; }
        public long seed() { return seed; }
        public Builder validation(MultiDataSetIterator it) { this.validation = it; return this; }
        public Builder validationPerTask(List<MultiDataSetIterator> its) { this.validationPerTask = List.copyOf(its); return this; }
        public Builder test(MultiDataSetIterator it) { this.test = it; return this; }
        public Builder testPerTask(List<MultiDataSetIterator> its) { this.testPerTask = List.copyOf(its); return this; }
        /** Single-task baselines for Delta-p; when not set, Delta-p is against the first evaluation (LibMTL). */
        public Builder baselines(Baselines b) { this.baselines = b; return this; }
        public Builder selection(ModelSelection s) { this.selection = s; return this; }
        public Builder listener(TrainingListener l) { this.listeners.add(l); return this; }
        /** Writes a checkpoint after every epoch, keeping the newest {@code keep}. */
        public Builder checkpoints(Path dir, int keep) { this.checkpointDir = dir; this.keepCheckpoints = keep; return this; }
        /** Continue from the newest checkpoint in the checkpoint directory, if any. */
        public Builder resume(boolean r) { this.resume = r; return this; }

        public MultiTaskTrainer build() {
            if ((train != null ? 1 : 0) + (trainPerTask != null ? 1 : 0) + (source != null ? 1 : 0) + (rounds != null ? 1 : 0) > 1)
                throw new IllegalArgumentException("give only one of train(...), trainPerTask(...), trainingSource(...) or trainingRounds(...)");
            if (train != null && model.isMultiInput()) throw new IllegalArgumentException("the model has one input per task " + model.inputs() + ": use trainPerTask(...)");
            if (trainPerTask != null && trainPerTask.size() != model.numTasks())
                throw new IllegalArgumentException("trainPerTask needs " + model.numTasks() + " iterators " + model.taskNames() + ", got " + trainPerTask.size());
            if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            if (keepCheckpoints < 1) throw new IllegalArgumentException("keep at least 1 checkpoint");
            if (resume && checkpointDir == null) throw new IllegalArgumentException("resume needs a checkpoint directory");
            if (repMtl != null && !repMtl.schedule().isConstant() && source != null)
                throw new IllegalArgumentException("a Rep-MTL schedule that changes over epochs " + repMtl.schedule() + " is applied by the trainer's own "
                        + "steps; trainingSource(...) computes them on other graphs, which would keep epoch 0's values");
            return new MultiTaskTrainer(this);
        }
    }
}
