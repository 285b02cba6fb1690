package io.github.repmtl.zoo.bench;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Wall time per op type (summed over executions), to see where a step's time goes. */
final class OpProfile extends BaseListener {
    private final Map<String, long[]> stats = new TreeMap<>();
    private long start;

    @Override
    public boolean isActive(Operation operation) { return true; }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) { start = System.nanoTime(); }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
        String name = op.getOp().opName();
        if (Boolean.getBoolean("bench.profile.shapes") && name.startsWith("conv2d"))
            name += " " + java.util.Arrays.toString(opContext.getInputArray(0).shape()) + java.util.Arrays.toString(opContext.getInputArray(1).shape());
        long[] s = stats.computeIfAbsent(name, k -> new long[2]);
        s[0] += System.nanoTime() - start;
        s[1]++;
    }

    /** The {@code top} most expensive op types, per step. */
    String summary(int steps, int top) {
        List<Map.Entry<String, long[]>> l = new ArrayList<>(stats.entrySet());
        l.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        long total = l.stream().mapToLong(e -> e.getValue()[0]).sum();
        StringBuilder sb = new StringBuilder(String.format("ops total %.1f ms per step%n", total / 1e6 / steps));
        for (var e : l.subList(0, Math.min(top, l.size())))
            sb.append(String.format("  %-52s %8.1f ms %6d calls%n", e.getKey(), e.getValue()[0] / 1e6 / steps, e.getValue()[1] / steps));
        return sb.toString();
    }
}
