package io.github.repmtl.samediff.saliency;

import io.github.repmtl.samediff.loss.TaskLosses;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.reduce.same.Max;
import org.nd4j.linalg.api.ops.impl.reduce.same.Min;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules for the ops that ONNX-imported graphs contain (pad, NHWC convolutions and pooling, reductions over axes given
 * by graph variables, the native batchnorm with batch statistics, split, tile, broadcast_to): the emitted
 * {@code dl/dZ} against float64 central differences and, where M2.1's own gradient of the op works, against
 * SameDiff's first-order gradient; the emitted gradient differentiated again against central differences; and
 * the configurations without an exact rule rejected by name.
 */
class ImportedOpsInputGradientTest {
    private static final double H = 1e-6;

    private record Graph(SameDiff sd, Map<String, INDArray> feed) {}

    /**
     * Z (batch 3, probed at 2) -> head -> MSE against a random target. Z is a placeholder, or for SameDiff's reference
     * gradient (which M2.1 only computes for trainable variables) a variable of the same value.
     */
    private static Graph graph(long[] zShape, boolean zVariable, BiFunction<SameDiff, SDVariable, SDVariable> head) {
        Nd4j.getRandom().setSeed(7);
        SameDiff sd = SameDiff.create();
        long[] dynamic = zShape.clone();
        dynamic[0] = -1;
        INDArray zValue = Nd4j.randn(DataType.DOUBLE, zShape);
        SDVariable z = zVariable ? sd.var("Z", zValue) : sd.placeHolder("Z", DataType.DOUBLE, dynamic);
        SDVariable out = head.apply(sd, z);
        Map<String, INDArray> feed = new HashMap<>();
        if (!zVariable) feed.put("Z", zValue);
        INDArray target = Nd4j.randn(DataType.DOUBLE, sd.output(feed, out.name()).get(out.name()).shape());
        long[] tShape = target.shape().clone();
        tShape[0] = -1;
        feed.put("t", target);
        TaskLosses.meanSquaredError(sd, "loss", out, sd.placeHolder("t", DataType.DOUBLE, tShape));
        return new Graph(sd, feed);
    }

    private static double scalar(SameDiff sd, Map<String, INDArray> feed, String name) {
        return sd.output(feed, name).get(name).getDouble(0);
    }

