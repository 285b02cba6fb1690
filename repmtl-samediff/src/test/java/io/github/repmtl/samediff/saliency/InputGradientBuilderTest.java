package io.github.repmtl.samediff.saliency;

import io.github.repmtl.samediff.loss.TaskLosses;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
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
 * The emitted {@code dl/dZ} of every supported op family equals SameDiff's own first-order gradient to
 * 1e-12 in float64, over several shapes, strides, paddings and dilations.
 */
class InputGradientBuilderTest {
    private static final double TOL = 1e-12;

    /** Builds a head from Z to a scalar loss; returns the loss. Labels/targets are created inside. */
    private record Case(String name, long[] zShape, BiFunction<SameDiff, SDVariable, SDVariable> head,
                        BiFunction<SameDiff, Map<String, INDArray>, INDArray> reference, double tolerance) {
        Case(String name, long[] zShape, BiFunction<SameDiff, SDVariable, SDVariable> head) { this(name, zShape, head, null, TOL); }
    }

    /** Central finite differences of the loss w.r.t. Z in float64 (for ops whose SameDiff gradient is broken). */
    private static INDArray finiteDifferences(SameDiff sd, Map<String, INDArray> feed) {
        INDArray z = sd.getVariable("Z").getArr();
        String loss = sd.getLossVariables().get(0);
        INDArray grad = Nd4j.zeros(DataType.DOUBLE, z.shape());
        INDArray flat = z.reshape(z.length());
        double h = 1e-6;
        for (long i = 0; i < z.length(); i++) {
            double v = flat.getDouble(i);
            flat.putScalar(i, v + h);
            double up = sd.output(feed, loss).get(loss).getDouble(0);
            flat.putScalar(i, v - h);
            double down = sd.output(feed, loss).get(loss).getDouble(0);
            flat.putScalar(i, v);
            grad.reshape(grad.length()).putScalar(i, (up - down) / (2 * h));
        }
        return grad;
    }

    private static SDVariable w(SameDiff sd, String name, long... shape) {
        return sd.var(name, Nd4j.randn(DataType.DOUBLE, shape).muli(0.5));
    }

    /** Values of the label/target placeholders of the case being checked (batch dimension dynamic). */
    private static final Map<String, INDArray> FEED = new HashMap<>();

    private static SDVariable data(SameDiff sd, String name, INDArray value) {
        long[] shape = value.shape().clone();
        shape[0] = -1;
        FEED.put(name, value);
        return sd.placeHolder(name, value.dataType(), shape);
    }

    private static SDVariable target(SameDiff sd, String name, long... shape) {
        return data(sd, name, Nd4j.randn(DataType.DOUBLE, shape));
    }

