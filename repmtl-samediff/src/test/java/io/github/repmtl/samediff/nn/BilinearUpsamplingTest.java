package io.github.repmtl.samediff.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BilinearUpsamplingTest {

    /** Values PyTorch's F.interpolate gives for a 1-D ramp. */
    @Test
    void interpolationMatricesReproducePyTorchOnARamp() {
        double[] ramp = {0, 1};
        assertArrayEquals(new double[]{0, 0.5, 1}, apply(BilinearUpsampling.interpolationMatrix(2, 3, true), ramp), 1e-15);
        assertArrayEquals(new double[]{0, 0.25, 0.75, 1}, apply(BilinearUpsampling.interpolationMatrix(2, 4, false), ramp), 1e-15);
        assertArrayEquals(new double[]{0, 1.0 / 3, 2.0 / 3, 1}, apply(BilinearUpsampling.interpolationMatrix(2, 4, true), ramp), 1e-15);
        // downsampling 4 -> 2 without aligned corners samples at 0.5 and 2.5
        assertArrayEquals(new double[]{0.5, 2.5}, apply(BilinearUpsampling.interpolationMatrix(4, 2, false), new double[]{0, 1, 2, 3}), 1e-15);
        // from a single pixel every output is that pixel
        assertArrayEquals(new double[]{5, 5, 5}, apply(BilinearUpsampling.interpolationMatrix(1, 3, false), new double[]{5}), 1e-15);
    }

    private static double[] apply(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < v.length; j++) out[i] += m[i][j] * v[j];
        return out;
    }

    /** Direct bilinear sampling of each output pixel from its four neighbours. */
    private static INDArray reference(INDArray x, int outH, int outW, boolean alignCorners) {
        long b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        INDArray y = Nd4j.create(DataType.DOUBLE, b, c, outH, outW);
        for (int i = 0; i < outH; i++) {
            double sy = source(i, h, outH, alignCorners);
            int y0 = (int) Math.floor(sy), y1 = (int) Math.min(y0 + 1, h - 1);
            double ly = sy - y0;
            for (int j = 0; j < outW; j++) {
                double sx = source(j, w, outW, alignCorners);
                int x0 = (int) Math.floor(sx), x1 = (int) Math.min(x0 + 1, w - 1);
                double lx = sx - x0;
                for (int n = 0; n < b; n++)
                    for (int ch = 0; ch < c; ch++) {
                        double v = (1 - ly) * ((1 - lx) * x.getDouble(n, ch, y0, x0) + lx * x.getDouble(n, ch, y0, x1))
                                + ly * ((1 - lx) * x.getDouble(n, ch, y1, x0) + lx * x.getDouble(n, ch, y1, x1));
                        y.putScalar(new long[]{n, ch, i, j}, v);
                    }
            }
        }
        return y;
    }

    private static double source(int dst, long in, int out, boolean alignCorners) {
        if (alignCorners) return out == 1 ? 0 : dst * (in - 1.0) / (out - 1.0);
        return Math.max(0, (dst + 0.5) * in / (double) out - 0.5);
    }

    @Test
    void matchesDirectSamplingAndFiniteDifferencesInBothModes() {
        int[][] sizes = {{3, 4, 7, 9}, {5, 6, 2, 3}, {1, 1, 3, 4}, {4, 4, 4, 4}};
        for (boolean align : new boolean[]{true, false}) {
            for (int[] s : sizes) {
                INDArray x = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(s[0] * 31L + s[2]), 2, 3, s[0], s[1]).castTo(DataType.DOUBLE);
                SameDiff sd = SameDiff.create();
                LayerContext ctx = LayerContext.create(sd, DataType.DOUBLE, 1);
                SDVariable xv = sd.var("x", x.dup());
                SDVariable y = sd.identity("y", BilinearUpsampling.of(3, s[0], s[1], s[2], s[3], align).apply(ctx, "up", xv));
                INDArray expected = reference(x, s[2], s[3], align);
                INDArray got = sd.output(Map.of(), "y").get("y");
                assertArrayEquals(expected.shape(), got.shape());
                assertTrue(expected.equalsWithEps(got, 1e-12), "align=" + align + " sizes " + java.util.Arrays.toString(s));
                SDVariable w = sd.constant(Nd4j.rand(DataType.DOUBLE, expected.shape()));
                sd.identity("loss", y.mul(w).sum().add(y.mul(y).sum()));
                GradientCheck.check(sd, "loss", Map.of(), "x");
            }
        }
    }
}
