package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Graph surgery that gives every task its own identity copies of the parameters it reads, so that one gradient
 * execution returns each task's gradient separately: the gradient of copy {@code P^t} is {@code dl_t/dP}.
 *
 * <p>For each root {@code r_t} (a task's loss term), the ops upstream of {@code r_t} that depend differentiably on a
 * chosen parameter are task {@code t}'s region. Walking the tasks in order, an op no earlier task has claimed is
 * claimed and made to read {@code t}'s copies; an op already claimed (the shared encoder, for every task after the
 * first) is cloned, its clone reading {@code t}'s copies and {@code t}'s versions of its other inputs. Ops that
 * do not depend on a parameter (inputs, constants, shapes, random dropout masks) are never cloned, so every
 * replica sees the same masks. With {@code reserveOriginals} no original op is claimed: every task gets clones
 * and the original graph keeps reading the parameters themselves (Rep-MTL's regularizer uses it).
 *
 * <p>A clone is made with SameDiff's own FlatBuffers op copy; dependence stops at non-floating-point variables
 * (shapes, comparisons), which carry no gradient.
 */
public final class TaskReplicas {
    private final List<Map<String, String>> copies;
    private final List<Map<String, String>> renamed;

    private TaskReplicas(List<Map<String, String>> copies, List<Map<String, String>> renamed) {
        this.copies = copies;
        this.renamed = renamed;
    }

    /**
     * Builds the replicas of {@code roots} (one per task, in task order) over {@code parameters}; copies are named
     * {@code prefix + taskIndex + "/" + parameter}.
     */
    public static TaskReplicas build(SameDiff sd, List<String> roots, Collection<String> parameters, String prefix, boolean reserveOriginals) {
        for (String r : roots)
            if (!sd.hasVariable(r)) throw new IllegalArgumentException("replica root '" + r + "' is not a variable of the graph");
        Set<String> params = new HashSet<>(parameters);
        Set<String> dependent = dependentVariables(sd, params);
        List<String> order = topologicalOps(sd);
        Set<String> claimed = new HashSet<>();
        List<Map<String, String>> copies = new ArrayList<>();
        List<Map<String, String>> renamed = new ArrayList<>();
        Map<String, String> parameterOf = new HashMap<>();           // claimed ops read earlier tasks' copies
        for (int t = 0; t < roots.size(); t++) {
            Set<String> upstream = GraphPaths.upstream(sd, List.of(roots.get(t)));
            Map<String, String> copy = new LinkedHashMap<>();
            Map<String, String> subst = new HashMap<>();
            for (String opName : order) {
                SameDiffOp op = sd.getOps().get(opName);
                List<String> outs = GraphPaths.outputsOf(op);
                if (outs.stream().noneMatch(upstream::contains) || outs.stream().noneMatch(dependent::contains)) continue;
                List<String> inputs = new ArrayList<>(GraphPaths.inputsOf(op));
                for (int i = 0; i < inputs.size(); i++) {
                    String v = parameterOf.getOrDefault(inputs.get(i), inputs.get(i));
                    if (params.contains(v)) {
                        String c = copy.computeIfAbsent(v, p -> sd.identity(prefix + copies.size() + "/" + p, sd.getVariable(p)).name());
                        parameterOf.put(c, v);
                        inputs.set(i, c);
                    } else if (subst.containsKey(v)) {
                        inputs.set(i, subst.get(v));
                    }
                }
                if (reserveOriginals || claimed.contains(opName)) {
                    List<String> cloneOuts = cloneOp(sd, op, inputs, prefix + copies.size() + "/");
                    for (int k = 0; k < outs.size(); k++) subst.put(outs.get(k), cloneOuts.get(k));
                } else {
                    claimed.add(opName);
                    List<String> old = GraphPaths.inputsOf(op);
                    for (int i = 0; i < inputs.size(); i++)
                        if (!inputs.get(i).equals(old.get(i))) HeadRewiring.redirect(sd, old.get(i), inputs.get(i), List.of(opName));
                }
            }
            copies.add(copy);
            renamed.add(subst);
        }
        return new TaskReplicas(copies, renamed);
    }

    /** Number of tasks. */
    public int size() { return copies.size(); }

    /** Task {@code t}'s copy of {@code parameter}, or {@code null} when task {@code t} does not read it. */
    public String copy(int t, String parameter) { return copies.get(t).get(parameter); }

    /** Parameter to copy, for task {@code t}. */
    public Map<String, String> copies(int t) { return Map.copyOf(copies.get(t)); }

    /** The name under which task {@code t}'s replica computes {@code variable} (itself when not cloned). */
    public String replicaOf(int t, String variable) { return renamed.get(t).getOrDefault(variable, variable); }

    /** Variables that depend on a parameter through floating-point values. */
    private static Set<String> dependentVariables(SameDiff sd, Set<String> params) {
        Set<String> dep = new HashSet<>();
        Deque<String> queue = new ArrayDeque<>(params);
        while (!queue.isEmpty()) {
            String v = queue.poll();
            if (!dep.add(v)) continue;
            List<String> consumers = sd.getVariables().get(v).getInputsForOp();
            if (consumers == null) continue;
            for (String opName : consumers)
                for (String out : GraphPaths.outputsOf(sd.getOps().get(opName)))
                    if (sd.getVariable(out).dataType().isFPType()) queue.add(out);
        }
        return dep;
    }

    /** All ops, each after the producers of its inputs. */
    private static List<String> topologicalOps(SameDiff sd) {
        Map<String, Integer> pending = new HashMap<>();
        Deque<String> ready = new ArrayDeque<>();
        for (Map.Entry<String, SameDiffOp> e : sd.getOps().entrySet()) {
            int n = 0;
            for (String in : GraphPaths.inputsOf(e.getValue())) if (sd.getVariables().get(in).getOutputOfOp() != null) n++;
            pending.put(e.getKey(), n);
            if (n == 0) ready.add(e.getKey());
        }
        List<String> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String opName = ready.poll();
            order.add(opName);
            for (String out : GraphPaths.outputsOf(sd.getOps().get(opName))) {
                Variable v = sd.getVariables().get(out);
                if (v.getInputsForOp() == null) continue;
                for (String consumer : v.getInputsForOp()) {
                    int left = pending.merge(consumer, -(int) GraphPaths.inputsOf(sd.getOps().get(consumer)).stream().filter(out::equals).count(), Integer::sum);
                    if (left == 0) ready.add(consumer);
                }
            }
        }
        if (order.size() != sd.getOps().size()) throw new IllegalStateException("the graph has a cycle; cannot replicate it");
        return order;
    }

    /** Adds a copy of {@code op} reading {@code inputs}; returns its output names. */
    private static List<String> cloneOp(SameDiff sd, SameDiffOp op, List<String> inputs, String prefix) {
        DifferentialFunction original = op.getOp();
        DifferentialFunction clone = original.dup();
        clone.setSameDiff(sd);
        clone.setOwnName(sd.getOpName(prefix + original.getOwnName()));
        sd.addArgsFor(inputs.toArray(new String[0]), clone);
        SDVariable[] outs = clone.outputVariables(prefix + GraphPaths.outputsOf(op).get(0));
        clone.configureWithSameDiff(sd);
        if (outs.length != GraphPaths.outputsOf(op).size())
            throw new IllegalStateException("copy of op '" + original.getOwnName() + "' has " + outs.length + " outputs, the original "
                    + GraphPaths.outputsOf(op).size());
        List<String> names = new ArrayList<>();
        for (SDVariable v : outs) names.add(v.name());
        return names;
    }
}
