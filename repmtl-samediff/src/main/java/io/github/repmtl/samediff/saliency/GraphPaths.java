package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reachability questions about a SameDiff graph: which variables lie between two variables, or upstream of some. */
public final class GraphPaths {
    private GraphPaths() {}

    /** Variables on a path from {@code from} to {@code to}, both included; fails when {@code to} does not depend on {@code from}. */
    public static Set<String> between(SameDiff sd, String from, String to) {
        Set<String> forward = new HashSet<>();
        Deque<String> queue = new ArrayDeque<>(List.of(from));
        while (!queue.isEmpty()) {
            String v = queue.poll();
            if (!forward.add(v)) continue;
            List<String> consumers = sd.getVariables().get(v).getInputsForOp();
            if (consumers == null) continue;
            for (String op : consumers) queue.addAll(outputsOf(sd.getOps().get(op)));
        }
        if (!forward.contains(to))
            throw new IllegalArgumentException("'" + to + "' does not depend on '" + from + "'");
        Set<String> result = new HashSet<>();
        queue.add(to);
        while (!queue.isEmpty()) {
            String v = queue.poll();
            if (!forward.contains(v) || !result.add(v)) continue;
            String producer = sd.getVariables().get(v).getOutputOfOp();
            if (producer != null && !v.equals(from)) queue.addAll(inputsOf(sd.getOps().get(producer)));
        }
        return result;
    }

    /** Variables (parameters included) that the given variables depend on, themselves included. */
    public static Set<String> upstream(SameDiff sd, java.util.Collection<String> roots) {
        Set<String> seen = new HashSet<>();
        Deque<String> queue = new ArrayDeque<>(roots);
        while (!queue.isEmpty()) {
            String v = queue.poll();
            if (!seen.add(v)) continue;
            String op = sd.getVariables().get(v).getOutputOfOp();
            if (op != null) queue.addAll(inputsOf(sd.getOps().get(op)));
        }
        return seen;
    }

    static List<String> inputsOf(SameDiffOp op) {
        return op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
    }

    static List<String> outputsOf(SameDiffOp op) {
        return op.getOutputsOfOp() == null ? List.of() : op.getOutputsOfOp();
    }
}
