package io.github.repmtl.samediff.regularizer;

import io.github.repmtl.samediff.util.HostArrays;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
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
 * saliencies). Added to the graph by {@link RepMtl#attachTo(SameDiff, RegularizerPlacement)}. It uses the values of
 * epoch 0 of the configuration's schedule until {@link #use} sets others ({@link RepMtlGraph#useEpoch}).
 */
public final class HostRegularizer extends BaseListener {
    /** Saliencies up to this many entries are evaluated on Java copies, larger ones on native arrays. */
    static final long JAVA_COPY_LIMIT = 1L << 22;

    private final RepMtl config;
    private final long copyLimit;
    private final ScratchArrays scratch = new ScratchArrays();
    private double lambdaTsr, lambdaCsa, tau;

    HostRegularizer(RepMtl config) { this(config, JAVA_COPY_LIMIT); }

    HostRegularizer(RepMtl config, long copyLimit) {
        this.config = config;
        this.copyLimit = copyLimit;
        use(config.schedule().at(0));
    }

    /** The hyperparameters of the next executions. */
    void use(RepMtlSchedule.Segment values) {
        this.lambdaTsr = values.lambdaTsr();
        this.lambdaCsa = values.lambdaCsa();
        this.tau = values.tau();
    }

    RepMtlSchedule.Segment current() { return new RepMtlSchedule.Segment(0, lambdaTsr, lambdaCsa, tau); }

    @Override
    public boolean isActive(Operation operation) { return true; }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
        List<String> names = op.getOutputsOfOp();
        int i = names == null ? -1 : names.indexOf(RepMtlGraph.SALIENCIES);
        if (i < 0) return;
        INDArray s = outputs[i];
        long length = s.length();
        if (length <= copyLimit) evaluateOnJavaArrays(sd, s);
        else evaluateOnNativeArrays(sd, s);
    }

    /** Small saliencies: one copy into Java, TSR and the combination there, one copy of {@code G} back. */
    private void evaluateOnJavaArrays(SameDiff sd, INDArray s) {
        int b = (int) s.size(0), t = (int) s.size(1), c = (int) s.size(2), n = (int) s.size(3), length = b * t * c * n;
        double[] values = HostArrays.read(s, scratch.get("saliencies", length));
        double[] tsrGradient = scratch.get("tsrGradient", b * t * n);
        double tsr = TaskSaliencyRegulation.evaluate(values, b, t, c, n, tsrGradient);
        ValueAndGradient csa = CrossTaskSaliencyAlignment.evaluate(s, tau, config.csaVariant(), scratch);
        double[] gradient = HostArrays.read(csa.gradient(), scratch.get("gradient", length));
        csa.gradient().close();
        double surrogate = 0;                                                                  // G = dR/dS and <G, S>
        for (int bt = 0, k = 0; bt < b * t; bt++)
            for (int ci = 0; ci < c; ci++)
                for (int ni = 0; ni < n; ni++, k++) {
                    gradient[k] = lambdaCsa * gradient[k] + lambdaTsr * tsrGradient[bt * n + ni];
                    surrogate += gradient[k] * values[k];
                }
        setScalars(sd, tsr, csa.value(), surrogate);
        INDArray current = sd.getVariable(RepMtlGraph.REGULARIZER_GRADIENT).getArr();
        if (current != null && current.dataType() == s.dataType() && Arrays.equals(current.shape(), s.shape()) && !current.isView())
            HostArrays.write(gradient, current);
        else
            sd.setArrayForVariable(RepMtlGraph.REGULARIZER_GRADIENT, HostArrays.write(gradient, s.dataType(), s.shape()));
    }

    /** Large saliencies (full-resolution maps): only the {@code [B, T, N]} channel means leave native memory. */
    private void evaluateOnNativeArrays(SameDiff sd, INDArray s) {
        int b = (int) s.size(0), t = (int) s.size(1), n = (int) s.size(3);
        INDArray means = s.mean(2);
        double[] tsrGradient = HostArrays.read(means, scratch.get("tsrGradient", b * t * n));
        means.close();
        double tsr = TaskSaliencyRegulation.fromMeans(tsrGradient, b, t, s.size(2), n);
        ValueAndGradient csa = CrossTaskSaliencyAlignment.evaluate(s, tau, config.csaVariant(), scratch);
        INDArray spread = HostArrays.write(tsrGradient, s.dataType(), b, t, 1, n).muli(lambdaTsr);
        INDArray gradient = csa.gradient().muli(lambdaCsa).addi(spread);
        spread.close();
        INDArray contiguous = HostArrays.cOrder(s);
        double surrogate = Nd4j.getBlasWrapper().dot(contiguous, gradient);
        if (contiguous != s) contiguous.close();
        setScalars(sd, tsr, csa.value(), surrogate);
        INDArray current = sd.getVariable(RepMtlGraph.REGULARIZER_GRADIENT).getArr();
        if (current != null && current.dataType() == s.dataType() && Arrays.equals(current.shape(), s.shape())) {
            current.assign(gradient);
            gradient.close();
        } else {
            sd.setArrayForVariable(RepMtlGraph.REGULARIZER_GRADIENT, gradient);
        }
    }

    private void setScalars(SameDiff sd, double tsr, double csa, double surrogate) {
        setScalar(sd, RepMtlGraph.TSR, tsr);
        setScalar(sd, RepMtlGraph.CSA, csa);
        setScalar(sd, RepMtlGraph.REGULARIZER_OFFSET, lambdaTsr * tsr + lambdaCsa * csa - surrogate);
    }

    private static void setScalar(SameDiff sd, String name, double value) {
        sd.getVariable(name).getArr().putScalar(0, value);
    }
}
