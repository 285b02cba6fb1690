package io.github.repmtl.samediff.regularizer;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskBinding;
import io.github.repmtl.samediff.saliency.InputGradientBuilder;
import io.github.repmtl.samediff.util.FastGraphOps;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Rep-MTL (Wang, Li, Xu, ICCV 2025), exactly as {@code shared/spec/REP-MTL.md} defines it: the objective
 * {@code J = sum_t w_t l_t + lambda_tsr L_tsr + lambda_csa L_csa}, where the saliencies
 * {@code S_t = dl_t/dZ} are emitted into the graph with forward ops ({@link InputGradientBuilder}), so that
 * SameDiff's first-order gradient of {@code J} is the exact second-order Rep-MTL gradient, flowing through
 * the saliencies into head and encoder weights.
 *
 * <pre>{@code
 * RepMtlGraph g = RepMtl.builder().sharedActivation("Z")
 *         .task("seg", "loss_seg").task("depth", "loss_depth")
 *         .lambdaTsr(0.9).lambdaCsa(0.9).tau(0.5).csaVariant(CsaVariant.PAPER).logTransform(true)
 *         .build().attachTo(sd);
 * sd.fit(iterator, epochs);   // optimises repmtl/objective
 * }</pre>
 *
 * In multi-input mode each task names its own shared activation {@code Z_t}; saliencies are aligned by batch
 * position and truncated to the smallest task batch for TSR and CSA.
 */
