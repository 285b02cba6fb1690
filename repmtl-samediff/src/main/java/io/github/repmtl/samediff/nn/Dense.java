package io.github.repmtl.samediff.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Objects;

/**
 * A fully connected layer {@code y = x W + b} on {@code [B, in]} activations ({@code nn.Linear}). Weights are
 * stored as {@code NAME/W} {@code [in, out]} (the transpose of PyTorch's {@code [out, in]}), the bias as
 * {@code NAME/b} {@code [out]}.
 */
public final class Dense {
    private final int nIn, nOut;
    private final boolean hasBias;
    private final WeightInit weightInit, biasInit;
    private final INDArray weights, bias;

    private Dense(Builder b) {
        this.nIn = b.nIn;
        this.nOut = b.nOut;
        this.hasBias = b.hasBias;
        this.weightInit = b.weightInit;
        this.biasInit = b.biasInit;
        this.weights = b.weights;
        this.bias = b.bias;
    }

    /** A dense layer from {@code nIn} to {@code nOut} features, with bias and PyTorch's default initialisation. */
    public static Builder builder(int nIn, int nOut) { return new Builder(nIn, nOut); }

    public int nIn() { return nIn; }

    public int nOut() { return nOut; }

    /** Number of trainable scalars. */
    public long parameterCount() { return (long) nIn * nOut + (hasBias ? nOut : 0); }

    /** Applies the layer to {@code x} {@code [B, nIn]}, creating or reusing {@code name/W} and {@code name/b}. */
    public SDVariable apply(LayerContext ctx, String name, SDVariable x) {
        SDVariable w = ctx.parameter(name + "/W", new long[]{nIn, nOut}, weights, weightInit, nIn, nOut);
        SDVariable y = x.mmul(w);
        if (!hasBias) return y;
        return y.add(ctx.parameter(name + "/b", new long[]{nOut}, bias, biasInit, nIn, nOut));
    }

    /** Configures a {@link Dense} layer; defaults follow {@code nn.Linear}. */
    public static final class Builder {
        private final int nIn, nOut;
        private boolean hasBias = true;
        private WeightInit weightInit = WeightInit.pytorchDefault(), biasInit = WeightInit.pytorchDefault();
        private INDArray weights, bias;

        private Builder(int nIn, int nOut) {
            if (nIn < 1 || nOut < 1) throw new IllegalArgumentException("dense layer sizes must be >= 1, got in=" + nIn + ", out=" + nOut);
            this.nIn = nIn;
            this.nOut = nOut;
        }

        public Builder hasBias(boolean b) { this.hasBias = b; return this; }

        public Builder weightInit(WeightInit init) { this.weightInit = Objects.requireNonNull(init); return this; }

        public Builder biasInit(WeightInit init) { this.biasInit = Objects.requireNonNull(init); return this; }

        /** Initial weights {@code [in, out]}. */
        public Builder weights(INDArray w) { this.weights = w; return this; }

        /** Initial weights in PyTorch's {@code [out, in]} layout. */
        public Builder weightsOutIn(INDArray w) { this.weights = w.transpose().dup('c'); return this; }

        /** Initial bias {@code [out]}. */
        public Builder bias(INDArray b) { this.bias = b; return this; }

        public Dense build() {
            if (bias != null && !hasBias) throw new IllegalArgumentException("a bias array was given to a dense layer without bias");
            return new Dense(this);
        }
    }
}
