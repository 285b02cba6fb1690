package io.github.repmtl.samediff.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;

/**
 * A 2-D convolution over NCHW activations ({@code nn.Conv2d}): symmetric zero padding, stride, dilation,
 * optional bias. Weights are stored in SameDiff's default layout {@code [kH, kW, in, out]} (YXIO) as
 * {@code NAME/W}, the bias {@code [out]} as {@code NAME/b}; {@link Builder#weightsOihw(INDArray)} converts
 * PyTorch/DL4J {@code [out, in, kH, kW]} weights. Uses SameDiff's {@code conv2d} op, whose first-order
 * gradient is correct with this layout (the OIYX layout's is not in 1.0.0-M2.1).
 *
 * <p>Dilated convolutions ({@code dilation > 1}, stride 1) are decomposed into their taps, because the oneDNN
 * build of 1.0.0-M2.1 rejects every dilated convolution (its right padding ignores the dilation): each tap
 * {@code (u, v)} is a 1x1 convolution with the weight slice {@code W[u, v]}, shifted into place by constant 0/1
 * matrices ({@code mmul}), and the shifted maps are summed. Taps that only ever see padding are skipped, which
 * makes large-rate atrous convolutions on small maps cheap. The result equals the dilated convolution exactly;
 * the input size must be given ({@link #apply(LayerContext, String, SDVariable, long, long)}).
 *
 * <p>{@link Builder#foldBatch(boolean)} is a speed option for "same" convolutions on small maps: for batches
 * above 8, oneDNN computes the backward pass of a 3x3 stride-1 convolution with Winograd, which is several
 * times slower than the forward pass when the map is only a few pixels wide. Folding lays the batch side by
 * side along the width, separated by zero columns, into one wide image (batch 1), convolves it and unfolds
 * the result (exact; the padding columns' outputs are dropped).
 *
 * <p>A stride-1 unpadded convolution of a data input (a placeholder or constant of known height, such as the
 * image entering a network) with few channels is computed as a {@code 1 x kW} convolution of its {@code kH}
 * row-shifted copies stacked as channels, when {@code nIn * kH <= 16}. SameDiff's backward pass always computes
 * the input's gradient too, and oneDNN pads the input channels to a block of 16 for it: for HpsLeNet's 9x9 convolution of
 * a one-channel image that unused gradient was ~40% of the whole training step, and stacking made the step
 * ~15-20% faster. The result is the same sums in another order; parameters keep their names and shapes.
 */
public final class Conv2d {
    /** Largest {@code nIn * kH} that a data input's convolution is row-stacked to (one oneDNN channel block). */
    private static final int MAX_STACKED_CHANNELS = 16;

    private final int nIn, nOut, kH, kW, stride, padding, dilation;
    private final boolean hasBias, foldBatch;
    private final WeightInit weightInit, biasInit;
    private final INDArray weights, bias;

    private Conv2d(Builder b) {
        this.nIn = b.nIn;
        this.nOut = b.nOut;
        this.kH = b.kH;
        this.kW = b.kW;
        this.stride = b.stride;
        this.padding = b.padding;
        this.dilation = b.dilation;
        this.hasBias = b.hasBias;
        this.foldBatch = b.foldBatch;
        this.weightInit = b.weightInit;
        this.biasInit = b.biasInit;
        this.weights = b.weights;
        this.bias = b.bias;
    }

    /** A convolution from {@code nIn} to {@code nOut} channels (kernel 1, stride 1, no padding, with bias). */
    public static Builder builder(int nIn, int nOut) { return new Builder(nIn, nOut); }

    /** Converts PyTorch/DL4J weights {@code [out, in, kH, kW]} to SameDiff's {@code [kH, kW, in, out]}. */
    public static INDArray oihwToYxio(INDArray oihw) {
        if (oihw.rank() != 4) throw new IllegalArgumentException("OIHW convolution weights must have rank 4, got shape " + java.util.Arrays.toString(oihw.shape()));
        return oihw.permute(2, 3, 1, 0).dup('c');
    }

