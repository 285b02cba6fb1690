package io.github.repmtl.zoo;

import io.github.repmtl.samediff.nn.BatchNorm;
import io.github.repmtl.samediff.nn.Conv2d;
import io.github.repmtl.samediff.nn.LayerContext;
import io.github.repmtl.samediff.nn.Pooling;
import io.github.repmtl.samediff.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.DataFormat;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The SegNet encoder-decoder shared by the multi-task networks of MTAN, Nash-MTL and CAGrad on NYUv2 (their
 * {@code SegNet} split model without its prediction layers): five encoder levels with filters
 * 64/128/256/512/512, each a 3x3 convolution + BN + ReLU block followed by 1, 1, 2, 2, 2 further such blocks and
 * a 2x2 max pool; the decoder mirrors it with max unpooling at the pooled positions. Output {@code [B, 64, H, W]}.
 * Initialisation as MTAN: {@code xavier_normal_} weights, zero biases.
 *
 * <p>Max unpooling is written as {@code upsample(v) * mask}, the mask marking in each 2x2 window of the encoder
 * activation the first position (row-major, as PyTorch's {@code max_pool2d} returns it) that holds the window's
 * maximum ({@link #firstMaximumMask}). The input height and width must be multiples of 32.
 */
public final class SegNetTrunk {
    /** Filters per level. */
    static final int[] FILTERS = {64, 128, 256, 512, 512};
    /** Extra conv blocks after each encoder level's first block (the decoder mirrors them). */
    private static final int[] EXTRA_BLOCKS = {1, 1, 2, 2, 2};

    private final int inChannels;

    public SegNetTrunk(int inChannels) {
        if (inChannels < 1) throw new IllegalArgumentException("input channels must be >= 1, got " + inChannels);
        this.inChannels = inChannels;
    }

    /** Output channels (64). */
    public int outputChannels() { return FILTERS[0]; }

    /** Trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (int i = 0; i < 5; i++) {
            int in = i == 0 ? inChannels : FILTERS[i - 1];
            n += block(in, FILTERS[i]) + EXTRA_BLOCKS[i] * block(FILTERS[i], FILTERS[i]);          // encoder
            int out = i == 0 ? FILTERS[0] : FILTERS[i - 1];
            n += block(FILTERS[i], out) + EXTRA_BLOCKS[i] * block(out, out);                        // decoder
        }
        return n;
    }

    private static long block(int in, int out) { return 9L * in * out + 3L * out; }

    /** Applies the trunk to {@code x} {@code [B, C, H, W]}, H and W multiples of 32. */
    public SDVariable apply(LayerContext ctx, SDVariable x, long height, long width) {
        if (height % 32 != 0 || width % 32 != 0)
            throw new IllegalArgumentException("SegNet input height and width must be multiples of 32, got " + height + "x" + width);
        SameDiff sd = ctx.sameDiff();
        Pooling pool = Pooling.max(2, 2, 0);
        SDVariable[] masks = new SDVariable[5];
        SDVariable h = x;
        long hh = height, ww = width;
        for (int i = 0; i < 5; i++) {
            int in = i == 0 ? inChannels : FILTERS[i - 1];
            h = block(ctx, "trunk/encoder." + i + ".0", h, in, FILTERS[i]);
            for (int k = 1; k <= EXTRA_BLOCKS[i]; k++) h = block(ctx, "trunk/encoder." + i + "." + k, h, FILTERS[i], FILTERS[i]);
            SDVariable pooled = pool.apply(h);
            masks[i] = firstMaximumMask(sd, h, pooled, FILTERS[i], hh, ww);
            h = pooled;
            hh /= 2;
            ww /= 2;
        }
        for (int i = 4; i >= 0; i--) {
            h = sd.cnn().upsampling2d(h, 2, 2, true).mul(masks[i]);
            int out = i == 0 ? FILTERS[0] : FILTERS[i - 1];
            h = block(ctx, "trunk/decoder." + i + ".0", h, FILTERS[i], out);
            for (int k = 1; k <= EXTRA_BLOCKS[i]; k++) h = block(ctx, "trunk/decoder." + i + "." + k, h, out, out);
        }
        return h;
    }

    private static SDVariable block(LayerContext ctx, String name, SDVariable x, int in, int out) {
        Conv2d conv = Conv2d.builder(in, out).kernel(3).padding(1).weightInit(WeightInit.xavierNormal()).biasInit(WeightInit.constant(0)).build();
        SDVariable y = BatchNorm.builder(out).depthwiseAffine(true).build().apply(ctx, name + "/bn", conv.apply(ctx, name + "/conv", x), 4);
        return ctx.sameDiff().nn().relu(y, 0);
    }

    /**
     * 1 at the first (row-major, as PyTorch's {@code max_pool2d} reports it) position of each 2x2 window where
     * {@code x} equals the window maximum {@code pooled}, else 0; built from comparisons, so it carries no
     * gradient. The window positions are separated with {@code space_to_depth} (channel {@code (dy * 2 + dx) * C + c}).
     */
    static SDVariable firstMaximumMask(SameDiff sd, SDVariable x, SDVariable pooled, int c, long h, long w) {
        DataType dt = x.dataType();
        SDVariable quarters = sd.cnn().spaceToDepth(x, 2, DataFormat.NCHW).reshape(-1, 4, c, h / 2, w / 2);
        SDVariable[] at = sd.unstack(quarters, 1, 4);
        SDVariable[] first = new SDVariable[4];
        SDVariable none = null;                                                   // 1 where no earlier position was a maximum
        for (int q = 0; q < 4; q++) {
            SDVariable isMax = at[q].eq(pooled).castTo(dt);
            first[q] = none == null ? isMax : isMax.mul(none);
            none = none == null ? isMax.rsub(1.0) : none.mul(isMax.rsub(1.0));
        }
        return sd.cnn().depthToSpace(sd.stack(1, first).reshape(-1, 4L * c, h / 2, w / 2), 2, DataFormat.NCHW);
    }
}