public final class RepMtl implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Floor under {@code L_t} before the log transform, so a zero loss gives a finite term and gradient. */
    public static final double LOSS_FLOOR = 1e-30;

    /** One task: its name, scalar loss variable and the shared activation its head reads. */
    public record Task(String name, String loss, String shared) implements java.io.Serializable {}

    private final List<Task> tasks;
    private final RepMtlSchedule schedule;
    private final CsaVariant csaVariant;
    private final boolean logTransform;
    private final Map<String, long[]> probeShapes;
    private final int probeBatch;

    private RepMtl(Builder b, List<Task> tasks) {
        this.tasks = List.copyOf(tasks);
        this.schedule = b.schedule != null ? b.schedule : RepMtlSchedule.constant(b.lambdaTsr, b.lambdaCsa, b.tau);
        this.csaVariant = b.csaVariant;
        this.logTransform = b.logTransform;
        this.probeShapes = Map.copyOf(b.probeShapes);
        this.probeBatch = b.probeBatch;
    }

    public static Builder builder() { return new Builder(); }

    /** A builder preset with the tasks, losses and shared activations of a multi-task model. */
    public static Builder builder(MultiTaskModel model) {
        Builder b = new Builder();
        for (TaskBinding t : model.tasks()) b.task(t.name(), t.loss(), t.shared());
        return b;
    }

    public List<Task> tasks() { return tasks; }
    public List<String> taskNames() { return tasks.stream().map(Task::name).toList(); }
    /** {@code lambda_tsr} of epoch 0 (of every epoch without a schedule). */
    public double lambdaTsr() { return schedule.segments().get(0).lambdaTsr(); }
    /** {@code lambda_csa} of epoch 0 (of every epoch without a schedule). */
    public double lambdaCsa() { return schedule.segments().get(0).lambdaCsa(); }
    /** {@code tau} of epoch 0 (of every epoch without a schedule). */
    public double tau() { return schedule.segments().get(0).tau(); }
    /** The hyperparameters by epoch ({@link RepMtlSchedule#constant} without {@link Builder#schedule}). */
    public RepMtlSchedule schedule() { return schedule; }
    public CsaVariant csaVariant() { return csaVariant; }
    public boolean logTransform() { return logTransform; }

    /** True when tasks read different shared activations (multi-input / domain-shift mode). */
    public boolean isMultiInput() { return tasks.stream().map(Task::shared).distinct().count() > 1; }

    /**
     * Adds saliencies, TSR, CSA and the objective to {@code sd} and makes {@code repmtl/objective} its loss
     * variable. The graph's forward pass runs once on zero placeholders (batch 2) to learn shapes.
     */
    public RepMtlGraph attachTo(SameDiff sd) { return attachTo(sd, RegularizerPlacement.GRAPH); }

    /**
     * Like {@link #attachTo(SameDiff)}, computing the regularizer where {@code placement} says; with
     * {@link RegularizerPlacement#HOST} a {@link HostRegularizer} is added to the graph's listeners.
     */
    public RepMtlGraph attachTo(SameDiff sd, RegularizerPlacement placement) {
        if (placement == null) throw new IllegalArgumentException("placement is null");
        for (Task t : tasks) {
            require(sd, t.loss(), "loss of task '" + t.name() + "'");
            require(sd, t.shared(), "shared activation of task '" + t.name() + "'");
        }
        if (sd.hasVariable(RepMtlGraph.OBJECTIVE)) throw new IllegalStateException("Rep-MTL is already attached to this graph");
        if (placement == RegularizerPlacement.GRAPH && !schedule.isConstant())
            throw new IllegalArgumentException("a Rep-MTL schedule that changes over epochs " + schedule + " needs RegularizerPlacement.HOST: "
                    + "the GRAPH placement builds lambda_tsr, lambda_csa and tau into the graph's ops");
        DataType dt = sd.getVariable(tasks.get(0).loss()).dataType();
        if (!dt.isFPType()) throw new IllegalArgumentException("loss of task '" + tasks.get(0).name() + "' is not floating point: " + dt);

        List<SDVariable> terms = new ArrayList<>();
        for (Task t : tasks) {
            SDVariable loss = sd.getVariable(t.loss());
            SDVariable term = logTransform
                    ? sd.math.log(RepMtlGraph.term(t.name()), sd.math.max(loss, FastGraphOps.scalar(sd, LOSS_FLOOR, dt)))
                    : sd.identity(RepMtlGraph.term(t.name()), loss);
            terms.add(term);
        }

        InputGradientBuilder grads = new InputGradientBuilder(sd).probeBatch(probeBatch);
        probeShapes.forEach(grads::probeShape);
        List<InputGradientBuilder.Request> requests = new ArrayList<>();
        for (Task t : tasks) requests.add(new InputGradientBuilder.Request(RepMtlGraph.term(t.name()), t.shared()));
        Map<InputGradientBuilder.Request, SDVariable> emitted = grads.build(requests);
        Map<String, long[]> shapes = grads.probedShapes();

        long[] zShape = shapes.get(tasks.get(0).shared());
        for (Task t : tasks) {
            long[] s = shapes.get(t.shared());
            if (s.length < 2 || s.length > 4 || s.length == 3)
                throw new IllegalArgumentException("shared activation '" + t.shared() + "' must be [B, C] or [B, C, H, W], got rank " + s.length);
            if (!Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(zShape, 1, zShape.length)))
                throw new IllegalArgumentException("shared activations differ in shape: '" + tasks.get(0).shared() + "' "
                        + Arrays.toString(zShape) + " vs '" + t.shared() + "' " + Arrays.toString(s) + " (batch dimension aside)");
        }
        long channels = zShape[1];
        long positions = zShape.length == 4 ? zShape[2] * zShape[3] : 1;

        List<SDVariable> saliencies = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            SDVariable s = sd.identity(RepMtlGraph.saliency(tasks.get(i).name()), emitted.get(requests.get(i)));
            saliencies.add(s);
        }
        List<SDVariable> aligned = isMultiInput() ? truncateToCommonBatch(sd, saliencies) : saliencies;
        int count = tasks.size();
        SDVariable stacked = sd.reshape(RepMtlGraph.SALIENCIES, sd.stack(1, aligned.toArray(new SDVariable[0])), -1, count, channels, positions);   // [B, T, C, N]

        SDVariable regularizer;
        HostRegularizer host = null;
        if (placement == RegularizerPlacement.GRAPH) {
            double lambdaTsr = lambdaTsr(), lambdaCsa = lambdaCsa(), tau = tau();
            SDVariable tsr = TaskSaliencyRegulation.build(sd, RepMtlGraph.TSR, stacked, count);
            SDVariable csa = CrossTaskSaliencyAlignment.build(sd, RepMtlGraph.CSA, stacked, count, channels, positions, tau, csaVariant);
            regularizer = tsr.mul(lambdaTsr).add(RepMtlGraph.REGULARIZER, csa.mul(lambdaCsa));
        } else {
            sd.constant(RepMtlGraph.TSR, Nd4j.scalar(dt, Double.NaN));
            sd.constant(RepMtlGraph.CSA, Nd4j.scalar(dt, Double.NaN));
            SDVariable gradient = sd.constant(RepMtlGraph.REGULARIZER_GRADIENT, Nd4j.valueArrayOf(new long[]{1, count, channels, positions}, Double.NaN, dt));
            SDVariable offset = sd.constant(RepMtlGraph.REGULARIZER_OFFSET, Nd4j.scalar(dt, Double.NaN));
            regularizer = stacked.mul(gradient).sum().add(RepMtlGraph.REGULARIZER, offset);
            host = new HostRegularizer(this);
            sd.addListeners(host);
        }

        SDVariable weights = sd.constant(RepMtlGraph.TASK_WEIGHTS, Nd4j.ones(dt, count));
        SDVariable taskObjective = sd.stack(0, terms.toArray(new SDVariable[0])).mul(weights).sum(RepMtlGraph.TASK_OBJECTIVE);
        SDVariable objective = taskObjective.add(RepMtlGraph.OBJECTIVE, regularizer);
        sd.setLossVariables(objective.name());
        return new RepMtlGraph(sd, this, placement, host);
    }

    /** Convenience for {@code builder(model)...build().attachTo(model.sameDiff())} with this configuration. */
    public RepMtlGraph attachTo(MultiTaskModel model) { return attachTo(model.sameDiff()); }

    /** Keeps the first {@code min_t B_t} samples of every saliency (multi-input mode, spec [choice]). */
    private static List<SDVariable> truncateToCommonBatch(SameDiff sd, List<SDVariable> saliencies) {
        SDVariable common = null;
        for (SDVariable s : saliencies) {
            SDVariable b = sd.shape(s).get(SDIndex.interval(0, 1));               // [1]
            common = common == null ? b : sd.math.min(common, b);
        }
        SDVariable begin = sd.constant(Nd4j.createFromArray(0L));
        SDVariable stride = sd.constant(Nd4j.createFromArray(1L));
        List<SDVariable> out = new ArrayList<>();
        for (SDVariable s : saliencies) out.add(sd.stridedSlice(s, begin, common, stride, 0, 0, 0, 0, 0));
        return out;
    }

    private static void require(SameDiff sd, String name, String what) {
        if (name == null || !sd.hasVariable(name)) throw new IllegalArgumentException("unknown variable '" + name + "' given as " + what);
    }

    /** The configuration with its whole schedule (as {@link #describeEpochs} of all epochs). */
    @Override
    public String toString() { return describe(schedule.canonical()); }

    /**
     * The configuration as far as epochs {@code 0..lastEpoch} used it: the schedule restricted to those epochs. A run
     * whose epochs so far had constant values reads exactly like a run without a schedule, so a checkpoint written at
     * epoch {@code e} fits every configuration whose schedule agrees with it up to {@code e} (what resume compares).
     */
    public String describeEpochs(int lastEpoch) { return describe(schedule.upTo(lastEpoch)); }

    private String describe(RepMtlSchedule s) {
        RepMtlSchedule.Segment first = s.segments().get(0);
        String values = s.segments().size() == 1
                ? "lambdaTsr=" + first.lambdaTsr() + ", lambdaCsa=" + first.lambdaCsa() + ", tau=" + first.tau()
                : "schedule=" + s;
        return "{tasks=" + taskNames() + ", " + values + ", csaVariant=" + csaVariant + ", logTransform=" + logTransform + "}";
    }

    /** Builder with the spec's defaults: lambdas 0.9, tau 0.5, variant PAPER, log transform on. */
    public static final class Builder {
        private final Map<String, String[]> tasks = new LinkedHashMap<>();
        private String sharedActivation;
        private double lambdaTsr = 0.9, lambdaCsa = 0.9, tau = 0.5;
        private boolean valuesSet;
        private RepMtlSchedule schedule;
        private CsaVariant csaVariant = CsaVariant.PAPER;
        private boolean logTransform = true;
        private final Map<String, long[]> probeShapes = new HashMap<>();
        private int probeBatch = 2;

        private Builder() {}

        /** The shared activation {@code Z} read by every task that does not name its own. */
        public Builder sharedActivation(String z) { this.sharedActivation = z; return this; }

        public Builder task(String name, String lossVariable) { return task(name, lossVariable, null); }

        /** A task whose head reads its own shared activation {@code Z_t} (multi-input mode). */
        public Builder task(String name, String lossVariable, String sharedActivation) {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("task name is missing");
            if (tasks.containsKey(name)) throw new IllegalArgumentException("task '" + name + "' declared twice");
            tasks.put(name, new String[]{lossVariable, sharedActivation});
            return this;
        }

        public Builder lambdaTsr(double v) { this.lambdaTsr = v; this.valuesSet = true; return this; }
        public Builder lambdaCsa(double v) { this.lambdaCsa = v; this.valuesSet = true; return this; }
        public Builder tau(double v) { this.tau = v; this.valuesSet = true; return this; }

        /**
         * {@code lambda_tsr}, {@code lambda_csa} and {@code tau} by epoch instead of constants (exclusive with
         * {@link #lambdaTsr}, {@link #lambdaCsa}, {@link #tau}). A schedule that changes needs
         * {@link RegularizerPlacement#HOST}; the trainer applies each epoch's values to all of its steps.
         */
        public Builder schedule(RepMtlSchedule s) {
            if (s == null) throw new IllegalArgumentException("schedule is null");
            this.schedule = s;
            return this;
        }
        public Builder csaVariant(CsaVariant v) { this.csaVariant = v; return this; }
        public Builder logTransform(boolean v) { this.logTransform = v; return this; }

        /** Shape for a placeholder with unknown non-batch dimensions, used only to probe shapes. */
        public Builder probeShape(String placeholder, long... shape) { probeShapes.put(placeholder, shape.clone()); return this; }

        /** Batch size for the shape probe (when variables of the graph carry a fixed batch dimension). */
        public Builder probeBatch(int batch) { this.probeBatch = batch; return this; }

        public RepMtl build() {
            if (tasks.size() < 2) throw new IllegalArgumentException("Rep-MTL needs at least 2 tasks, got " + tasks.size() + " " + tasks.keySet());
            if (schedule != null && valuesSet)
                throw new IllegalArgumentException("give either lambdaTsr/lambdaCsa/tau or a schedule, not both (the schedule holds all three by epoch)");
            if (schedule == null) {
                check("lambdaTsr", lambdaTsr);
                check("lambdaCsa", lambdaCsa);
                if (!(tau > 0) || !Double.isFinite(tau)) throw new IllegalArgumentException("tau must be finite and > 0, got " + tau);
            }
            if (csaVariant == null) throw new IllegalArgumentException("csaVariant is null");
            if (probeBatch < 2) throw new IllegalArgumentException("probeBatch must be >= 2, got " + probeBatch);
            List<Task> list = new ArrayList<>();
            for (Map.Entry<String, String[]> e : tasks.entrySet()) {
                String shared = e.getValue()[1] != null ? e.getValue()[1] : sharedActivation;
                if (shared == null) throw new IllegalArgumentException("task '" + e.getKey() + "' has no shared activation: call sharedActivation(...) or name it in task(...)");
                if (e.getValue()[0] == null) throw new IllegalArgumentException("task '" + e.getKey() + "' has no loss variable");
                list.add(new Task(e.getKey(), e.getValue()[0], shared));
            }
            if (new LinkedHashSet<>(list.stream().map(Task::loss).toList()).size() != list.size())
                throw new IllegalArgumentException("two tasks share a loss variable: " + list);
            return new RepMtl(this, list);
        }

        private static void check(String what, double v) {
            if (!(v >= 0) || !Double.isFinite(v)) throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
        }
    }
}
