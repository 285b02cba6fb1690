package io.github.repmtl.samediff.regularizer;

import io.github.repmtl.samediff.saliency.GraphPaths;
import io.github.repmtl.samediff.saliency.HeadRewiring;
import io.github.repmtl.samediff.saliency.ShapeProbe;
import io.github.repmtl.samediff.util.QuietConsole;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * APPROXIMATE Rep-MTL gradients for heads outside the exact input-gradient set (any op SameDiff can
 * differentiate once). The saliencies {@code S_t} come from SameDiff's first-order gradients; the
 * regularizer's second-order term {@code d/dtheta <V_t, S_t>} with {@code V_t = dR/dS_t} is a central
 * finite-difference Hessian-vector product with one perturbation per head ({@code Z_t + h_t V_t} feeds only
 * head t, so no cross-task terms enter), {@code h_t = relativeStep * ||Z_t|| / ||V_t||}, and the kinks of
 * ReLU, |x| (L1 losses) and non-overlapping max pooling frozen from the unperturbed pass (without freezing,
 * float32 errors are 0.5 to 18 at every step size). Four graph executions per step (five with task weights
 * other than 1).
 *
 * <p>Measured error against the exact mode (heads with conv + batch norm + ReLU + max/avg pooling + bilinear
 * upsampling, see {@code FiniteDifferenceRepMtlTest}): relative gradient error below 1e-6 in float64
 * (relativeStep 1e-4) and 7.9e-4 in float32 against the float64 exact mode (relativeStep 1e-2; up to 2.2e-3 on other CPUs; 6.3e-3 at 1e-3, where rounding dominates). Prefer {@link RepMtl#attachTo}
 * (exact) whenever the heads allow it.
 */
public final class FiniteDifferenceRepMtl {
    public static final String PREFIX = "repmtl/fd/";
    private static final String WEIGHTS = PREFIX + "task_weights";
    private static final String OBJECTIVE = PREFIX + "objective";
    private static final String FROZEN = PREFIX + "frozen";

    /** Gradients of {@code J} for every requested parameter, with the values that make up {@code J}. */
    public record Step(Map<String, INDArray> gradients, double[] taskLosses, double tsr, double csa, double objective) {}

    private final RepMtl config;
    private final SameDiff sd;
    private final double relativeStep;
    private final List<String> terms = new ArrayList<>();
    private final List<String> inputs = new ArrayList<>();          // Z_t + P_t per task
    private final List<String> perturbations = new ArrayList<>();
    private final HeadRewiring.Frozen frozen;
    private final Map<Long, SameDiff> regularizers = new HashMap<>();
    private final long[] zTail;
    private final List<String> inputPlaceholders = new ArrayList<>();

    private FiniteDifferenceRepMtl(RepMtl config, SameDiff sd, double relativeStep) {
        this.config = config;
        this.sd = sd;
        this.relativeStep = relativeStep;
        DataType dt = sd.getVariable(config.tasks().get(0).loss()).dataType();
        Map<String, long[]> shapes = ShapeProbe.probe(sd, config.tasks().stream().map(RepMtl.Task::shared).distinct().toList(),
                ShapeProbe.PROBE_BATCH, Map.of());
        this.zTail = Arrays.copyOfRange(shapes.get(config.tasks().get(0).shared()), 1, shapes.get(config.tasks().get(0).shared()).length);
        for (RepMtl.Task t : config.tasks()) inputPlaceholders.add(upstreamPlaceholder(t.shared()));
        SDVariable flag = sd.placeHolder(FROZEN, dt);
        SDVariable weights = sd.constant(WEIGHTS, Nd4j.ones(dt, config.tasks().size()));
        SDVariable objective = null;
        List<Set<String>> regions = new ArrayList<>();
        for (int t = 0; t < config.tasks().size(); t++) {
            RepMtl.Task task = config.tasks().get(t);
            Set<String> region = GraphPaths.between(sd, task.shared(), task.loss());
            regions.add(region);
            long[] ph = new long[zTail.length + 1];
            ph[0] = -1;
            System.arraycopy(zTail, 0, ph, 1, zTail.length);
            SDVariable p = sd.placeHolder(PREFIX + "perturbation/" + task.name(), dt, ph);
            SDVariable zt = sd.getVariable(task.shared()).add(PREFIX + "input/" + task.name(), p);
            HeadRewiring.redirect(sd, task.shared(), zt.name(), HeadRewiring.consumersWithin(sd, task.shared(), region));
            perturbations.add(p.name());
            inputs.add(zt.name());
            SDVariable loss = sd.getVariable(task.loss());
            SDVariable term = config.logTransform()
                    ? sd.math.log(PREFIX + "term/" + task.name(), sd.math.max(loss, sd.constant(RepMtl.LOSS_FLOOR).castTo(dt)))
                    : sd.identity(PREFIX + "term/" + task.name(), loss);
            terms.add(term.name());
            SDVariable wl = term.mul(weights.get(SDIndex.point(t)));
            objective = objective == null ? wl : objective.add(wl);
        }
        sd.identity(OBJECTIVE, objective);
        this.frozen = HeadRewiring.freezeMasks(sd, regions, flag);
        sd.setLossVariables(OBJECTIVE);
        QuietConsole.run(sd::createGradFunction);
    }

    /**
     * Prepares {@code sd} for approximate Rep-MTL training (adds perturbation placeholders in front of every head and
     * mask switches for ReLU and max pooling, and makes {@code repmtl/fd/objective} the loss variable).
     *
     * @param relativeStep finite-difference step relative to {@code ||Z|| / ||V||}: about 1e-4 for float64, 1e-2 for float32
     */
    public static FiniteDifferenceRepMtl attachTo(RepMtl config, SameDiff sd, double relativeStep) {
        if (!(relativeStep > 0)) throw new IllegalArgumentException("relativeStep must be > 0, got " + relativeStep);
        if (!config.schedule().isConstant())
            throw new IllegalArgumentException("the finite-difference mode builds lambda_tsr, lambda_csa and tau into its graph: a schedule that changes "
                    + config.schedule() + " is not supported");
        return new FiniteDifferenceRepMtl(config, sd, relativeStep);
    }

    /** Approximate {@code dJ/dparam} of {@code J = sum_t w_t l_t + lambda_tsr L_tsr + lambda_csa L_csa} on one batch. */
    public Step gradients(Map<String, INDArray> batch, List<String> params, double[] weights) {
        int tasks = config.tasks().size();
        if (weights.length != tasks) throw new IllegalArgumentException("expected " + tasks + " task weights, got " + weights.length);
        Map<String, INDArray> feed = new HashMap<>(batch);
        DataType dt = sd.getVariable(OBJECTIVE).dataType();
        feed.put(FROZEN, Nd4j.scalar(dt, 0.0));
        long[] batchSizes = new long[tasks];
        for (int t = 0; t < tasks; t++) {
            long b = batchSize(feed, t);
            batchSizes[t] = b;
            feed.put(perturbations.get(t), Nd4j.zeros(dt, withBatch(b)));
        }
        frozen.feedPlaceholders(feed, null, dt);
        // pass 1: saliencies S_t = dl_t/dZ_t, task values, mask sources, Z_t
        List<String> outputs = new ArrayList<>(terms);
        config.tasks().forEach(t -> outputs.add(t.loss()));
        config.tasks().forEach(t -> outputs.add(t.shared()));
        outputs.addAll(frozen.sources());
        List<String> wrt = new ArrayList<>(params);
        wrt.addAll(inputs);
        setWeights(ones(tasks));
        var first = sd.calculateGradientsAndOutputs(feed, outputs, wrt);
        Map<String, INDArray> out = first.getOutputs();
        double[] losses = new double[tasks];
        for (int t = 0; t < tasks; t++) {
            losses[t] = out.get(config.tasks().get(t).loss()).getDouble(0);
            if (!Double.isFinite(losses[t])) throw new IllegalStateException("loss of task '" + config.tasks().get(t).name() + "' is " + losses[t]);
        }
        Map<String, INDArray> taskGrads = first.getGradients();
        if (!Arrays.equals(weights, ones(tasks))) {
            setWeights(weights);
            taskGrads = sd.calculateGradientsAndOutputs(feed, outputs, params).getGradients();
        }
        List<INDArray> saliency = new ArrayList<>();
        for (String in : inputs) saliency.add(first.getGradients().get(in));

        // regularizer value and V_t = dR/dS_t on a small graph of the saliencies
        long common = Arrays.stream(batchSizes).min().orElseThrow();
        SameDiff reg = regularizer(common, dt);
        for (int t = 0; t < tasks; t++)
            reg.getVariable("S" + t).getArr().assign(saliency.get(t).get(NDArrayIndex.interval(0, common)).reshape(flatShape(common)));
        Map<String, INDArray> regOut = reg.output(Map.of(), "tsr", "csa", "R");
        String[] sNames = new String[tasks];
        for (int t = 0; t < tasks; t++) sNames[t] = "S" + t;
        Map<String, INDArray> v = QuietConsole.call(() -> reg.calculateGradients(Map.of(), sNames));

        // passes 2 and 3: central differences of the weighted task objectives along +/- h_t V_t, masks frozen
        double[] scale = new double[tasks];
        Map<String, INDArray> plus = new HashMap<>(feed), minus = new HashMap<>(feed);
        for (int t = 0; t < tasks; t++) {
            INDArray vt = Nd4j.zeros(dt, withBatch(batchSizes[t]));
            vt.get(NDArrayIndex.interval(0, common)).assign(v.get("S" + t).reshape(withBatch(common)));
            double vNorm = vt.norm2Number().doubleValue(), zNorm = out.get(config.tasks().get(t).shared()).norm2Number().doubleValue();
            double h = vNorm == 0 ? 0 : relativeStep * Math.max(zNorm, 1e-12) / vNorm;
            scale[t] = h == 0 ? 0 : 1 / (2 * h);
            plus.put(perturbations.get(t), vt.mul(h));
            minus.put(perturbations.get(t), vt.mul(-h));
        }
        for (Map<String, INDArray> f : List.of(plus, minus)) {
            f.put(FROZEN, Nd4j.scalar(dt, 1.0));
            frozen.feedPlaceholders(f, out, dt);
        }
        setWeights(scale);
        Map<String, INDArray> gPlus = sd.calculateGradientsAndOutputs(plus, List.of(OBJECTIVE), params).getGradients();
        Map<String, INDArray> gMinus = sd.calculateGradientsAndOutputs(minus, List.of(OBJECTIVE), params).getGradients();
        setWeights(weights);
        Map<String, INDArray> grads = new LinkedHashMap<>();
        for (String p : params) grads.put(p, taskGrads.get(p).add(gPlus.get(p).sub(gMinus.get(p))));
        double objective = regOut.get("R").getDouble(0);
        for (int t = 0; t < tasks; t++) objective += weights[t] * out.get(terms.get(t)).getDouble(0);
        return new Step(grads, losses, regOut.get("tsr").getDouble(0), regOut.get("csa").getDouble(0), objective);
    }

    private SameDiff regularizer(long batch, DataType dt) {
        return regularizers.computeIfAbsent(batch, b -> {
            SameDiff r = SameDiff.create();
            List<SDVariable> s = new ArrayList<>();
            for (int t = 0; t < config.tasks().size(); t++) s.add(r.var("S" + t, Nd4j.zeros(dt, flatShape(b))));
            long positions = zTail.length == 3 ? zTail[1] * zTail[2] : 1;
            SDVariable tsr = TaskSaliencyRegulation.build(r, "tsr", s);
            SDVariable csa = CrossTaskSaliencyAlignment.build(r, "csa", s, zTail[0], positions, config.tau(), config.csaVariant());
            r.identity("R", tsr.mul(config.lambdaTsr()).add(csa.mul(config.lambdaCsa())));
            r.setLossVariables("R");
            return r;
        });
    }

    private long[] flatShape(long batch) {
        long positions = zTail.length == 3 ? zTail[1] * zTail[2] : 1;
        return new long[]{batch, zTail[0], positions};
    }

    private long[] withBatch(long batch) {
        long[] s = new long[zTail.length + 1];
        s[0] = batch;
        System.arraycopy(zTail, 0, s, 1, zTail.length);
        return s;
    }

    private long batchSize(Map<String, INDArray> feed, int task) {
        INDArray x = feed.get(inputPlaceholders.get(task));
        if (x == null) throw new IllegalArgumentException("no value for placeholder '" + inputPlaceholders.get(task) + "' (input of task '"
                + config.tasks().get(task).name() + "')");
        return x.size(0);
    }

    /** The first placeholder the shared activation depends on: its batch size is the task's batch size. */
    private String upstreamPlaceholder(String variable) {
        java.util.Deque<String> queue = new java.util.ArrayDeque<>(List.of(variable));
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!queue.isEmpty()) {
            String v = queue.poll();
            if (!seen.add(v)) continue;
            if (sd.getVariable(v).getVariableType() == org.nd4j.autodiff.samediff.VariableType.PLACEHOLDER) return v;
            String op = sd.getVariables().get(v).getOutputOfOp();
            if (op != null) queue.addAll(sd.getOps().get(op).getInputsToOp());
        }
        throw new IllegalArgumentException("shared activation '" + variable + "' does not depend on any placeholder");
    }

    private void setWeights(double[] w) { sd.getVariable(WEIGHTS).getArr().assign(Nd4j.createFromArray(w)); }

    private static double[] ones(int n) {
        double[] o = new double[n];
        Arrays.fill(o, 1.0);
        return o;
    }
}
