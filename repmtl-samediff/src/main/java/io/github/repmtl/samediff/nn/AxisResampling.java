package io.github.repmtl.samediff.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Applies constant matrices along the height and width axes of NCHW activations,
 * {@code y[b, c] = R^T x[b, c] C}, with {@code reshape}, {@code mmul} and {@code permute} only: the engine of
 * {@link BilinearUpsampling} and of the dilated {@link Conv2d} (whose taps are shifts, i.e. 0/1 matrices, which
 * the product applies exactly).
 */
final class AxisResampling {
    private AxisResampling() {}

    /**
     * @param rows {@code [inH, outH]} applied along the height, or {@code null} for the identity ({@code inH == outH})
     * @param cols {@code [inW, outW]} applied along the width, or {@code null} for the identity
     */
    static SDVariable apply(SDVariable x, long channels, long inH, long inW, SDVariable rows, long outH, SDVariable cols, long outW) {
        SDVariable y = x;
        if (cols != null) y = y.reshape(-1, inW).mmul(cols).reshape(-1, channels, inH, outW);
        if (rows != null) {
            y = y.permute(0, 1, 3, 2).reshape(-1, inH).mmul(rows)          // [B*C*W', H']
                    .reshape(-1, channels, outW, outH).permute(0, 1, 3, 2);
        }
        return y;
    }
}
