package io.github.repmtl.samediff.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/**
 * Spatial pooling of NCHW activations: max pooling ({@code nn.MaxPool2d}, floor mode), average pooling
 * ({@code nn.AvgPool2d}, padding counted in the divisor as PyTorch does by default) and global average pooling
 * ({@code [B, C, H, W] -> [B, C]}). Pooling has no parameters.
 */
public final class Pooling {
    private enum Kind { MAX, AVERAGE, GLOBAL_AVERAGE }

    private final Kind kind;
    private final int kernel, stride, padding;

    private Pooling(Kind kind, int kernel, int stride, int padding) {
        if (kind != Kind.GLOBAL_AVERAGE) {
            if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel)
                throw new IllegalArgumentException("invalid pooling: kernel " + kernel + ", stride " + stride + ", padding " + padding
                        + " (kernel, stride >= 1, 0 <= padding <= kernel / 2)");
        }
        this.kind = kind;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** Max pooling with a square window; padded positions never win. */
    public static Pooling max(int kernel, int stride, int padding) { return new Pooling(Kind.MAX, kernel, stride, padding); }

    /** Average pooling with a square window; padded zeros count in the divisor. */
    public static Pooling average(int kernel, int stride, int padding) { return new Pooling(Kind.AVERAGE, kernel, stride, padding); }

    /** Mean over the spatial axes: {@code [B, C, H, W] -> [B, C]}. */
    public static Pooling globalAverage() { return new Pooling(Kind.GLOBAL_AVERAGE, 0, 1, 0); }

    /** Output height or width for an input of size {@code in} (1 for global pooling). */
    public long outputSize(long in) {
        if (kind == Kind.GLOBAL_AVERAGE) return 1;
        long out = (in + 2L * padding - kernel) / stride + 1;
        if (out < 1) throw new IllegalArgumentException("pooling window " + kernel + " does not fit an input of size " + in);
        return out;
    }

    public SDVariable apply(SDVariable x) {
        if (kind == Kind.GLOBAL_AVERAGE) return x.mean(2, 3);
        Pooling2DConfig.Pooling2DConfigBuilder cfg = Pooling2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride)
                .pH(padding).pW(padding).isNHWC(false);
        if (kind == Kind.MAX) return x.getSameDiff().cnn().maxPooling2d(x, cfg.build());
        return x.getSameDiff().cnn().avgPooling2d(x, cfg.divisor(org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D.Divisor.INCLUDE_PADDING).build());
    }
}