    private static double relativeError(INDArray actual, INDArray expected) {
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), "shape");
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 0, "reference gradient is all zero, the case tests nothing");
        return actual.sub(expected).amaxNumber().doubleValue() / scale;
    }

    /**
     * @param sameDiffReference also compare with SameDiff's own gradient (false where M2.1's gradient of the op is
     *                          broken or missing; the reason is given at the call)
     */
    private static void check(String name, long[] zShape, boolean sameDiffReference, BiFunction<SameDiff, SDVariable, SDVariable> head) {
        Graph g = graph(zShape, false, head);
        InputGradientBuilder.Request r = new InputGradientBuilder.Request("loss", "Z");
        SDVariable emitted = new InputGradientBuilder(g.sd()).build(List.of(r)).get(r);
        INDArray actual = g.sd().output(g.feed(), emitted.name()).get(emitted.name());
        INDArray z = g.feed().get("Z");
        INDArray fd = Nd4j.zeros(DataType.DOUBLE, z.shape());
        INDArray flat = z.reshape(z.length()), fdFlat = fd.reshape(fd.length());
        for (long i = 0; i < z.length(); i++) {
            double v = flat.getDouble(i);
            flat.putScalar(i, v + H);
            double up = scalar(g.sd(), g.feed(), "loss");
            flat.putScalar(i, v - H);
            double down = scalar(g.sd(), g.feed(), "loss");
            flat.putScalar(i, v);
            fdFlat.putScalar(i, (up - down) / (2 * H));
        }
        double err = relativeError(actual, fd);
        assertTrue(err < 1e-7, name + ": relative error vs central differences " + err);
        if (sameDiffReference) {
            Graph ref = graph(zShape, true, head);
            ref.sd().setLossVariables("loss");
            double sdErr = relativeError(actual, ref.sd().calculateGradients(ref.feed(), "Z").get("Z"));
            assertTrue(sdErr < 1e-10, name + ": relative error vs SameDiff's gradient " + sdErr);
        }
    }

    /**
     * Second order: {@code q = sum((dl/dZ)^2)} of the emitted gradient, differentiated by SameDiff w.r.t. a weight,
     * against central differences of q. The weight is {@code upstream} in Z = X * upstream, or (where M2.1 cannot
     * differentiate the forward op itself, see the callers) a variable named {@code wrt} that the head creates after it.
     */
    private static void checkSecondOrder(String name, long[] zShape, BiFunction<SameDiff, SDVariable, SDVariable> head) {
        checkSecondOrder(name, zShape, "upstream", head);
    }

    private static void checkSecondOrder(String name, long[] zShape, String wrt, BiFunction<SameDiff, SDVariable, SDVariable> head) {
        Nd4j.getRandom().setSeed(11);
        SameDiff sd = SameDiff.create();
        long[] dynamic = zShape.clone();
        dynamic[0] = -1;
        long[] tail = Arrays.copyOfRange(zShape, 1, zShape.length);
        SDVariable x = sd.placeHolder("X", DataType.DOUBLE, dynamic);
        SDVariable z = wrt.equals("upstream") ? x.mul("Z", sd.var("upstream", Nd4j.randn(DataType.DOUBLE, tail).addi(1.0))) : x.mul("Z", 1.0);
        SDVariable out = head.apply(sd, z);
        SDVariable w = sd.getVariable(wrt);
        Map<String, INDArray> feed = new HashMap<>();
        feed.put("X", Nd4j.randn(DataType.DOUBLE, zShape));
        INDArray target = Nd4j.randn(DataType.DOUBLE, sd.output(feed, out.name()).get(out.name()).shape());
        long[] tShape = target.shape().clone();
        tShape[0] = -1;
        feed.put("t", target);
        TaskLosses.meanSquaredError(sd, "loss", out, sd.placeHolder("t", DataType.DOUBLE, tShape));
        InputGradientBuilder.Request r = new InputGradientBuilder.Request("loss", "Z");
        SDVariable s = new InputGradientBuilder(sd).build(List.of(r)).get(r);
        SDVariable q = s.mul(s).sum("q");
        sd.setLossVariables(q.name());
        INDArray grad = sd.calculateGradients(feed, wrt).get(wrt);
        INDArray wv = w.getArr();
        INDArray fd = Nd4j.zeros(DataType.DOUBLE, wv.shape());
        INDArray flat = wv.reshape(wv.length()), fdFlat = fd.reshape(fd.length());
        for (long i = 0; i < wv.length(); i++) {
            double v = flat.getDouble(i);
            flat.putScalar(i, v + H);
            double up = scalar(sd, feed, "q");
            flat.putScalar(i, v - H);
            double down = scalar(sd, feed, "q");
            flat.putScalar(i, v);
            fdFlat.putScalar(i, (up - down) / (2 * H));
        }
        double err = relativeError(grad, fd);
        assertTrue(err < 1e-6, name + ": second-order relative error vs central differences " + err);
    }

    private static SDVariable w(SameDiff sd, String name, long... shape) {
        return sd.var(name, Nd4j.randn(DataType.DOUBLE, shape).muli(0.5));
    }

    private static SDVariable ints(SameDiff sd, int[][] value) { return sd.constant(Nd4j.createFromArray(value)); }

    private static SDVariable ints(SameDiff sd, int... value) { return sd.constant(Nd4j.createFromArray(value)); }

    /** The same integers as an ARRAY variable computed by an op: its value is only known from the shape probe. */
    private static SDVariable computed(SDVariable constant) { return constant.add(constant.mul(0)); }

    private static void rejects(String op, long[] zShape, BiFunction<SameDiff, SDVariable, SDVariable> head) {
        Graph g = graph(zShape, false, head);
        InputGradientBuilder.Request r = new InputGradientBuilder.Request("loss", "Z");
        UnsupportedHeadOpException e = assertThrows(UnsupportedHeadOpException.class, () -> new InputGradientBuilder(g.sd()).build(List.of(r)));
        assertEquals(op, e.opName(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + op + "'"), e.getMessage());
    }

    // ---- pad ----

    @Test
    void constantPadding() {
        int[][] p = {{0, 0}, {0, 0}, {1, 2}, {2, 0}};
        check("pad constant", new long[]{3, 2, 3, 4}, true, (sd, z) -> sd.math.tanh(sd.nn.pad(z, ints(sd, p), 0.5)));
        check("pad constant, computed paddings", new long[]{3, 2, 3, 4}, true, (sd, z) -> sd.math.tanh(sd.nn.pad(z, computed(ints(sd, p)), 0.0)));
        // padding the batch axis: the output is summed over it, so that the target's shape does not depend on the batch
        check("pad constant, batch axis", new long[]{3, 4}, true,
                (sd, z) -> sd.math.tanh(sd.nn.pad(z, ints(sd, new int[][]{{1, 2}, {0, 1}}), -1.0)).sum(true, 0));
    }

    @Test
    void mirrorPadding() {
        // SameDiff M2.1's gradient of pad ignores the mirror modes, so the reference is central differences only
        int[][] p = {{0, 0}, {0, 0}, {2, 1}, {1, 3}};
        for (PadMode mode : new PadMode[]{PadMode.REFLECT, PadMode.SYMMETRIC}) {
            check("pad " + mode, new long[]{3, 2, 4, 5}, false, (sd, z) -> sd.math.tanh(sd.nn.pad(z, ints(sd, p), mode, 0.0)));
            check("pad " + mode + ", computed paddings, 2d", new long[]{3, 4}, false,
                    (sd, z) -> sd.math.tanh(sd.nn.pad(z, computed(ints(sd, new int[][]{{0, 0}, {3, 2}})), mode, 0.0)));
        }
    }

    @Test
    void paddingIsDifferentiableAgain() {
        checkSecondOrder("pad constant", new long[]{3, 2, 3}, (sd, z) -> sd.math.tanh(sd.nn.pad(z, ints(sd, new int[][]{{0, 0}, {1, 0}, {1, 2}}), 0.0)));
        // M2.1's Pad.doDiff slices as in constant mode whatever the mode, so SameDiff cannot differentiate a mirror pad
        // itself (wrong gradient, memory corruption); the weight differentiated is therefore downstream of it
        checkSecondOrder("pad reflect", new long[]{3, 2, 4}, "v", (sd, z) -> sd.math.tanh(
                sd.nn.pad(z, ints(sd, new int[][]{{0, 0}, {1, 1}, {2, 3}}), PadMode.REFLECT, 0.0).mul(w(sd, "v", 4, 9))));
        checkSecondOrder("pad symmetric", new long[]{3, 4}, "v", (sd, z) -> sd.math.tanh(
                sd.nn.pad(z, ints(sd, new int[][]{{0, 0}, {2, 1}}), PadMode.SYMMETRIC, 0.0).mul(w(sd, "v", 7))));
    }

    // ---- NHWC convolution and pooling ----

    private static Conv2DConfig nhwc(long k, long s, PaddingMode mode, WeightsFormat format) {
        return Conv2DConfig.builder().kH(k).kW(k).sH(s).sW(s).paddingMode(mode).dataFormat(Conv2DConfig.NHWC).weightsFormat(format).build();
    }

    /** The ONNX importer's form: NCHW -> permute -> pad -> NHWC conv2d (VALID) + bias -> permute back. */
    private static SDVariable importedConv(SameDiff sd, SDVariable z, long k, long s, int pad, WeightsFormat format, long[] weightShape) {
        SDVariable x = sd.permute(z, 0, 2, 3, 1);
        if (pad > 0) x = sd.nn.pad(x, ints(sd, new int[][]{{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}), 0.0);
        SDVariable y = sd.cnn.conv2d(x, w(sd, "w", weightShape), nhwc(k, s, PaddingMode.VALID, format));
        y = sd.nn.biasAdd(y, w(sd, "b", 4), false);
        return sd.math.tanh(sd.permute(y, 0, 3, 1, 2));
    }

    @Test
    void nhwcConvolution() {
        check("imported conv k3 s2 pad 1", new long[]{3, 2, 5, 4}, true, (sd, z) -> importedConv(sd, z, 3, 2, 1, WeightsFormat.YXIO, new long[]{3, 3, 2, 4}));
        check("imported conv k2 s1", new long[]{3, 2, 3, 4}, true, (sd, z) -> importedConv(sd, z, 2, 1, 0, WeightsFormat.YXIO, new long[]{2, 2, 2, 4}));
        for (PaddingMode mode : new PaddingMode[]{PaddingMode.SAME, PaddingMode.VALID})
            check("NHWC conv k3 s2 " + mode, new long[]{3, 5, 4, 2}, true,
                    (sd, z) -> sd.math.tanh(sd.cnn.conv2d(z, w(sd, "w", 3, 3, 2, 4), nhwc(3, 2, mode, WeightsFormat.YXIO))));
        // SameDiff M2.1's own conv2d backprop fails for OIYX weights
        check("imported conv OIYX", new long[]{3, 2, 4, 3}, false, (sd, z) -> importedConv(sd, z, 3, 1, 1, WeightsFormat.OIYX, new long[]{4, 2, 3, 3}));
    }

    @Test
    void nhwcConvolutionIsDifferentiableAgain() {
        checkSecondOrder("imported conv", new long[]{3, 2, 4, 4}, (sd, z) -> importedConv(sd, z, 3, 2, 1, WeightsFormat.YXIO, new long[]{3, 3, 2, 4}));
    }

    @Test
    void nhwcDeconvolution() {
        check("NHWC deconv s2", new long[]{3, 3, 4, 3}, true, (sd, z) -> {
            DeConv2DConfig cfg = DeConv2DConfig.builder().kH(3).kW(3).sH(2).sW(2).pH(1).pW(1).dataFormat(DeConv2DConfig.NHWC).build();
            return sd.math.tanh(sd.cnn.deconv2d(z, w(sd, "w", 3, 3, 2, 3), null, cfg));
        });
    }

    @Test
    void nhwcPooling() {
        Pooling2DConfig pc = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(true).build();
        check("NHWC max+avg pooling with remainder", new long[]{3, 4, 5, 3}, true,
                (sd, z) -> sd.cnn.maxPooling2d(z, pc).add(sd.cnn.avgPooling2d(sd.math.tanh(z), pc)));
        checkSecondOrder("NHWC avg pooling", new long[]{3, 4, 4, 2}, (sd, z) -> sd.math.tanh(sd.cnn.avgPooling2d(sd.math.tanh(z), pc)));
    }

    // ---- reductions over axes given by graph variables ----

    @Test
    void reductionsOverVariableAxes() {
        for (boolean keep : new boolean[]{false, true}) {      // constant axes without keepDims, computed ones with
            check("variable-axis reductions, keepDims=" + keep, new long[]{3, 2, 2, 3}, true, (sd, z) -> {
                SDVariable axes = keep ? computed(ints(sd, 1, -1)) : ints(sd, 1, -1);
                SDVariable t = sd.math.tanh(z);
                SDVariable sum = new Sum(sd, t, axes, keep).outputVariable();
                SDVariable mean = new Mean(sd, sd.math.sin(z), axes, keep).outputVariable();
                SDVariable max = new Max(sd, z, axes, keep).outputVariable();
                SDVariable min = new Min(sd, z.mul(0.7), axes, keep).outputVariable();
                SDVariable sq = new SquaredNorm(sd, t, axes, keep).outputVariable();
                return sum.add(mean).add(max).add(min).mul(sq);
            });
        }
        // axis = rank(x) - 1, computed by rank and subtract ops: a scalar integer array known from the shape probe
        check("reduction over rank - 1", new long[]{3, 2, 5}, true,
                (sd, z) -> new Sum(sd, sd.math.tanh(z), sd.rank(z).sub(1), false).outputVariable());
        check("reduction over the batch axis", new long[]{3, 2, 5}, true,
                (sd, z) -> new Mean(sd, sd.math.tanh(z), ints(sd, 0), true).outputVariable().add(z));
    }

    @Test
    void varianceAndStandardDeviation() {
        // M2.1's own gradients of var/std disagree with central differences (relative error 0.2), so central differences only
        for (boolean bias : new boolean[]{false, true})
            check("variance/std biasCorrected=" + bias, new long[]{3, 3, 3}, false,
                    (sd, z) -> sd.variance(sd.math.tanh(z), bias, 1).add(sd.standardDeviation(z, bias, true, 2).sum(2)));
    }

    // ---- batch norm ----

    private static SDVariable batchNormOfMoments(SameDiff sd, SDVariable z) {
        SDVariable[] m = sd.math.moments(z, new int[]{0, 2, 3}, false);
        return sd.math.tanh(sd.nn.batchNorm(z, m[0], m[1], w(sd, "gamma", 2).add(1.0), w(sd, "beta", 2), 1e-3, 1));
    }

    @Test
    void nativeBatchNorm() {
        // SameDiff M2.1's batchnorm_bp is broken (see NnLayersInputGradientTest), so the reference is central differences
        check("batchnorm, fixed statistics", new long[]{3, 2, 3, 3}, false, (sd, z) -> {
            SDVariable v = w(sd, "v", 2);
            return sd.math.tanh(sd.nn.batchNorm(z, w(sd, "m", 2), v.mul(v).add(0.5), w(sd, "gamma", 2), w(sd, "beta", 2), 1e-5, 1));
        });
        check("batchnorm, moments", new long[]{3, 2, 3, 3}, false, ImportedOpsInputGradientTest::batchNormOfMoments);
        check("batchnorm NHWC, reduce_mean and variance, no beta", new long[]{4, 2, 3}, false, (sd, z) -> {
            SDVariable mean = z.mean(0, 1);
            SDVariable var = sd.variance(z, false, 0, 1);
            return sd.math.tanh(sd.nn.batchNorm(z, mean, var, w(sd, "gamma", 3), null, 1e-2, 2));
        });
        check("batchnorm, no gamma, no beta", new long[]{3, 4}, false, (sd, z) -> {
            SDVariable[] m = sd.math.moments(z, new int[]{0}, false);
            return sd.math.tanh(sd.nn.batchNorm(z, m[0], m[1], null, null, 1e-3, 1)).mul(z);
        });
    }

    @Test
    void nativeBatchNormIsDifferentiableAgain() {
        // M2.1's BatchNorm.doDiff fails (its BatchNormDerivative is built without the axis), so SameDiff cannot
        // differentiate the forward batchnorm op: gamma and beta are constants and the weight is downstream of it
        checkSecondOrder("batchnorm, moments", new long[]{3, 2, 2, 3}, "v", (sd, z) -> {
            SDVariable[] m = sd.math.moments(z, new int[]{0, 2, 3}, false);
            SDVariable gamma = sd.constant(Nd4j.createFromArray(1.5, 0.7)), beta = sd.constant(Nd4j.createFromArray(0.1, -0.2));
            return sd.math.tanh(sd.nn.batchNorm(z, m[0], m[1], gamma, beta, 1e-3, 1).mul(w(sd, "v", 2, 2, 3)));
        });
    }

    // ---- split, concat, tile, broadcast_to, variable slices and permutations ----

    @Test
    void splitsWithUnusedOutputsAndConcat() {
        check("split, one output unused", new long[]{3, 6, 2}, true, (sd, z) -> {
            SDVariable[] parts = sd.split(sd.math.tanh(z), 3, 1);
            return parts[0].mul(parts[2]);
        });
        // M2.1's SplitV has no doDiff, so central differences only
        check("split_v, one output unused", new long[]{3, 2, 6}, false, (sd, z) -> {
            SDVariable[] parts = sd.splitV(sd.math.tanh(z), ints(sd, 1, 2, 3), 3, -1);
            return sd.concat(-1, parts[2], parts[0]);
        });
        check("concat of one input", new long[]{3, 4}, true, (sd, z) -> sd.concat(1, sd.math.tanh(z)));
    }

    @Test
    void tileAndBroadcastTo() {
        check("tile", new long[]{3, 2, 3}, true, (sd, z) -> sd.math.tanh(sd.tile(z, 1, 2, 3)));
        check("tile of the batch axis", new long[]{3, 2}, true, (sd, z) -> sd.math.tanh(sd.tile(z, 2, 1)).sum(true, 0));
        // M2.1's BroadcastTo.doDiff is not implemented, so central differences only
        check("broadcast_to", new long[]{3, 1, 4}, false, (sd, z) -> {
            SDVariable shape = sd.shape(z.add(sd.constant(Nd4j.zeros(DataType.DOUBLE, 3, 1))));
            return sd.math.tanh(new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastTo(sd, z, shape).outputVariable());
        });
    }

    @Test
    void slicesAndPermutationsGivenByVariables() {
        check("strided slice with computed bounds", new long[]{3, 4, 5}, true, (sd, z) -> sd.math.tanh(sd.stridedSlice(z,
                computed(ints(sd, 0, 1, 2)), computed(ints(sd, 0, 3, 4)), ints(sd, 1, 1, 1), 0b001, 0b001, 0, 0, 0)));
        check("permute by a computed permutation", new long[]{3, 2, 4}, true,
                (sd, z) -> sd.math.tanh(sd.permute(z, computed(ints(sd, 0, 2, 1)))).mul(w(sd, "m", 4, 2)));
    }

    // ---- configurations without an exact rule ----

    @Test
    void unsupportedConfigurationsAreNamed() {
        rejects("pad", new long[]{3, 4}, (sd, z) -> sd.nn.pad(z, ints(sd, new int[][]{{1, 0}, {0, 0}}), PadMode.REFLECT, 0.0).sum(true, 0));
        rejects("batchnorm", new long[]{3, 2}, (sd, z) -> sd.nn.batchNorm(z, w(sd, "m", 2), w(sd, "v", 2).add(2.0), z.mean(0), null, 1e-5, 1));
        rejects("maxpool2d", new long[]{3, 5, 5, 2},
                (sd, z) -> sd.cnn.maxPooling2d(z, Pooling2DConfig.builder().kH(3).kW(3).sH(2).sW(2).isNHWC(true).build()));
        rejects("conv2d", new long[]{3, 4, 4, 2}, (sd, z) -> sd.cnn.conv2d(z,
                sd.reshape(sd.tile(z.mean(0, 1, 2), 4), 2, 2, 2, 1), nhwc(2, 1, PaddingMode.VALID, WeightsFormat.YXIO)));
    }
}
