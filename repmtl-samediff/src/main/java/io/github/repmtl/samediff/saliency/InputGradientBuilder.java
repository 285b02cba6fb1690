package io.github.repmtl.samediff.saliency;

import io.github.repmtl.samediff.loss.ClosedFormGradients;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Emits the input gradient {@code d loss / d wrt} of a scalar loss into the same graph, written with forward
 * ops only (reverse-mode differentiation op by op, with the rules of {@link VjpRules}).
 *
 * <p>SameDiff 1.0.0-M2.1 cannot differentiate its own gradient ops, so {@code sd.grad(...)} cannot be used
 * inside an objective. A gradient emitted by this builder is an ordinary sub-graph: SameDiff's first-order
 * autodiff of any function of it is the exact second-order gradient. Used for Rep-MTL's task saliencies
 * {@code S_t = dl_t/dZ}. An op on a path from {@code wrt} to the loss without a rule raises
 * {@link UnsupportedHeadOpException} naming the op and the variables around it.
 */
public final class InputGradientBuilder {
    /** One requested gradient: {@code d loss / d wrt}. */
    public record Request(String loss, String wrt) {}

    private final SameDiff sd;
    private final Map<String, long[]> probeShapes = new HashMap<>();
    private int probeBatch = ShapeProbe.PROBE_BATCH;
    private Map<String, long[]> probedShapes = Map.of();

    public InputGradientBuilder(SameDiff sd) { this.sd = sd; }

    /** Shape used for a placeholder when probing shapes (only needed when it has unknown non-batch dimensions). */
    public InputGradientBuilder probeShape(String placeholder, long... shape) {
        probeShapes.put(placeholder, shape.clone());
        return this;
    }

    /**
     * Batch size used for the shape probe (default {@link ShapeProbe#PROBE_BATCH}); set it when variables or
     * constants of the graph carry a fixed batch dimension.
     */
    public InputGradientBuilder probeBatch(int batch) {
        this.probeBatch = batch;
        return this;
    }

    /** Emits every requested gradient; the result is keyed by request, in request order. */
    public Map<Request, SDVariable> build(List<Request> requests) {
        Map<Request, Set<String>> relevant = new LinkedHashMap<>();
        Set<String> all = new HashSet<>();
        for (Request r : requests) {
            Set<String> vars = between(r.wrt(), r.loss());
            relevant.put(r, vars);
            for (String v : vars) {                      // rules also need the shapes of the ops' other operands
                all.add(v);
                String producer = sd.getVariables().get(v).getOutputOfOp();
                if (producer != null) all.addAll(inputsOf(sd.getOps().get(producer)));
            }
        }
        for (Request r : requests) all.add(r.wrt());
        ShapeProbe.Facts facts = ShapeProbe.facts(sd, all, probeBatch, probeShapes);
        probedShapes = Map.copyOf(facts.shapes());
        Map<Request, SDVariable> out = new LinkedHashMap<>();
        for (Request r : requests) out.put(r, emit(r, new java.util.HashSet<>(relevant.get(r)), facts));
        return out;
    }

    /** Shapes observed by the probe of the last {@link #build} (batch dimension = the probe batch). */
    public Map<String, long[]> probedShapes() { return probedShapes; }

    private Set<String> between(String from, String to) {
        requireVariable(from, "shared activation");
        requireVariable(to, "loss");
        try {
            return GraphPaths.between(sd, from, to);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("loss '" + to + "' does not depend on the shared activation '" + from + "'");
        }
    }

