package io.github.repmtl.samediff.regularizer;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * The listener behind {@link RegularizerPlacement#HOST}: when an execution (forward, or the gradient function)
 * computes {@code repmtl/saliencies}, it evaluates TSR and CSA with their gradient on those arrays
 * ({@link TaskSaliencyRegulation#evaluate}, {@link CrossTaskSaliencyAlignment#evaluate}) and sets the graph's
 * constants {@code repmtl/tsr}, {@code repmtl/csa}, {@code repmtl/regularizer_gradient} {@code G} and
 * {@code repmtl/regularizer_offset} {@code R - <G, S>} before any op reads them (they all come after the
 * saliencies). Added to the graph by {@link RepMtl#attachTo(SameDiff, RegularizerPlacement)}.
 */
public final class HostRegularizer extends BaseListener {
    private final RepMtl config;
    private final ScratchArrays scratch = new ScratchArrays();

    HostRegularizer(RepMtl config) { this.config = config; }

    @Override
    public boolean isActive(Operation operation) { return true; }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
        List<String> names = op.getOutputsOfOp();
        int i = names == null ? -1 : names.indexOf(RepMtlGraph.SALIENCIES);
        if (i < 0) return;
        INDArray s = outputs[i];
        DataType dt = s.dataType();
        ValueAndGradient tsr = TaskSaliencyRegulation.evaluate(s, scratch);
        ValueAndGradient csa = CrossTaskSaliencyAlignment.evaluate(s, config.tau(), config.csaVariant(), scratch);
        INDArray gradient = tsr.gradient().muli(config.lambdaTsr()).addi(csa.gradient().muli(config.lambdaCsa()));
        double regularizer = config.lambdaTsr() * tsr.value() + config.lambdaCsa() * csa.value();
        INDArray product = s.mul(gradient);
        double surrogate = product.sumNumber().doubleValue();
        set(sd, RepMtlGraph.TSR, Nd4j.scalar(dt, tsr.value()));
        set(sd, RepMtlGraph.CSA, Nd4j.scalar(dt, csa.value()));
        set(sd, RepMtlGraph.REGULARIZER_GRADIENT, gradient);
        set(sd, RepMtlGraph.REGULARIZER_OFFSET, Nd4j.scalar(dt, regularizer - surrogate));
        product.close();
        csa.gradient().close();
    }

    /**
     * In place when the shape allows (an earlier output of the same execution may alias the constant; {@code value}
     * is then released), else {@code value} becomes the constant's array.
     */
    private static void set(SameDiff sd, String name, INDArray value) {
        INDArray current = sd.getVariable(name).getArr();
        if (current != null && current.dataType() == value.dataType() && Arrays.equals(current.shape(), value.shape())) {
            current.assign(value);
            value.close();
        } else {
            sd.setArrayForVariable(name, value);
        }
    }
}
