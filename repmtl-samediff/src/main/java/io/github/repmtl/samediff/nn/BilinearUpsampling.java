package io.github.repmtl.samediff.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bilinear resizing of NCHW activations ({@code F.interpolate(mode="bilinear")} with an explicit output size),
 * both {@code align_corners} conventions, written as two constant interpolation matrices applied with
 * {@code reshape}, {@code mmul} and {@code permute} ({@link AxisResampling}): exact, differentiable by SameDiff and by the Rep-MTL
 * input-gradient builder (unlike {@code resizeBiLinear}). The matrices are the constants
 * {@code NAME/rows} {@code [inH, outH]} and {@code NAME/cols} {@code [inW, outW]}; the input size is fixed
 * when the graph is built.
 */
public final class BilinearUpsampling {
    private final int channels, inHeight, inWidth, outHeight, outWidth;
    private final boolean alignCorners;

    private BilinearUpsampling(int channels, int inHeight, int inWidth, int outHeight, int outWidth, boolean alignCorners) {
        for (int v : new int[]{channels, inHeight, inWidth, outHeight, outWidth})
            if (v < 1) throw new IllegalArgumentException("bilinear resize sizes must be >= 1, got channels " + channels
                    + ", " + inHeight + "x" + inWidth + " -> " + outHeight + "x" + outWidth);
        this.channels = channels;
        this.inHeight = inHeight;
        this.inWidth = inWidth;
        this.outHeight = outHeight;
        this.outWidth = outWidth;
        this.alignCorners = alignCorners;
    }

    /** Resizes {@code [B, channels, inHeight, inWidth]} to {@code [B, channels, outHeight, outWidth]}. */
    public static BilinearUpsampling of(int channels, int inHeight, int inWidth, int outHeight, int outWidth, boolean alignCorners) {
        return new BilinearUpsampling(channels, inHeight, inWidth, outHeight, outWidth, alignCorners);
    }

    /**
     * The {@code [out, in]} matrix {@code M} with {@code y = M x} along one axis, PyTorch's source-index rule:
     * {@code src = dst * (in - 1) / (out - 1)} with aligned corners (0 when {@code out = 1}), otherwise
     * {@code src = max((dst + 0.5) * in / out - 0.5, 0)}; neighbours {@code floor(src)} and the next index
     * clamped to {@code in - 1}.
     */
    public static double[][] interpolationMatrix(int in, int out, boolean alignCorners) {
        double[][] m = new double[out][in];
        for (int i = 0; i < out; i++) {
            double src;
            if (alignCorners) src = out > 1 ? i * (double) (in - 1) / (out - 1) : 0.0;
            else src = Math.max((i + 0.5) * in / out - 0.5, 0.0);
            int i0 = Math.min((int) Math.floor(src), in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            double l1 = src - i0;
            m[i][i0] += 1 - l1;
            m[i][i1] += l1;
        }
        return m;
    }

    public SDVariable apply(LayerContext ctx, String name, SDVariable x) {
        SDVariable cols = inWidth == outWidth ? null : ctx.constant(ctx.activationName(name + "/cols"), transposed(inWidth, outWidth));
        SDVariable rows = inHeight == outHeight ? null : ctx.constant(ctx.activationName(name + "/rows"), transposed(inHeight, outHeight));
        return AxisResampling.apply(x, channels, inHeight, inWidth, rows, outHeight, cols, outWidth);
    }

    private INDArray transposed(int in, int out) {
        return Nd4j.createFromArray(interpolationMatrix(in, out, alignCorners)).transpose().dup('c');
    }
}