    /** Converts SameDiff weights {@code [kH, kW, in, out]} to PyTorch/DL4J's {@code [out, in, kH, kW]}. */
    public static INDArray yxioToOihw(INDArray yxio) {
        if (yxio.rank() != 4) throw new IllegalArgumentException("YXIO convolution weights must have rank 4, got shape " + java.util.Arrays.toString(yxio.shape()));
        return yxio.permute(3, 2, 0, 1).dup('c');
    }

    /** Output height for an input of height {@code in}. */
    public long outputHeight(long in) { return outputSize(in, kH); }

    /** Output width for an input of width {@code in}. */
    public long outputWidth(long in) { return outputSize(in, kW); }

    private long outputSize(long in, int k) {
        long out = (in + 2L * padding - (long) dilation * (k - 1) - 1) / stride + 1;
        if (out < 1) throw new IllegalArgumentException("convolution with kernel " + k + ", stride " + stride + ", padding " + padding
                + ", dilation " + dilation + " does not fit an input of size " + in);
        return out;
    }

    public int nIn() { return nIn; }

    public int nOut() { return nOut; }

    /** Number of trainable scalars. */
    public long parameterCount() { return (long) kH * kW * nIn * nOut + (hasBias ? nOut : 0); }

    /**
     * Applies an undilated convolution to {@code x} {@code [B, nIn, H, W]}, creating or reusing {@code name/W}
     * and {@code name/b}.
     */
    public SDVariable apply(LayerContext ctx, String name, SDVariable x) {
        if (dilation > 1)
            throw new IllegalArgumentException("convolution '" + name + "' is dilated: use apply(ctx, name, x, height, width)");
        return apply(ctx, name, x, -1, -1);
    }

    /** Applies the convolution to {@code x} {@code [B, nIn, height, width]} (the size is needed when dilated). */
    public SDVariable apply(LayerContext ctx, String name, SDVariable x, long height, long width) {
        long fanIn = (long) nIn * kH * kW, fanOut = (long) nOut * kH * kW;
        SDVariable w = ctx.parameter(name + "/W", new long[]{kH, kW, nIn, nOut}, weights, weightInit, fanIn, fanOut);
        SDVariable b = hasBias ? ctx.parameter(name + "/b", new long[]{nOut}, bias, biasInit, fanIn, fanOut) : null;
        if (dilation > 1) return dilated(ctx, name, x, w, b, height, width);
        if (foldBatch && height > 0 && width > 0) return folded(ctx, x, w, b, height, width);
        Conv2DConfig cfg = Conv2DConfig.builder().kH(kH).kW(kW).sH(stride).sW(stride).pH(padding).pW(padding)
                .dataFormat(Conv2DConfig.NCHW).build();
        long stackedHeight = rowStackedHeight(x, height);
        if (stackedHeight > 0) return rowStacked(ctx.sameDiff(), x, w, b, stackedHeight);
        return b == null ? ctx.sameDiff().cnn().conv2d(x, w, cfg) : ctx.sameDiff().cnn().conv2d(x, w, b, cfg);
    }

    /**
     * The input's height when the convolution is row-stacked (see the class comment): a data input
     * (placeholder or constant) of known height, stride 1, no padding, {@code 2 <= kH} and
     * {@code nIn * kH <= }{@value #MAX_STACKED_CHANNELS}; -1 otherwise.
     */
    private long rowStackedHeight(SDVariable x, long height) {
        VariableType type = x.getVariableType();
        if ((type != VariableType.PLACEHOLDER && type != VariableType.CONSTANT) || stride != 1 || padding != 0 || kH < 2
                || (long) nIn * kH > MAX_STACKED_CHANNELS)
            return -1;
        long[] shape = x.getShape();
        return height > 0 ? height : shape != null && shape.length == 4 && shape[2] > 0 ? shape[2] : -1;
    }

