package io.github.repmtl.onnx;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The few graph edits an import needs, on SameDiff's public maps: replacing what computes a variable, dropping what
 * no kept variable depends on, and a FlatBuffers round trip that rebuilds the graph's bookkeeping.
 */
final class GraphSurgery {
    private GraphSurgery() {}

    /**
     * Makes {@code name} the output of {@code replacement(sd)}: the old variable is renamed {@code name + "/imported"}
     * (and left for {@link #keepOnly} to drop), the replacement is built and named {@code name} through an identity,
     * and every op that read the old variable reads the new one.
     */
    static void replace(SameDiff sd, String name, Function<SameDiff, SDVariable> replacement) {
        String old = name + "/imported";
        sd.renameVariable(name, old);
        SDVariable built = replacement.apply(sd);
        SDVariable renamed = sd.identity(name, built);
        List<String> consumers = sd.getVariables().get(old).getInputsForOp();
        for (String opName : consumers == null ? List.<String>of() : List.copyOf(consumers)) {
            SameDiffOp op = sd.getOps().get(opName);
            if (op == null) continue;
            List<String> inputs = op.getInputsToOp();
            for (int i = 0; i < inputs.size(); i++)
                if (inputs.get(i).equals(old)) sd.replaceArgFor(i, renamed, op.getOp());
        }
    }

    /**
     * Removes every op and every array variable that none of {@code keep} depends on (placeholders stay, and
     * constants or variables stay when a kept op reads them).
     */
    static void keepOnly(SameDiff sd, Collection<String> keep) {
        Set<String> neededOps = new HashSet<>(), neededVars = new HashSet<>();
        Deque<String> queue = new ArrayDeque<>(keep);
        while (!queue.isEmpty()) {
            String v = queue.poll();
            if (!neededVars.add(v)) continue;
            Variable var = sd.getVariables().get(v);
            if (var == null) throw new OnnxImportException("no variable named '" + v + "' in the imported graph");
            String op = var.getOutputOfOp();
            if (op != null && neededOps.add(op)) {
                SameDiffOp o = sd.getOps().get(op);
                if (o.getInputsToOp() != null) queue.addAll(o.getInputsToOp());
            }
        }
        for (String op : neededOps) neededVars.addAll(sd.getOps().get(op).getOutputsOfOp());     // every output of a kept op
        for (String op : List.copyOf(sd.getOps().keySet())) if (!neededOps.contains(op)) sd.getOps().remove(op);
        for (String v : List.copyOf(sd.getVariables().keySet())) {
            Variable var = sd.getVariables().get(v);
            if (!neededVars.contains(v) && var.getVariable().getVariableType() != VariableType.PLACEHOLDER) sd.getVariables().remove(v);
        }
        for (Variable var : sd.getVariables().values()) {
            if (var.getInputsForOp() != null) var.setInputsForOp(new ArrayList<>(var.getInputsForOp().stream().filter(neededOps::contains).distinct().toList()));
            if (var.getOutputOfOp() != null && !neededOps.contains(var.getOutputOfOp())) var.setOutputOfOp(null);
        }
    }

    /**
     * Puts the ops in a topological order (stable: an op keeps its place unless an input comes later). Replacements
     * are appended after the ops that read them, and walks over {@code sd.getOps()} in reverse, such as the
     * input-gradient builder's, need every consumer before its producer.
     */
    static void sortOps(SameDiff sd) {
        Map<String, SameDiffOp> ops = sd.getOps();
        Map<String, SameDiffOp> sorted = new LinkedHashMap<>();
        Set<String> visiting = new HashSet<>();
        for (String name : List.copyOf(ops.keySet())) visit(sd, name, sorted, visiting);
        ops.clear();
        ops.putAll(sorted);
    }

    private static void visit(SameDiff sd, String opName, Map<String, SameDiffOp> sorted, Set<String> visiting) {
        if (sorted.containsKey(opName)) return;
        if (!visiting.add(opName)) throw new OnnxImportException("the imported graph has a cycle through op '" + opName + "'");
        SameDiffOp op = sd.getOps().get(opName);
        for (String in : op.getInputsToOp() == null ? List.<String>of() : op.getInputsToOp()) {
            String producer = sd.getVariables().get(in).getOutputOfOp();
            if (producer != null && sd.getOps().containsKey(producer)) visit(sd, producer, sorted, visiting);
        }
        visiting.remove(opName);
        sorted.put(opName, op);
    }

    /** A FlatBuffers copy of {@code sd}: the importer's stale consumer names and eager-mode state do not survive it. */
    static SameDiff roundTrip(SameDiff sd) {
        try {
            return SameDiff.fromFlatBuffers(sd.asFlatBuffers(false), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the imported graph: " + e.getMessage(), e);
        }
    }

    /** Drops consumer names of ops that no longer exist (left by the importer), so that graph walks do not fail. */
    static void dropStaleConsumers(SameDiff sd) {
        for (Variable var : sd.getVariables().values()) {
            if (var.getInputsForOp() == null) continue;
            List<String> live = var.getInputsForOp().stream().filter(sd.getOps()::containsKey).distinct().toList();
            if (live.size() != var.getInputsForOp().size()) var.setInputsForOp(new ArrayList<>(live));
        }
    }
}
