package io.github.repmtl.samediff.regularizer;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A SameDiff listener for {@code sd.fit(...)} with Rep-MTL attached: the moment a task loss or the objective
 * is computed as NaN or infinite, it stops training with an exception naming the task, the iteration and the
 * epoch, before any gradient of that step is applied, so no NaN ever reaches the weights.
 */
public class NonFiniteLossGuard extends BaseListener {
    private final Map<String, String> watched = new LinkedHashMap<>();

    /** Watches every task loss of the configuration and the objective. */
    public NonFiniteLossGuard(RepMtl config) {
        for (RepMtl.Task t : config.tasks()) watched.put(t.loss(), "task '" + t.name() + "' loss");
        watched.put(RepMtlGraph.OBJECTIVE, "Rep-MTL objective");
    }

    @Override
    public boolean isActive(Operation operation) { return operation == Operation.TRAINING; }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
        for (int i = 0; i < outputs.length && i < op.getOutputsOfOp().size(); i++) {
            String what = watched.get(op.getOutputsOfOp().get(i));
            if (what == null || outputs[i] == null) continue;
            double v = outputs[i].getDouble(0);
            if (!Double.isFinite(v))
                throw new IllegalStateException(what + " is " + v + " at iteration " + at.iteration() + " (epoch " + at.epoch()
                        + "); training stopped before the update");
        }
    }
}