    private static void check(Case c) {
        if (c.tolerance() <= 0) throw new IllegalArgumentException("tolerance");
        Nd4j.getRandom().setSeed(42);
        FEED.clear();
        SameDiff sd = SameDiff.create();
        long[] concrete = c.zShape().clone();
        concrete[0] = 3;
        SDVariable z = sd.var("Z", Nd4j.randn(DataType.DOUBLE, concrete));     // a variable, so SameDiff differentiates it
        SDVariable loss = c.head().apply(sd, z);
        sd.setLossVariables(loss.name());
        InputGradientBuilder.Request req = new InputGradientBuilder.Request(loss.name(), "Z");
        SDVariable emitted = new InputGradientBuilder(sd).probeBatch(3).build(List.of(req)).get(req);
        Map<String, INDArray> feed = new HashMap<>(FEED);
        INDArray expected = c.reference() == null ? sd.calculateGradients(feed, "Z").get("Z") : c.reference().apply(sd, feed);
        INDArray actual = sd.output(feed, emitted.name()).get(emitted.name());
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), c.name() + ": shape");
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-30);
        double err = expected.sub(actual).amaxNumber().doubleValue() / scale;
        assertTrue(expected.amaxNumber().doubleValue() > 0, c.name() + ": reference gradient is all zero, the case tests nothing");
        assertTrue(err < c.tolerance(), c.name() + ": relative error " + err);
    }

    private static SDVariable labels(SameDiff sd, long batch, int classes, long... spatial) {
        long[] shape = new long[1 + spatial.length];
        shape[0] = batch;
        System.arraycopy(spatial, 0, shape, 1, spatial.length);
        INDArray l = Nd4j.getRandom().nextDouble('c', shape).muli(classes + 1).subi(1).castTo(DataType.INT64); // -1..classes-1
        return data(sd, "labels", l);
    }

    private static Conv2DConfig conv(long k, long s, long p, long d, PaddingMode mode) {
        return Conv2DConfig.builder().kH(k).kW(k).sH(s).sW(s).pH(p).pW(p).dH(d).dW(d).paddingMode(mode).build();
    }

    @Test
    void denseHeadWithSoftmaxCrossEntropy() {
        check(new Case("dense+tanh+ce", new long[]{-1, 6}, (sd, z) -> {
            SDVariable h = sd.math.tanh(z.mmul(w(sd, "w1", 6, 5)).add(w(sd, "b1", 5)));
            SDVariable logits = h.mmul(w(sd, "w2", 5, 4)).add(w(sd, "b2", 4));
            return TaskLosses.softmaxCrossEntropy(sd, "loss", logits, labels(sd, 3, 4), 4);
        }));
    }

    @Test
    void activationsAndScalarOps() {
        Map<String, java.util.function.BiFunction<SameDiff, SDVariable, SDVariable>> ops = new java.util.LinkedHashMap<>();
        ops.put("relu", (sd, z) -> sd.nn.relu(z, 0.1));
        ops.put("sigmoid", (sd, z) -> sd.nn.sigmoid(z));
        ops.put("softplus", (sd, z) -> sd.nn.softplus(z));
        ops.put("exp", (sd, z) -> sd.math.exp(z.mul(0.3)));
        ops.put("sqrt", (sd, z) -> sd.math.sqrt(sd.math.square(z).add(1.0)));
        ops.put("abs", (sd, z) -> sd.math.abs(z).div(2.0));
        ops.put("log", (sd, z) -> sd.math.log(sd.math.square(z).add(2.0)).rsub(3.0));
        ops.put("pow", (sd, z) -> sd.math.pow(z.add(5.0), 1.5).neg());
        ops.put("softmax", (sd, z) -> sd.nn.softmax(z, 1));
        ops.put("maximum", (sd, z) -> sd.math.max(z, sd.constant(0.0).castTo(DataType.DOUBLE)));
        ops.put("sin/cos", (sd, z) -> sd.math.sin(z).mul(sd.math.cos(z)));
        ops.put("rdiv", (sd, z) -> sd.math.square(z).add(1.0).rdiv(1.0));
        ops.forEach((name, f) -> check(new Case(name, new long[]{-1, 7},
                (sd, z) -> TaskLosses.meanSquaredError(sd, "loss", f.apply(sd, z), target(sd, "t", 3, 7)))));
        // SameDiff's leakyrelu_bp applies alpha in float precision (error ~2e-9), so compare with central differences
        check(new Case("leakyrelu", new long[]{-1, 7},
                (sd, z) -> TaskLosses.meanSquaredError(sd, "loss", sd.nn.leakyRelu(z, 0.2), target(sd, "t", 3, 7)),
                InputGradientBuilderTest::finiteDifferences, 1e-8));
    }

    @Test
    void convolutionsOverStridesPaddingsAndDilations() {
        int i = 0;
        for (long[] k : new long[][]{{3, 1, 1, 1}, {3, 2, 1, 1}, {3, 2, 0, 1}, {2, 2, 0, 1}, {3, 1, 2, 2}, {3, 2, 2, 2}, {1, 1, 0, 1}, {5, 3, 1, 1}}) {
            for (PaddingMode mode : new PaddingMode[]{PaddingMode.VALID, PaddingMode.SAME}) {
                for (long size : new long[]{7, 8}) {
                    String name = "conv k=" + k[0] + " s=" + k[1] + " p=" + k[2] + " d=" + k[3] + " " + mode + " size " + size;
                    int id = i++;
                    check(new Case(name, new long[]{-1, 3, size, size}, (sd, z) -> {
                        SDVariable y = sd.cnn.conv2d(z, w(sd, "w" + id, k[0], k[0], 3, 4), w(sd, "b" + id, 4), conv(k[0], k[1], k[2], k[3], mode));
                        return TaskLosses.meanSquaredError(sd, "loss", sd.math.tanh(y), sd.math.cos(y));
                    }));
                }
            }
        }
    }

    @Test
    void convolutionWithOihwWeightsAndDepthL1Loss() {
        // SameDiff M2.1's own conv2d backprop fails for OIYX weights, so the reference is central differences
        check(new Case("conv OIYX + masked L1", new long[]{-1, 4, 6, 6}, (sd, z) -> {
            Conv2DConfig cfg = Conv2DConfig.builder().kH(1).kW(1).weightsFormat(WeightsFormat.OIYX).build();
            SDVariable d = sd.cnn.conv2d(z, w(sd, "w", 1, 4, 1, 1), cfg);
            INDArray t = Nd4j.rand(DataType.DOUBLE, 3, 1, 6, 6);
            t.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).assign(0);
            return TaskLosses.maskedL1(sd, "loss", d, data(sd, "t", t));
        }, InputGradientBuilderTest::finiteDifferences, 1e-7));
    }

    @Test
    void deconvolution() {
        check(new Case("deconv s=2", new long[]{-1, 3, 5, 5}, (sd, z) -> {
            DeConv2DConfig cfg = DeConv2DConfig.builder().kH(3).kW(3).sH(2).sW(2).pH(1).pW(1).build();
            SDVariable y = sd.cnn.deconv2d(z, w(sd, "w", 3, 3, 2, 3), null, cfg);
            return TaskLosses.meanSquaredError(sd, "loss", y, sd.math.sin(y));
        }));
    }

    @Test
    void poolingWithRemaindersAndSegmentationLoss() {
        for (long size : new long[]{8, 9}) {
            check(new Case("max+avg pool size " + size, new long[]{-1, 3, size, size}, (sd, z) -> {
                Pooling2DConfig pc = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).build();
                SDVariable p = sd.cnn.maxPooling2d(z, pc).add(sd.cnn.avgPooling2d(sd.math.tanh(z), pc));
                long out = size / 2;
                SDVariable logits = sd.cnn.conv2d(p, w(sd, "w", 1, 1, 3, 5), conv(1, 1, 0, 1, PaddingMode.VALID));
                return TaskLosses.softmaxCrossEntropy(sd, "loss", logits, labels(sd, 3, 5, out, out), 5);
            }));
        }
    }

    @Test
    void normalsHeadWithL2NormalisationAndCosineLoss() {
        check(new Case("normals", new long[]{-1, 4, 5, 5}, (sd, z) -> {
            SDVariable n = sd.cnn.conv2d(z, w(sd, "w", 1, 1, 4, 3), conv(1, 1, 0, 1, PaddingMode.VALID));
            INDArray t = Nd4j.randn(DataType.DOUBLE, 3, 3, 5, 5);
            t.divi(t.norm2(1).reshape(3, 1, 5, 5));
            t.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).assign(0);
            return TaskLosses.maskedCosine(sd, "loss", n, data(sd, "t", t));
        }));
    }

    @Test
    void normalsHeadWithClosedFormL2NormalisationBeforeTheCosineLoss() {
        check(new Case("l2-normalised normals", new long[]{-1, 4, 5, 5}, (sd, z) -> {
            SDVariable n = TaskLosses.l2NormalizeChannels(sd, sd.cnn.conv2d(z, w(sd, "w", 1, 1, 4, 3), conv(1, 1, 0, 1, PaddingMode.VALID)));
            INDArray t = Nd4j.randn(DataType.DOUBLE, 3, 3, 5, 5);
            t.divi(t.norm2(1).reshape(3, 1, 5, 5));
            t.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).assign(0);
            return TaskLosses.maskedCosine(sd, "loss", sd.identity(n), data(sd, "t", t));
        }));
    }

    @Test
    void shapeOpsReductionsAndBinaryCrossEntropy() {
        check(new Case("shape ops", new long[]{-1, 2, 3, 4}, (sd, z) -> {
            SDVariable a = sd.permute(z, 0, 2, 3, 1);                       // [B,3,4,2]
            SDVariable b = sd.reshape(a, -1, 24);
            SDVariable c = sd.concat(1, b, sd.math.tanh(b), z.mean(true, 2, 3).reshape(-1, 2));
            SDVariable d = c.mmul(w(sd, "w", 50, 6));
            SDVariable e = d.sub(d.max(true, 1)).add(z.sum(1, 2, 3).reshape(-1, 1)).add(sd.expandDims(z.max(1, 2, 3), 1));
            SDVariable f = sd.mmul(e, w(sd, "v", 4, 6), false, true, false);  // transposed right operand
            SDVariable g = sd.mmul(w(sd, "u", 4, 4), f, true, true, false);  // [4,B]
            SDVariable h = sd.squeeze(sd.expandDims(g, 0), 0).div(w(sd, "s", 4, 1).add(3.0));
            return TaskLosses.binaryCrossEntropyWithLogits(sd, "loss", sd.transpose(h), target(sd, "t", 3, 4));
        }));
    }

    @Test
    void slices() {
        check(new Case("strided slices", new long[]{-1, 4, 6, 5}, (sd, z) -> {
            SDVariable a = sd.stridedSlice(z, new long[]{0, 1, 2, 0}, new long[]{0, 3, 5, 4}, new long[]{1, 1, 1, 1}, 0b0001, 0b0001, 0, 0, 0);
            SDVariable b = sd.stridedSlice(z, new long[]{0, 2, 0, 0}, new long[]{0, 3, 0, 0}, new long[]{1, 1, 1, 1}, 0b1101, 0b1101, 0, 0, 0b0010);
            SDVariable both = a.sum(1, 2, 3).add(sd.math.tanh(b).mul(b).sum(1, 2));
            return TaskLosses.meanSquaredError(sd, "loss", both, target(sd, "t", 3));
        }));
    }

    @Test
    void unsupportedOpIsNamed() {
        SameDiff sd = SameDiff.create();
        SDVariable z = sd.placeHolder("Z", DataType.DOUBLE, -1, 4);
        SDVariable y = sd.math.cube(z).sum();
        sd.setLossVariables(y.name());
        InputGradientBuilder.Request req = new InputGradientBuilder.Request(y.name(), "Z");
        UnsupportedHeadOpException e = assertThrows(UnsupportedHeadOpException.class, () -> new InputGradientBuilder(sd).build(List.of(req)));
        assertEquals("cube", e.opName());
        assertTrue(e.getMessage().contains("'Z'"), e.getMessage());
    }

    @Test
    void lossIndependentOfZIsRejected() {
        SameDiff sd = SameDiff.create();
        sd.placeHolder("Z", DataType.DOUBLE, -1, 4);
        SDVariable other = sd.var("v", Nd4j.ones(DataType.DOUBLE, 2)).sum("loss");
        InputGradientBuilder.Request req = new InputGradientBuilder.Request(other.name(), "Z");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new InputGradientBuilder(sd).build(List.of(req)));
        assertTrue(e.getMessage().contains("does not depend"), e.getMessage());
    }
}