    private SDVariable emit(Request r, Set<String> relevant, ShapeProbe.Facts facts) {
        SDVariable loss = sd.getVariable(r.loss());
        long[] lossShape = facts.shapes().get(r.loss());
        long size = 1;
        for (long d : lossShape) size *= d;
        if (size != 1) throw new IllegalArgumentException("loss '" + r.loss() + "' must be a scalar, its shape is " + java.util.Arrays.toString(lossShape));
        Map<String, SDVariable> grads = new HashMap<>();
        grads.put(r.loss(), sd.constant(Nd4j.ones(loss.dataType(), lossShape)));   // the loss's shape has no batch dimension
        Map<String, ClosedFormGradients.Entry> fused = fuseKnownLosses(relevant);
        List<SameDiffOp> ops = new ArrayList<>(sd.getOps().values());
        for (int k = ops.size() - 1; k >= 0; k--) {
            SameDiffOp sdo = ops.get(k);
            List<String> outs = outputsOf(sdo);
            if (outs.stream().noneMatch(relevant::contains)) continue;
            List<String> ins = inputsOf(sdo);
            boolean[] needed = new boolean[ins.size()];
            boolean any = false;
            for (int i = 0; i < ins.size(); i++) {
                String in = ins.get(i);
                needed[i] = relevant.contains(in) && sd.getVariable(in).dataType().isFPType() && !in.equals(r.loss());
                any |= needed[i];
            }
            SDVariable[] gOut = new SDVariable[outs.size()];
            boolean hasGrad = false;
            for (int i = 0; i < outs.size(); i++) {
                gOut[i] = grads.get(outs.get(i));
                hasGrad |= gOut[i] != null;
            }
            ClosedFormGradients.Entry closed = outs.size() == 1 ? fused.get(outs.get(0)) : null;
            if (closed != null) {
                if (gOut[0] != null) grads.merge(closed.prediction(), closed.gradient().apply(gOut[0]), SDVariable::add);
                continue;
            }
            if (!any || !hasGrad) continue;
            DifferentialFunction op = sdo.getOp();
            VjpRule rule = VjpRules.rule(op.opName());
            if (rule == null) {
                throw new UnsupportedHeadOpException(op.opName(), "op '" + op.opName() + "' (" + op.getClass().getSimpleName() + ", inputs "
                        + ins + " -> outputs " + outs + ") lies between the shared activation '" + r.wrt() + "' and the loss '" + r.loss()
                        + "' and has no exact input-gradient rule. Supported ops: " + VjpRules.supportedOps());
            }
            SDVariable[] inVars = ins.stream().map(sd::getVariable).toArray(SDVariable[]::new);
            SDVariable[] outVars = outs.stream().map(sd::getVariable).toArray(SDVariable[]::new);
            SDVariable[] gIn = rule.apply(new VjpContext(sd, op, inVars, outVars, gOut, needed, facts));
            for (int i = 0; i < ins.size(); i++) {
                if (!needed[i] || i >= gIn.length || gIn[i] == null) continue;
                grads.merge(ins.get(i), gIn[i], SDVariable::add);
            }
        }
        SDVariable g = grads.get(r.wrt());
        SDVariable wrt = sd.getVariable(r.wrt());
        if (g == null) return sd.zerosLike(wrt);
        return g.dataType() == wrt.dataType() ? g : g.castTo(wrt.dataType());
    }

    /**
     * Losses on the path with a registered closed-form gradient whose target does not depend on {@code wrt}: their
     * internal variables leave the relevant set (modified in place) and the loss is differentiated in one step.
     */
    private Map<String, ClosedFormGradients.Entry> fuseKnownLosses(Set<String> relevant) {
        Map<String, ClosedFormGradients.Entry> fused = new HashMap<>();
        for (String v : List.copyOf(relevant)) {
            ClosedFormGradients.lookup(sd, v).ifPresent(e -> {
                if (!relevant.contains(e.prediction()) || (e.target() != null && relevant.contains(e.target()))) return;
                Set<String> internal = new java.util.HashSet<>(GraphPaths.between(sd, e.prediction(), v));
                internal.remove(e.prediction());
                internal.remove(v);
                relevant.removeAll(internal);
                fused.put(v, e);
            });
        }
        return fused;
    }

    private void requireVariable(String name, String what) {
        if (name == null || !sd.hasVariable(name)) throw new IllegalArgumentException("unknown " + what + " variable '" + name + "'");
    }

    private static List<String> inputsOf(SameDiffOp op) { return GraphPaths.inputsOf(op); }

    private static List<String> outputsOf(SameDiffOp op) { return GraphPaths.outputsOf(op); }
}