    /**
     * {@code conv(x, W)} as a {@code 1 x kW} convolution of the {@code kH} row-shifted copies of {@code x}
     * stacked as channels ({@code stacked[b, u*nIn + c, i, j] = x[b, c, i + u, j]}) with {@code W} rearranged to
     * {@code [1, kW, kH*nIn, nOut]}: the same sums, so the same result up to rounding. Unit-stride slices and a
     * concatenation, so the Rep-MTL input-gradient rules also cover it.
     */
    private SDVariable rowStacked(SameDiff sd, SDVariable x, SDVariable w, SDVariable b, long height) {
        long outH = height - kH + 1;
        int keepBatchChannelsWidth = 1 | 2 | 8;
        SDVariable[] rows = new SDVariable[kH];
        for (int u = 0; u < kH; u++) {
            rows[u] = sd.stridedSlice(x, new long[]{0, 0, u, 0}, new long[]{0, 0, u + outH, 0}, new long[]{1, 1, 1, 1},
                    keepBatchChannelsWidth, keepBatchChannelsWidth, 0, 0, 0);
        }
        SDVariable stacked = sd.concat(1, rows);                                                  // [B, kH*nIn, outH, W]
        SDVariable rowWeights = sd.reshape(sd.permute(w, 1, 0, 2, 3), 1, kW, (long) kH * nIn, nOut);
        Conv2DConfig cfg = Conv2DConfig.builder().kH(1).kW(kW).dataFormat(Conv2DConfig.NCHW).build();
        return b == null ? sd.cnn().conv2d(stacked, rowWeights, cfg) : sd.cnn().conv2d(stacked, rowWeights, b, cfg);
    }

    private SDVariable dilated(LayerContext ctx, String name, SDVariable x, SDVariable w, SDVariable b, long h, long wd) {
        if (stride != 1) throw new IllegalArgumentException("dilated convolution '" + name + "' must have stride 1, got " + stride);
        if (h < 1 || wd < 1) throw new IllegalArgumentException("dilated convolution '" + name + "' needs the input size, got " + h + "x" + wd);
        long oh = outputHeight(h), ow = outputWidth(wd);
        SameDiff sd = ctx.sameDiff();
        SDVariable[] taps = sd.unstack(w.reshape((long) kH * kW, nIn, nOut), 0, kH * kW);
        Conv2DConfig pointwise = Conv2DConfig.builder().kH(1).kW(1).dataFormat(Conv2DConfig.NCHW).build();
        SDVariable y = null;
        for (int u = 0; u < kH; u++) {
            INDArray rows = shift(h, oh, (long) u * dilation - padding);
            if (rows == null) continue;
            SDVariable row = null;
            for (int v = 0; v < kW; v++) {
                INDArray cols = shift(wd, ow, (long) v * dilation - padding);
                if (cols == null) continue;
                SDVariable tap = taps[u * kW + v].reshape(1, 1, nIn, nOut);
                SDVariable z = sd.cnn().conv2d(x, tap, pointwise);
                SDVariable shifted = AxisResampling.apply(z, nOut, h, wd, null, h, isIdentity(cols) ? null : sd.constant(cols.castTo(ctx.dataType())), ow);
                row = row == null ? shifted : row.add(shifted);
            }
            SDVariable placed = AxisResampling.apply(row, nOut, h, ow, isIdentity(rows) ? null : sd.constant(rows.castTo(ctx.dataType())), oh, null, ow);
            y = y == null ? placed : y.add(placed);
        }
        if (y == null) throw new IllegalArgumentException("dilated convolution '" + name + "' never overlaps its " + h + "x" + wd + " input");
        return b == null ? y : y.add(b.reshape(1, nOut, 1, 1));
    }

    private SDVariable folded(LayerContext ctx, SDVariable x, SDVariable w, SDVariable b, long h, long wd) {
        SameDiff sd = ctx.sameDiff();
        long wide = wd + padding;                                     // each image followed by `padding` zero columns
        SDVariable pad = sd.constant(shift(wd, wide, 0).castTo(ctx.dataType()));
        SDVariable crop = sd.constant(shift(wide, wd, 0).castTo(ctx.dataType()));
        SDVariable strip = AxisResampling.apply(x, nIn, h, wd, null, h, pad, wide)
                .permute(1, 2, 0, 3).reshape(1, nIn, h, -1);                  // [1, C, H, B * wide]
        Conv2DConfig cfg = Conv2DConfig.builder().kH(kH).kW(kW).pH(padding).pW(padding).dataFormat(Conv2DConfig.NCHW).build();
        SDVariable y = b == null ? sd.cnn().conv2d(strip, w, cfg) : sd.cnn().conv2d(strip, w, b, cfg);
        SDVariable images = y.reshape(nOut, h, -1, wide).permute(2, 0, 1, 3);   // [B, O, H, wide]
        return AxisResampling.apply(images, nOut, h, wide, null, h, crop, wd);
    }

