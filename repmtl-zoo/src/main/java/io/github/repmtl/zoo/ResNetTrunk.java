package io.github.repmtl.zoo;

import io.github.repmtl.samediff.nn.BatchNorm;
import io.github.repmtl.samediff.nn.Conv2d;
import io.github.repmtl.samediff.nn.LayerContext;
import io.github.repmtl.samediff.nn.Pooling;
import io.github.repmtl.samediff.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The ResNet encoder without its classifier (torchvision's {@code resnet18/34/50} up to {@code layer4}), the
 * shared trunk of {@link HpsResNet} and {@link HpsDeepLab}. Options: the depth; the output stride (32, or 8 as
 * LibMTL's {@code resnet_dilated}: {@code layer3}/{@code layer4} without stride, dilation 2/4, the former
 * strided 3x3 convolution with half the dilation); the {@link Variant} (where a bottleneck block strides and
 * how the stem pools, so that Keras and DL4J-zoo weights map exactly); the batch-norm epsilon; and initial
 * weights keyed by this trunk's variable names (see {@link #layers()}).
 *
 * <p>Variables: {@code trunk/conv1/W}, {@code trunk/bn1/*}, {@code trunk/layerL.B/convK/W},
 * {@code trunk/layerL.B/bnK/*}, {@code trunk/layerL.B/downsample.0/W} and {@code trunk/layerL.B/downsample.1/*}
 * ({@code *} = {@code gamma, beta, running_mean, running_var}); convolutions have no bias. Initialisation as
 * torchvision: convolutions {@code kaiming_normal_(fan_out)}, batch norm 1 and 0.
 */
public final class ResNetTrunk {
    /** Variable-name prefix of every trunk parameter. */
    public static final String PREFIX = "trunk/";

    /** Supported depths: blocks per stage and block type. */
    public enum Depth {
        RESNET18(new int[]{2, 2, 2, 2}, false), RESNET34(new int[]{3, 4, 6, 3}, false), RESNET50(new int[]{3, 4, 6, 3}, true);

        private final int[] blocks;
        private final boolean bottleneck;

        Depth(int[] blocks, boolean bottleneck) {
            this.blocks = blocks;
            this.bottleneck = bottleneck;
        }

        /** Channels of the trunk output (512 or 2048). */
        public int outputChannels() { return bottleneck ? 2048 : 512; }

        public boolean isBottleneck() { return bottleneck; }
    }

    /** Architectural variants of ResNet-50 weights in the wild; all have the same parameter shapes. */
    public enum Variant {
        /** torchvision (ResNet v1.5): a bottleneck strides in its 3x3 convolution; stem max pool padded by 1. */
        TORCHVISION(false, 1, 1),
        /** Keras applications (v1): a bottleneck strides in its first 1x1 convolution; stem max pool padded by 1. */
        KERAS(true, 1, 1),
        /**
         * DL4J zoo {@code ResNet50}: strides like Keras, stem max pool without padding, and its first stage
         * strides too (output stride 64).
         */
        DL4J_ZOO(true, 0, 2);

        private final boolean strideOnFirstConv;
        private final int stemPoolPadding;
        private final int firstStageStride;

        Variant(boolean strideOnFirstConv, int stemPoolPadding, int firstStageStride) {
            this.strideOnFirstConv = strideOnFirstConv;
            this.stemPoolPadding = stemPoolPadding;
            this.firstStageStride = firstStageStride;
        }
    }

    /**
     * A convolution or batch norm of the trunk, in forward order, with its variable-name prefix; {@code stride}
     * is the convolution's (1 for batch norm).
     */
    public record Layer(String name, boolean convolution, long[] shape, int stride) {
        /** Shape of the weights ({@code [kH, kW, in, out]}) or of each batch-norm vector ({@code [C]}). */
        @Override
        public long[] shape() { return shape.clone(); }
    }

    /** Channels and spatial size of an activation. */
    public record FeatureMap(int channels, long height, long width) {}

    private record ConvSpec(String name, int in, int out, int kernel, int stride, int dilation) {
        Conv2d layer(Map<String, INDArray> weights) { return layer(weights, false); }

        Conv2d layer(Map<String, INDArray> weights, boolean fold) {
            Conv2d.Builder b = Conv2d.builder(in, out).kernel(kernel).stride(stride).padding(kernel == 3 ? dilation : kernel / 2)
                    .dilation(dilation).hasBias(false).weightInit(WeightInit.kaimingNormalFanOut())
                    .foldBatch(fold && kernel == 3 && stride == 1 && dilation == 1);
            if (weights != null) b.weights(required(weights, name + "/W"));
            return b.build();
        }
    }

    private record Block(String name, List<ConvSpec> convs, ConvSpec downsample) {}

    private final Depth depth;
    private final Variant variant;
    private final int outputStride;
    private final double eps;
    private final BatchNorm.Mode batchNormMode;
    private final Map<String, INDArray> weights;
    private final long foldBelow;

    private ResNetTrunk(Builder b) {
        this.depth = b.depth;
        this.variant = b.variant;
        this.outputStride = b.outputStride;
        this.eps = b.eps;
        this.batchNormMode = b.batchNormMode;
        this.weights = b.weights;
        this.foldBelow = b.foldBelow;
    }

    public static Builder builder(Depth depth) { return new Builder(depth); }

    public Depth depth() { return depth; }

    public Variant variant() { return variant; }

    public int outputStride() { return outputStride; }

    public double batchNormEpsilon() { return eps; }

    private ConvSpec stem() { return new ConvSpec(PREFIX + "conv1", 3, 64, 7, 2, 1); }

    private Pooling stemPool() { return Pooling.max(3, 2, variant.stemPoolPadding); }

    private List<Block> blocks() {
        List<Block> out = new ArrayList<>();
        int in = 64;
        int[] planes = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            int dilate = outputStride == 8 && stage >= 2 ? (stage == 2 ? 2 : 4) : 1;
            for (int i = 0; i < depth.blocks[stage]; i++) {
                String name = PREFIX + "layer" + (stage + 1) + "." + i;
                int stride = i > 0 ? 1 : stage > 0 ? 2 : variant.firstStageStride;
                int p = planes[stage];
                int outC = depth.bottleneck ? 4 * p : p;
                boolean strided = stride == 2;
                int s = dilate > 1 ? 1 : stride;
                // a formerly strided 3x3 convolution gets half the stage's dilation (LibMTL's _nostride_dilate)
                int dStrided = dilate > 1 && strided ? dilate / 2 : dilate;
                List<ConvSpec> convs = new ArrayList<>();
                if (depth.bottleneck) {
                    boolean firstStrides = variant.strideOnFirstConv;
                    convs.add(new ConvSpec(name + "/conv1", in, p, 1, firstStrides ? s : 1, 1));
                    convs.add(new ConvSpec(name + "/conv2", p, p, 3, firstStrides ? 1 : s, firstStrides ? dilate : dStrided));
                    convs.add(new ConvSpec(name + "/conv3", p, outC, 1, 1, 1));
                } else {
                    convs.add(new ConvSpec(name + "/conv1", in, p, 3, s, dStrided));
                    convs.add(new ConvSpec(name + "/conv2", p, p, 3, 1, dilate));
                }
                ConvSpec down = stride != 1 || in != outC ? new ConvSpec(name + "/downsample.0", in, outC, 1, s, 1) : null;
                out.add(new Block(name, convs, down));
                in = outC;
            }
        }
        return out;
    }

    private static String bnName(String convName) {
        if (convName.endsWith("/downsample.0")) return convName.substring(0, convName.length() - 1) + "1";
        int slash = convName.lastIndexOf('/');
        return convName.substring(0, slash + 1) + "bn" + convName.substring(slash + 5);
    }

    /** Every convolution and batch norm in forward order (a block's downsample branch after its main branch). */
    public List<Layer> layers() {
        List<Layer> out = new ArrayList<>();
        List<ConvSpec> convs = new ArrayList<>();
        convs.add(stem());
        for (Block b : blocks()) {
            convs.addAll(b.convs());
            if (b.downsample() != null) convs.add(b.downsample());
        }
        for (ConvSpec c : convs) {
            out.add(new Layer(c.name(), true, new long[]{c.kernel(), c.kernel(), c.in(), c.out()}, c.stride()));
            out.add(new Layer(bnName(c.name()), false, new long[]{c.out()}, 1));
        }
        return Collections.unmodifiableList(out);
    }

    /** Number of trainable scalars (convolution weights, batch-norm scale and shift). */
    public long parameterCount() {
        long n = 0;
        for (Layer l : layers()) {
            long[] s = l.shape();
            n += l.convolution() ? s[0] * s[1] * s[2] * s[3] : 2 * s[0];
        }
        return n;
    }

    /** Output channels and size for an input of {@code height x width}. */
    public FeatureMap outputShape(long height, long width) {
        ConvSpec stem = stem();
        Conv2d c = stem.layer(null);
        Pooling pool = stemPool();
        long h = pool.outputSize(c.outputHeight(height)), w = pool.outputSize(c.outputWidth(width));
        for (Block b : blocks()) {
            for (ConvSpec spec : b.convs()) {
                Conv2d conv = spec.layer(null);
                h = conv.outputHeight(h);
                w = conv.outputWidth(w);
            }
        }
        return new FeatureMap(depth.outputChannels(), h, w);
    }

    /**
     * Applies the trunk to {@code x} {@code [B, 3, height, width]}; returns {@code [B, C, H', W']} (see
     * {@link #outputShape}).
     */
    public SDVariable apply(LayerContext ctx, SDVariable x, long height, long width) {
        SameDiff sd = ctx.sameDiff();
        long[] size = {height, width};
        SDVariable h = convBnRelu(ctx, stem(), x, true, size);
        Pooling pool = stemPool();
        h = pool.apply(h);
        size = new long[]{pool.outputSize(size[0]), pool.outputSize(size[1])};
        for (Block b : blocks()) {
            SDVariable y = h;
            long[] blockIn = size.clone();
            List<ConvSpec> convs = b.convs();
            for (int i = 0; i < convs.size(); i++) y = convBnRelu(ctx, convs.get(i), y, i < convs.size() - 1, size);
            SDVariable shortcut = b.downsample() == null ? h : convBnRelu(ctx, b.downsample(), h, false, blockIn);
            h = sd.nn().relu(y.add(shortcut), 0);
        }
        return h;
    }

    /** Convolution, batch norm and optional ReLU; {@code size} (height, width) is updated to the output's. */
    private SDVariable convBnRelu(LayerContext ctx, ConvSpec spec, SDVariable x, boolean relu, long[] size) {
        Conv2d conv = spec.layer(weights, size[0] * size[1] <= foldBelow);
        SDVariable y = conv.apply(ctx, spec.name(), x, size[0], size[1]);
        size[0] = conv.outputHeight(size[0]);
        size[1] = conv.outputWidth(size[1]);
        String bn = bnName(spec.name());
        BatchNorm.Builder b = BatchNorm.builder(spec.out()).epsilon(eps).mode(batchNormMode).depthwiseAffine(true);
        if (weights != null)
            b.gamma(required(weights, bn + "/gamma")).beta(required(weights, bn + "/beta"))
                    .runningMean(required(weights, bn + "/running_mean")).runningVar(required(weights, bn + "/running_var"));
        y = b.build().apply(ctx, bn, y, 4);
        return relu ? ctx.sameDiff().nn().relu(y, 0) : y;
    }

    private static INDArray required(Map<String, INDArray> weights, String name) {
        INDArray a = weights.get(name);
        if (a == null) throw new IllegalArgumentException("pretrained trunk weights have no array for '" + name + "'");
        return a;
    }

    /** Configures a {@link ResNetTrunk}. */
    public static final class Builder {
        private final Depth depth;
        private Variant variant = Variant.TORCHVISION;
        private int outputStride = 32;
        private double eps = 1e-5;
        private BatchNorm.Mode batchNormMode = BatchNorm.Mode.SWITCHED;
        private Map<String, INDArray> weights;
        private long foldBelow = 16;

        private Builder(Depth depth) { this.depth = Objects.requireNonNull(depth, "depth"); }

        public Builder variant(Variant v) { this.variant = Objects.requireNonNull(v); return this; }

        /** 32 (plain ResNet) or 8 (dilated {@code layer3} and {@code layer4}). */
        public Builder outputStride(int s) {
            if (s != 32 && s != 8) throw new IllegalArgumentException("output stride must be 32 or 8, got " + s);
            this.outputStride = s;
            return this;
        }

        public Builder batchNormEpsilon(double eps) {
            if (!(eps > 0)) throw new IllegalArgumentException("batch-norm epsilon must be > 0, got " + eps);
            this.eps = eps;
            return this;
        }

        /** {@link BatchNorm.Mode#RUNNING_STATISTICS} freezes the trunk's statistics (fine-tuning with small batches). */
        public Builder batchNormMode(BatchNorm.Mode mode) { this.batchNormMode = Objects.requireNonNull(mode); return this; }

        /** Initial weights keyed by variable name (convolutions in {@code [kH, kW, in, out]}); every layer must be present. */
        public Builder weights(Map<String, INDArray> weights) { this.weights = Map.copyOf(weights); return this; }

        /**
         * 3x3 stride-1 convolutions on maps of at most this many pixels fold the batch into the width (see
         * {@link Conv2d.Builder#foldBatch}), a speed option for small inputs (default 16, e.g. the 4x4 and 2x2
         * stages of a 64x64 input); 0 turns it off. The results are identical.
         */
        public Builder foldBatchBelow(long pixels) {
            if (pixels < 0) throw new IllegalArgumentException("pixel count must be >= 0, got " + pixels);
            this.foldBelow = pixels;
            return this;
        }

        public ResNetTrunk build() { return new ResNetTrunk(this); }
    }
}
