package io.github.repmtl.samediff.nn;

import io.github.repmtl.samediff.model.StatisticUpdate;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Objects;

/**
 * Batch normalisation written with forward ops only, so that SameDiff differentiates it exactly (SameDiff's
 * {@code batchNorm} op cannot be differentiated in 1.0.0-M2.1: its backward op loses the axis) and the
 * Rep-MTL input-gradient builder can differentiate it again.
 *
 * <p>For activations {@code [B, C, H, W]} (statistics over {@code B, H, W}) or {@code [B, C]} (over
 * {@code B}), with parameters {@code NAME/gamma}, {@code NAME/beta} {@code [C]} and non-trainable running
 * statistics {@code NAME/running_mean}, {@code NAME/running_var} {@code [C]}:
 * <pre>
 *   training:  y = gamma * (x - mean_B(x)) / sqrt(var_B(x) + eps) + beta      (biased batch variance)
 *   inference: y = gamma * (x - running_mean) / sqrt(running_var + eps) + beta
 * </pre>
 * In {@link Mode#SWITCHED} mode (the default) the training-flag placeholder selects between the two; the batch
 * mean and the unbiased batch variance are exposed as {@code NAME/batch_mean} and {@code NAME/batch_var} and
 * registered as {@link StatisticUpdate}s (PyTorch: {@code running = (1 - m) running + m batch}, {@code m = 0.1}).
 *
 * <p>Ops, chosen for speed on 1.0.0-M2.1 (a batch norm of naive forward ops is ~10x slower than the
 * convolution it follows, mostly in the broadcasting {@code multiply_bp}): {@code reduce_mean},
 * {@code subtract}, {@code reduce_sqnorm} (variance in one op, forward and backward), the per-channel scale
 * through {@link ChannelBroadcast} ({@code fill(shape_of(x), 0) + a}, then an element-wise {@code multiply}),
 * a broadcasting {@code add}, and on {@code [C]}-sized arrays {@code multiply, add, subtract, rsub, divide,
 * sqrt, reshape}. The count {@code B*H*W} comes from {@code shape_of}/{@code gather}/{@code cast} (no
 * gradient). Exactness is checked by finite differences in float64 in both modes.
 */
public final class BatchNorm {

    /** Which statistics normalise the activations. */
    public enum Mode {
        /** Batch statistics when the training flag is 1, running statistics when it is 0. */
        SWITCHED,
        /** Always batch statistics (running statistics are still tracked). */
        BATCH_STATISTICS,
        /** Always the running statistics (a frozen, affine layer). */
        RUNNING_STATISTICS
    }

    private final int channels;
    private final double eps, momentum;
    private final Mode mode;
    private final boolean depthwise;
    private final INDArray gamma, beta, runningMean, runningVar;

    private BatchNorm(Builder b) {
        this.depthwise = b.depthwise;
        this.channels = b.channels;
        this.eps = b.eps;
        this.momentum = b.momentum;
        this.mode = b.mode;
        this.gamma = b.gamma;
        this.beta = b.beta;
        this.runningMean = b.runningMean;
        this.runningVar = b.runningVar;
    }

    /** Batch normalisation of {@code channels} channels, PyTorch defaults ({@code eps = 1e-5}, momentum 0.1). */
    public static Builder builder(int channels) { return new Builder(channels); }

    public int channels() { return channels; }

    public double epsilon() { return eps; }

    /** Number of trainable scalars ({@code gamma} and {@code beta}). */
    public long parameterCount() { return 2L * channels; }

    /**
     * Normalises {@code x}, of rank 4 ({@code [B, C, H, W]}) or 2 ({@code [B, C]}) as given by {@code rank}.
     */
    public SDVariable apply(LayerContext ctx, String name, SDVariable x, int rank) {
        if (rank != 2 && rank != 4) throw new IllegalArgumentException("batch norm '" + name + "': rank must be 2 or 4, got " + rank);
        if (rank == 2) {
            // M2.1 cannot reduce a [1, C] array along axis 0 (NullPointerException inside the reduce op), so [B, C]
            // is normalised as [B, C, 1]: the same statistics, and a batch of one sample works
            return normalise(ctx, name, x.reshape(-1, channels, 1), 3).reshape(-1, channels);
        }
        return normalise(ctx, name, x, 4);
    }