    /** {@code [in, out]} 0/1 matrix moving input index {@code o + offset} to output index {@code o}; null if it selects nothing. */
    private static INDArray shift(long in, long out, long offset) {
        INDArray m = Nd4j.zeros(DataType.DOUBLE, in, out);
        boolean any = false;
        for (long o = 0; o < out; o++) {
            long i = o + offset;
            if (i >= 0 && i < in) {
                m.putScalar(i, o, 1.0);
                any = true;
            }
        }
        return any ? m : null;
    }

    private static boolean isIdentity(INDArray m) {
        return m.rows() == m.columns() && m.equalsWithEps(Nd4j.eye(m.rows()).castTo(DataType.DOUBLE), 0);
    }

    /** Configures a {@link Conv2d}; defaults follow {@code nn.Conv2d}. */
    public static final class Builder {
        private final int nIn, nOut;
        private int kH = 1, kW = 1, stride = 1, padding = 0, dilation = 1;
        private boolean hasBias = true, foldBatch;
        private WeightInit weightInit = WeightInit.pytorchDefault(), biasInit = WeightInit.pytorchDefault();
        private INDArray weights, bias;

        private Builder(int nIn, int nOut) {
            if (nIn < 1 || nOut < 1) throw new IllegalArgumentException("convolution channels must be >= 1, got in=" + nIn + ", out=" + nOut);
            this.nIn = nIn;
            this.nOut = nOut;
        }

        /** Square kernel. */
        public Builder kernel(int k) { return kernel(k, k); }

        public Builder kernel(int kH, int kW) {
            if (kH < 1 || kW < 1) throw new IllegalArgumentException("kernel must be >= 1, got " + kH + "x" + kW);
            this.kH = kH;
            this.kW = kW;
            return this;
        }

        public Builder stride(int s) {
            if (s < 1) throw new IllegalArgumentException("stride must be >= 1, got " + s);
            this.stride = s;
            return this;
        }

        /** Symmetric zero padding on every side. */
        public Builder padding(int p) {
            if (p < 0) throw new IllegalArgumentException("padding must be >= 0, got " + p);
            this.padding = p;
            return this;
        }

        public Builder dilation(int d) {
            if (d < 1) throw new IllegalArgumentException("dilation must be >= 1, got " + d);
            this.dilation = d;
            return this;
        }

        public Builder hasBias(boolean b) { this.hasBias = b; return this; }

        /**
         * Folds the batch into the width (see the class documentation); only for stride-1, undilated, square
         * "same" convolutions (odd kernel, padding {@code (k - 1) / 2}), applied with the input size given.
         */
        public Builder foldBatch(boolean fold) { this.foldBatch = fold; return this; }

        public Builder weightInit(WeightInit init) { this.weightInit = java.util.Objects.requireNonNull(init); return this; }

        public Builder biasInit(WeightInit init) { this.biasInit = java.util.Objects.requireNonNull(init); return this; }

        /** Initial weights in SameDiff's {@code [kH, kW, in, out]} layout. */
        public Builder weights(INDArray yxio) { this.weights = yxio; return this; }

        /** Initial weights in PyTorch/DL4J's {@code [out, in, kH, kW]} layout. */
        public Builder weightsOihw(INDArray oihw) { this.weights = oihwToYxio(oihw); return this; }

        /** Initial bias {@code [out]}. */
        public Builder bias(INDArray b) { this.bias = b; return this; }

        public Conv2d build() {
            if (bias != null && !hasBias) throw new IllegalArgumentException("a bias array was given to a convolution without bias");
            if (foldBatch && (stride != 1 || dilation != 1 || kH != kW || kH % 2 == 0 || padding != (kH - 1) / 2))
                throw new IllegalArgumentException("batch folding needs a stride-1, undilated, square 'same' convolution; got kernel "
                        + kH + "x" + kW + ", stride " + stride + ", padding " + padding + ", dilation " + dilation);
            return new Conv2d(this);
        }
    }
}
