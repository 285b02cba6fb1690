package io.github.repmtl.samediff.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvolutionAndDenseTest {

    private static INDArray random(long seed, long... shape) {
        return Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(seed), shape).castTo(DataType.DOUBLE).subi(0.5);
    }

    /** Direct convolution with PyTorch OIHW weights, symmetric zero padding, stride and dilation. */
    private static INDArray reference(INDArray x, INDArray w, INDArray b, int stride, int pad, int dil) {
        long n = x.size(0), cin = x.size(1), h = x.size(2), wd = x.size(3);
        long cout = w.size(0), kh = w.size(2), kw = w.size(3);
        long oh = (h + 2 * pad - dil * (kh - 1) - 1) / stride + 1, ow = (wd + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
        INDArray y = Nd4j.create(DataType.DOUBLE, n, cout, oh, ow);
        for (int i = 0; i < n; i++)
            for (int o = 0; o < cout; o++)
                for (int r = 0; r < oh; r++)
                    for (int c = 0; c < ow; c++) {
                        double s = b == null ? 0 : b.getDouble(o);
                        for (int ci = 0; ci < cin; ci++)
                            for (int u = 0; u < kh; u++)
                                for (int v = 0; v < kw; v++) {
                                    long yy = r * stride - pad + u * dil, xx = c * stride - pad + v * dil;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < wd) s += w.getDouble(o, ci, u, v) * x.getDouble(i, ci, yy, xx);
                                }
                        y.putScalar(new long[]{i, o, r, c}, s);
                    }
        return y;
    }

    @Test
    void convolutionFromOihwWeightsMatchesDirectConvolutionAndFiniteDifferences() {
        // kernel, stride, pad, dilation; the dilated ones run as shifted 1x1 taps, the last two skip taps that see only padding
        int[][] configs = {{3, 1, 1, 1}, {3, 2, 1, 1}, {1, 2, 0, 1}, {5, 1, 2, 1}, {3, 1, 2, 2}, {3, 1, 0, 2}, {3, 1, 5, 5}, {3, 1, 8, 8}};
        for (int[] cfg : configs) {
            for (boolean bias : new boolean[]{true, false}) {
                INDArray x = random(cfg[0] * 10L + cfg[1], 2, 3, 7, 6);
                INDArray wOihw = random(99, 4, 3, cfg[0], cfg[0]);
                INDArray b = bias ? random(98, 4) : null;
                SameDiff sd = SameDiff.create();
                LayerContext ctx = LayerContext.create(sd, DataType.DOUBLE, 1);
                Conv2d.Builder builder = Conv2d.builder(3, 4).kernel(cfg[0]).stride(cfg[1]).padding(cfg[2]).dilation(cfg[3])
                        .hasBias(bias).weightsOihw(wOihw);
                if (bias) builder.bias(b);
                Conv2d conv = builder.build();
                SDVariable y = sd.identity("y", conv.apply(ctx, "conv", sd.var("x", x.dup()), 7, 6));
                INDArray expected = reference(x, wOihw, b, cfg[1], cfg[2], cfg[3]);
                INDArray got = sd.output(Map.of(), "y").get("y");
                assertArrayEquals(expected.shape(), got.shape(), "shape for " + java.util.Arrays.toString(cfg));
                assertEquals(expected.size(2), conv.outputHeight(7));
                assertEquals(expected.size(3), conv.outputWidth(6));
                assertTrue(expected.equalsWithEps(got, 1e-12), "values for " + java.util.Arrays.toString(cfg));
                assertTrue(Conv2d.yxioToOihw(sd.getArrForVarName("conv/W")).equalsWithEps(wOihw, 0), "layout round trip");
                sd.identity("loss", y.mul(y).sum().add(y.sum()));
                if (bias) GradientCheck.check(sd, "loss", Map.of(), "x", "conv/W", "conv/b");
                else GradientCheck.check(sd, "loss", Map.of(), "x", "conv/W");
            }
        }
    }

    @Test
    void batchFoldedConvolutionIsExact() {
        for (int k : new int[]{3, 5}) {
            INDArray x = random(k, 3, 2, 4, 5);
            INDArray wOihw = random(50 + k, 3, 2, k, k);
            INDArray b = random(60 + k, 3);
            SameDiff sd = SameDiff.create();
            LayerContext ctx = LayerContext.create(sd, DataType.DOUBLE, 1);
            Conv2d conv = Conv2d.builder(2, 3).kernel(k).padding(k / 2).weightsOihw(wOihw).bias(b).foldBatch(true).build();
            SDVariable y = sd.identity("y", conv.apply(ctx, "conv", sd.var("x", x.dup()), 4, 5));
            assertTrue(reference(x, wOihw, b, 1, k / 2, 1).equalsWithEps(sd.output(Map.of(), "y").get("y"), 1e-12), "kernel " + k);
            sd.identity("loss", y.mul(y).sum().add(y.sum()));
            GradientCheck.check(sd, "loss", Map.of(), "x", "conv/W", "conv/b");
        }
        assertThrows(IllegalArgumentException.class, () -> Conv2d.builder(2, 3).kernel(3).stride(2).padding(1).foldBatch(true).build());
    }

    @Test
    void dataInputConvolutionIsRowStackedAndExact() {
        // nIn, kernel, stride, pad, whether row-stacked (stride 1, no padding, nIn * kernel <= 16); 11 x 10 input
        int[][] configs = {{1, 9, 1, 0, 1}, {3, 3, 1, 0, 1}, {2, 4, 1, 0, 1}, {2, 5, 1, 0, 1}, {3, 7, 1, 0, 0}, {1, 3, 1, 1, 0}, {1, 3, 2, 0, 0}};
        for (int[] cfg : configs) {
            for (boolean placeholder : new boolean[]{true, false}) {
                boolean bias = placeholder;
                INDArray x = random(cfg[1] * 10L + cfg[2], 2, cfg[0], 11, 10);
                INDArray wOihw = random(97, 3, cfg[0], cfg[1], cfg[1]);
                INDArray b = random(96, 3);
                SameDiff sd = SameDiff.create();
                LayerContext ctx = LayerContext.create(sd, DataType.DOUBLE, 1);
                Conv2d.Builder builder = Conv2d.builder(cfg[0], 3).kernel(cfg[1]).stride(cfg[2]).padding(cfg[3]).hasBias(bias).weightsOihw(wOihw);
                if (bias) builder.bias(b);
                SDVariable in = placeholder ? sd.placeHolder("x", DataType.DOUBLE, -1, cfg[0], 11, 10) : sd.constant("x", x.dup());
                SDVariable y = sd.identity("y", builder.build().apply(ctx, "conv", in));
                Map<String, INDArray> feed = placeholder ? Map.of("x", x) : Map.of();
                String where = java.util.Arrays.toString(cfg) + (placeholder ? " placeholder" : " constant");
                assertEquals(cfg[4] == 1, sd.ops().length > 2 && java.util.Arrays.stream(sd.ops()).anyMatch(op -> op.opName().equals("concat")),
                        "row-stacked: " + where);
                INDArray expected = reference(x, wOihw, bias ? b : null, cfg[2], cfg[3], 1);
                assertTrue(expected.equalsWithEps(sd.output(feed, "y").get("y"), 1e-12), "values " + where);
                assertArrayEquals(new long[]{cfg[1], cfg[1], cfg[0], 3}, sd.getVariable("conv/W").getShape(), "parameter shape " + where);
                sd.identity("loss", y.mul(y).sum().add(y.sum()));
                if (bias) GradientCheck.check(sd, "loss", feed, "conv/W", "conv/b");
                else GradientCheck.check(sd, "loss", feed, "conv/W");
            }
        }
    }

    @Test
    void convolutionOfAnActivationIsNotRowStacked() {
        SameDiff sd = SameDiff.create();
        LayerContext ctx = LayerContext.create(sd, DataType.FLOAT, 1);
        SDVariable activation = sd.nn().relu(sd.placeHolder("x", DataType.FLOAT, -1, 1, 8, 8), 0);
        Conv2d.builder(1, 2).kernel(3).build().apply(ctx, "conv", activation);
        assertTrue(java.util.Arrays.stream(sd.ops()).noneMatch(op -> op.opName().equals("concat")));
    }

    @Test
    void dilatedConvolutionNeedsTheInputSize() {
        SameDiff sd = SameDiff.create();
        LayerContext ctx = LayerContext.create(sd, DataType.FLOAT, 1);
        Conv2d conv = Conv2d.builder(2, 2).kernel(3).padding(2).dilation(2).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conv.apply(ctx, "atrous", sd.placeHolder("x", DataType.FLOAT, -1, 2, 8, 8)));
        assertTrue(e.getMessage().contains("atrous"), e.getMessage());
    }

    @Test
    void denseLayerComputesXwPlusBAndAcceptsPyTorchLayout() {
        INDArray x = random(1, 3, 4);
        INDArray wOutIn = random(2, 5, 4);
        INDArray b = random(3, 5);
        SameDiff sd = SameDiff.create();
        LayerContext ctx = LayerContext.create(sd, DataType.DOUBLE, 1);
        Dense dense = Dense.builder(4, 5).weightsOutIn(wOutIn).bias(b).build();
        SDVariable y = sd.identity("y", dense.apply(ctx, "fc", sd.var("x", x.dup())));
        INDArray expected = x.mmul(wOutIn.transpose()).addiRowVector(b);
        assertTrue(expected.equalsWithEps(sd.output(Map.of(), "y").get("y"), 1e-12));
        assertEquals(25, dense.parameterCount());
        sd.identity("loss", y.mul(y).sum());
        GradientCheck.check(sd, "loss", Map.of(), "x", "fc/W", "fc/b");
    }

    @Test
    void reapplyingALayerSharesItsParametersAndRejectsConflicts() {
        SameDiff sd = SameDiff.create();
        LayerContext ctx = LayerContext.create(sd, DataType.FLOAT, 5);
        Conv2d conv = Conv2d.builder(2, 3).kernel(3).padding(1).build();
        conv.apply(ctx, "c", sd.placeHolder("a", DataType.FLOAT, -1, 2, 5, 5));
        conv.apply(ctx, "c", sd.placeHolder("b", DataType.FLOAT, -1, 2, 5, 5));
        assertEquals(2, sd.variables().stream().filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE).count());
        Conv2d other = Conv2d.builder(2, 4).kernel(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.apply(ctx, "c", sd.getVariable("a")));
        assertTrue(e.getMessage().contains("c/W") && e.getMessage().contains("[3, 3, 2, 4]"), e.getMessage());
    }

    @Test
    void initialisationIsSeededAndFollowsTheRequestedScale() {
        INDArray a = WeightInit.kaimingNormalFanOut().create(DataType.DOUBLE, 64 * 9, 128 * 9, new long[]{3, 3, 64, 128},
                Nd4j.getRandomFactory().getNewRandomInstance(3));
        INDArray b = WeightInit.kaimingNormalFanOut().create(DataType.DOUBLE, 64 * 9, 128 * 9, new long[]{3, 3, 64, 128},
                Nd4j.getRandomFactory().getNewRandomInstance(3));
        assertTrue(a.equalsWithEps(b, 0), "same seed, same array");
        assertEquals(Math.sqrt(2.0 / (128 * 9)), a.stdNumber().doubleValue(), 0.002);
        INDArray u = WeightInit.pytorchDefault().create(DataType.DOUBLE, 100, 10, new long[]{100, 10}, Nd4j.getRandomFactory().getNewRandomInstance(4));
        assertTrue(u.maxNumber().doubleValue() <= 0.1 && u.minNumber().doubleValue() >= -0.1 && u.maxNumber().doubleValue() > 0.09);
    }
}