    private SDVariable normalise(LayerContext ctx, String name, SDVariable x, int rank) {
        SameDiff sd = ctx.sameDiff();
        DataType dt = ctx.dataType();
        long[] cShape = {channels};
        long[] bShape = rank == 4 ? new long[]{1, channels, 1, 1} : new long[]{1, channels, 1};
        int[] axes = rank == 4 ? new int[]{0, 2, 3} : new int[]{0};
        SDVariable g = ctx.parameter(name + "/gamma", cShape, gamma, WeightInit.constant(1.0), channels, channels).reshape(bShape);
        SDVariable b = ctx.parameter(name + "/beta", cShape, beta, WeightInit.constant(0.0), channels, channels).reshape(bShape);
        SDVariable rm = ctx.state(name + "/running_mean", cShape, runningMean != null ? runningMean : Nd4j.zeros(dt, channels));
        SDVariable rv = ctx.state(name + "/running_var", cShape, runningVar != null ? runningVar : Nd4j.ones(dt, channels));

        if (mode == Mode.RUNNING_STATISTICS) {
            SDVariable a = g.div(sd.math.sqrt(rv.reshape(bShape).add(eps)));
            return scaleAndShift(sd, x, a, b.sub(rm.reshape(bShape).mul(a)), rank);
        }
        SDVariable mean = x.mean(true, axes);
        SDVariable centred = x.sub(mean);
        SDVariable n = count(sd, x, axes);
        SDVariable var = sd.squaredNorm(centred, true, axes).div(n);            // one op forward and backward
        registerStatistics(ctx, name, mean, var, n, rm, rv);

        if (mode == Mode.BATCH_STATISTICS) {
            SDVariable a = g.div(sd.math.sqrt(var.add(eps)));
            return scaleAndShift(sd, centred, a, b, rank);
        }
        SDVariable on = ctx.trainingFlag();
        SDVariable off = on.rsub(1.0);
        SDVariable meanUsed = mean.mul(on).add(rm.reshape(bShape).mul(off));
        SDVariable varUsed = var.mul(on).add(rv.reshape(bShape).mul(off));
        SDVariable a = g.div(sd.math.sqrt(varUsed.add(eps)));
        SDVariable shift = b.add(mean.sub(meanUsed).mul(a));        // (x - meanUsed) * a + beta = centred * a + shift
        return scaleAndShift(sd, centred, a, shift, rank);
    }

    /** {@code x * a + shift} per channel. */
    private SDVariable scaleAndShift(SameDiff sd, SDVariable x, SDVariable a, SDVariable shift, int rank) {
        if (depthwise && rank == 4) {
            Conv2DConfig pointwise = Conv2DConfig.builder().kH(1).kW(1).dataFormat(Conv2DConfig.NCHW).build();
            return sd.cnn().depthWiseConv2d(x, a.reshape(1, 1, channels, 1), shift.reshape(channels), pointwise);
        }
        return ChannelBroadcast.multiply(sd, x, a).add(shift);
    }

    /** Number of entries per channel, {@code B * H * W}, as a {@code [1]} array of the activation's type. */
    private static SDVariable count(SameDiff sd, SDVariable x, int[] axes) {
        SDVariable shape = sd.shape(x);
        SDVariable count = null;
        for (int axis : axes) {
            SDVariable size = sd.gather(shape, new int[]{axis}, 0);
            count = count == null ? size : count.mul(size);
        }
        return count.castTo(x.dataType());
    }

    private void registerStatistics(LayerContext ctx, String name, SDVariable mean, SDVariable var, SDVariable n,
                                    SDVariable rm, SDVariable rv) {
        SameDiff sd = ctx.sameDiff();
        SDVariable unbiasing = n.div(sd.math.max(n.sub(1.0), sd.onesLike(n)));       // N / max(N - 1, 1)
        SDVariable batchMean = sd.identity(ctx.activationName(name + "/batch_mean"), mean.reshape(channels));
        SDVariable batchVar = sd.identity(ctx.activationName(name + "/batch_var"), var.reshape(channels).mul(unbiasing));
        ctx.addStatisticUpdate(new StatisticUpdate(rm.name(), batchMean.name(), momentum));
        ctx.addStatisticUpdate(new StatisticUpdate(rv.name(), batchVar.name(), momentum));
    }

    /** Configures a {@link BatchNorm}. */
    public static final class Builder {
        private final int channels;
        private double eps = 1e-5, momentum = 0.1;
        private Mode mode = Mode.SWITCHED;
        private boolean depthwise;
        private INDArray gamma, beta, runningMean, runningVar;

        private Builder(int channels) {
            if (channels < 1) throw new IllegalArgumentException("batch norm channels must be >= 1, got " + channels);
            this.channels = channels;
        }

        public Builder epsilon(double eps) {
            if (!(eps >= 0)) throw new IllegalArgumentException("batch norm epsilon must be >= 0, got " + eps);
            this.eps = eps;
            return this;
        }

        /** PyTorch's momentum: the weight of the new batch statistic in the running average. */
        public Builder momentum(double m) {
            if (!(m > 0 && m <= 1)) throw new IllegalArgumentException("batch norm momentum must be in (0, 1], got " + m);
            this.momentum = m;
            return this;
        }

        public Builder mode(Mode mode) { this.mode = Objects.requireNonNull(mode); return this; }

        /**
         * Applies the per-channel scale and shift of 4-D activations as one 1x1 depthwise convolution (one fused
         * op forward and backward, keeping about half as many activation-sized arrays alive for the backward
         * pass) instead of element-wise ops. For encoders only: {@code depthwise_conv2d} is not among the ops
         * the Rep-MTL input-gradient builder differentiates, so task heads must keep the default.
         */
        public Builder depthwiseAffine(boolean depthwise) { this.depthwise = depthwise; return this; }

        /** Initial scale {@code [C]} (default ones). */
        public Builder gamma(INDArray g) { this.gamma = g; return this; }

        /** Initial shift {@code [C]} (default zeros). */
        public Builder beta(INDArray b) { this.beta = b; return this; }

        /** Initial running mean {@code [C]} (default zeros). */
        public Builder runningMean(INDArray m) { this.runningMean = m; return this; }

        /** Initial running variance {@code [C]} (default ones). */
        public Builder runningVar(INDArray v) { this.runningVar = v; return this; }

        public BatchNorm build() { return new BatchNorm(this); }
    }
}
