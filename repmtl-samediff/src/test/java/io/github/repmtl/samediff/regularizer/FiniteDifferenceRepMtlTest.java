package io.github.repmtl.samediff.regularizer;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.saliency.UnsupportedHeadOpException;
import io.github.repmtl.samediff.util.QuietConsole;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The approximate (finite-difference Hessian-vector product) mode against the exact mode and against central differences of J. */
class FiniteDifferenceRepMtlTest {
    private static final List<String> PARAMS = List.of("enc.W", "enc.b", "seg.W1", "seg.gamma", "seg.beta", "seg.W2", "seg.b2", "depth.W", "depth.b");

    private static double worstRelativeError(Map<String, INDArray> approx, Map<String, INDArray> exact) {
        double worst = 0;
        for (String p : PARAMS) {
            double scale = exact.get(p).amaxNumber().doubleValue();
            double err = approx.get(p).castTo(DataType.DOUBLE).sub(exact.get(p).castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            worst = Math.max(worst, err / Math.max(scale, 1e-12));
        }
        return worst;
    }

    /** Worst relative error of the approximate mode in {@code dt} against the exact mode in float64 (the truth, free of float32 noise). */
    private static double compare(DataType dt, double relativeStep, double[] weights) {
        SameDiff exactGraph = RepMtlTest.denseNet(DataType.DOUBLE, 4);
        RepMtlGraph g = RepMtlTest.denseConfig().lambdaTsr(1.1).lambdaCsa(0.7).build().attachTo(exactGraph);
        g.setTaskWeights(weights);
        Map<String, INDArray> exactFeed = RepMtlTest.denseFeed(DataType.DOUBLE, 4);
        Map<String, INDArray> exact = QuietConsole.call(() -> exactGraph.calculateGradients(exactFeed, PARAMS.toArray(new String[0])));
        SameDiff fdGraph = RepMtlTest.denseNet(dt, 4);
        FiniteDifferenceRepMtl fd = FiniteDifferenceRepMtl.attachTo(RepMtlTest.denseConfig().lambdaTsr(1.1).lambdaCsa(0.7).build(), fdGraph, relativeStep);
        FiniteDifferenceRepMtl.Step step = fd.gradients(new HashMap<>(RepMtlTest.denseFeed(dt, 4)), PARAMS, weights);
        double objective = exactGraph.output(exactFeed, RepMtlGraph.OBJECTIVE).get(RepMtlGraph.OBJECTIVE).getDouble(0);
        double objectiveTolerance = dt == DataType.DOUBLE ? 1e-10 : 1e-5;
        assertTrue(Math.abs(step.objective() - objective) <= objectiveTolerance * Math.abs(objective), "objective " + step.objective() + " vs " + objective);
        return worstRelativeError(step.gradients(), exact);
    }

    @Test
    void matchesTheExactModeInFloat64() {
        double err = compare(DataType.DOUBLE, 1e-4, new double[]{1, 1});
        assertTrue(err < 1e-6, "float64 relative gradient error " + err);
        double weighted = compare(DataType.DOUBLE, 1e-4, new double[]{0.7, 1.6});
        assertTrue(weighted < 1e-6, "float64 relative gradient error with task weights " + weighted);
    }

    @Test
    void matchesTheExactModeInFloat32() {
        double err = compare(DataType.FLOAT, 1e-2, new double[]{1, 1});
        // measured 7.9e-4 here; float32 rounding in the two gradient passes depends on the CPU's kernels (a CI host
        // gave 2.2e-3 against the float32 exact mode), so the bound leaves room; a wrong product is off by O(0.1)
        assertTrue(err < 5e-3, "float32 relative gradient error vs the float64 exact mode " + err);
    }

    @Test
    void handlesHeadsOutsideTheExactSet() {
        SameDiff exactTry = cubicHeadNet();
        assertThrows(UnsupportedHeadOpException.class, () -> cubicConfig().attachTo(exactTry));

        SameDiff sd = cubicHeadNet();
        FiniteDifferenceRepMtl fd = FiniteDifferenceRepMtl.attachTo(cubicConfig(), sd, 1e-4);
        Map<String, INDArray> feed = cubicFeed();
        List<String> params = List.of("enc.W", "a.W", "b.W");
        Map<String, INDArray> g = fd.gradients(new HashMap<>(feed), params, new double[]{1, 1}).gradients();
        double worst = 0;
        for (String p : params) {
            INDArray w = sd.getVariable(p).getArr();
            INDArray flat = w.reshape(w.length());
            for (long i = 0; i < w.length(); i++) {
                double orig = flat.getDouble(i), h = 1e-5;
                flat.putScalar(i, orig + h);
                double up = fd.gradients(new HashMap<>(feed), params, new double[]{1, 1}).objective();
                flat.putScalar(i, orig - h);
                double down = fd.gradients(new HashMap<>(feed), params, new double[]{1, 1}).objective();
                flat.putScalar(i, orig);
                double numeric = (up - down) / (2 * h);
                worst = Math.max(worst, Math.abs(numeric - g.get(p).reshape(w.length()).getDouble(i)) / Math.max(1e-3, Math.abs(numeric)));
            }
        }
        assertTrue(worst < 1e-5, "cubic head: worst relative error vs central differences of J " + worst);
    }

    private static RepMtl cubicConfig() {
        return RepMtl.builder().sharedActivation("Z").task("a", "loss_a").task("b", "loss_b").build();
    }

    /** Heads with {@code cube} (no exact rule) and a ReLU. */
    private static SameDiff cubicHeadNet() {
        Nd4j.getRandom().setSeed(5);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 4);
        SDVariable z = sd.math.tanh("Z", x.mmul(sd.var("enc.W", Nd4j.randn(DataType.DOUBLE, 4, 3))));
        for (String t : List.of("a", "b")) {
            SDVariable y = sd.placeHolder("y_" + t, DataType.INT64, -1);
            SDVariable h = sd.nn.relu(sd.math.cube(z).add(z), 0.0);
            TaskLosses.softmaxCrossEntropy(sd, "loss_" + t, h.mmul(sd.var(t + ".W", Nd4j.randn(DataType.DOUBLE, 3, 3))), y, 3);
        }
        return sd;
    }

    private static Map<String, INDArray> cubicFeed() {
        Nd4j.getRandom().setSeed(9);
        Map<String, INDArray> f = new HashMap<>();
        f.put("x", Nd4j.randn(DataType.DOUBLE, 5, 4));
        f.put("y_a", Nd4j.createFromArray(0L, 1L, 2L, 1L, 0L));
        f.put("y_b", Nd4j.createFromArray(2L, 2L, 1L, 0L, 0L));
        return f;
    }
}
