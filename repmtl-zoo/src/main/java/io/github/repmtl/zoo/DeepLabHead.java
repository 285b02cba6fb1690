package io.github.repmtl.zoo;

import io.github.repmtl.samediff.nn.BatchNorm;
import io.github.repmtl.samediff.nn.BilinearUpsampling;
import io.github.repmtl.samediff.nn.Conv2d;
import io.github.repmtl.samediff.nn.Dropout;
import io.github.repmtl.samediff.nn.LayerContext;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * LibMTL's {@code DeepLabHead}: ASPP (256 channels; a 1x1 branch, three 3x3 atrous branches with rates
 * 12/24/36, and image pooling, each convolution + BN + ReLU), concatenation, 1x1 projection + BN + ReLU +
 * dropout, 3x3 convolution 256 + BN + ReLU, 1x1 convolution to the task's channels, then bilinear upsampling
 * with aligned corners to the input size (LibMTL's trainer). Convolutions without bias except the last;
 * PyTorch default initialisation. Only ops of the Rep-MTL input-gradient set are used.
 */
public final class DeepLabHead {
    /** ASPP and decoder width. */
    public static final int WIDTH = 256;
    private static final int[] RATES = {12, 24, 36};

    private final int inChannels, outChannels, inHeight, inWidth, outHeight, outWidth;
    private final Dropout dropout;

    /**
     * @param inChannels  channels of the shared representation (2048)
     * @param outChannels channels of the task's prediction
     * @param inHeight    height of the representation (input height / 8)
     * @param inWidth     width of the representation
     * @param outHeight   height of the prediction (the input's)
     * @param outWidth    width of the prediction
     * @param dropout     the projection's dropout
     */
    public DeepLabHead(int inChannels, int outChannels, int inHeight, int inWidth, int outHeight, int outWidth, Dropout dropout) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.inHeight = inHeight;
        this.inWidth = inWidth;
        this.outHeight = outHeight;
        this.outWidth = outWidth;
        this.dropout = dropout;
    }

    /** Trainable scalars of one head. */
    public long parameterCount() {
        long branch = (long) inChannels * WIDTH + 2 * WIDTH;
        long atrous = 9L * inChannels * WIDTH + 2 * WIDTH;
        long project = 5L * WIDTH * WIDTH + 2 * WIDTH;
        long conv = 9L * WIDTH * WIDTH + 2 * WIDTH;
        return 2 * branch + 3 * atrous + project + conv + (long) WIDTH * outChannels + outChannels;
    }

    /** Applies the head to the representation {@code z}; variables are prefixed with {@code name}. */
    public SDVariable apply(LayerContext ctx, String name, SDVariable z) {
        SameDiff sd = ctx.sameDiff();
        SDVariable[] branches = new SDVariable[5];
        branches[0] = convBnRelu(ctx, name + "/aspp.0", z, inChannels, 1, 1, inHeight, inWidth);
        for (int i = 0; i < RATES.length; i++) branches[i + 1] = convBnRelu(ctx, name + "/aspp." + (i + 1), z, inChannels, 3, RATES[i], inHeight, inWidth);
        SDVariable pooled = convBnRelu(ctx, name + "/aspp.pool", z.mean(true, 2, 3), inChannels, 1, 1, 1, 1);
        branches[4] = BilinearUpsampling.of(WIDTH, 1, 1, inHeight, inWidth, false).apply(ctx, name + "/aspp.pool.resize", pooled);
        SDVariable cat = sd.concat(1, branches);
        SDVariable h = convBnRelu(ctx, name + "/project", cat, 5 * WIDTH, 1, 1, inHeight, inWidth);
        h = dropout.apply(ctx, name + "/project.dropout", h);
        h = convBnRelu(ctx, name + "/conv", h, WIDTH, 3, 1, inHeight, inWidth);
        SDVariable logits = Conv2d.builder(WIDTH, outChannels).kernel(1).build().apply(ctx, name + "/classifier", h);
        return BilinearUpsampling.of(outChannels, inHeight, inWidth, outHeight, outWidth, true).apply(ctx, name + "/resize", logits);
    }

    private static SDVariable convBnRelu(LayerContext ctx, String name, SDVariable x, int in, int kernel, int dilation, long height, long width) {
        Conv2d conv = Conv2d.builder(in, WIDTH).kernel(kernel).padding(kernel == 3 ? dilation : 0).dilation(dilation).hasBias(false).build();
        SDVariable y = BatchNorm.builder(WIDTH).build().apply(ctx, name + "/bn", conv.apply(ctx, name + "/conv", x, height, width), 4);
        return ctx.sameDiff().nn().relu(y, 0);
    }
}
