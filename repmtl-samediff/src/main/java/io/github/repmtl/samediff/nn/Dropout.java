package io.github.repmtl.samediff.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.random.custom.DistributionUniform;

/**
 * Inverted dropout ({@code nn.Dropout}) as a multiplication by a mask computed inside the graph:
 * {@code mask = (u < 1 - p) / (1 - p)} with {@code u ~ U(0, 1)} drawn by a random op of the input's shape
 * (SameDiff's global generator, {@code Nd4j.getRandom()}). The mask is the graph variable
 * {@code NAME/mask}: within one execution the forward pass, SameDiff's backward pass and the Rep-MTL
 * input-gradient graph all use the same mask. In {@link #SWITCHED} form the training flag turns the layer into
 * the identity at inference ({@code mask = flag * mask + (1 - flag)}).
 */
public final class Dropout {
    private final double rate;
    private final boolean switched;

    private Dropout(double rate, boolean switched) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        this.rate = rate;
        this.switched = switched;
    }

    /** Dropout with probability {@code rate}, active only while the training flag is 1. */
    public static Dropout switched(double rate) { return new Dropout(rate, true); }

    /** Dropout with probability {@code rate}, active whatever the training flag (Monte-Carlo dropout). */
    public static Dropout always(double rate) { return new Dropout(rate, false); }

    public double rate() { return rate; }

    /** Applies dropout to {@code x}; a rate of 0 returns {@code x} itself. */
    public SDVariable apply(LayerContext ctx, String name, SDVariable x) {
        if (rate == 0) return x;
        SameDiff sd = ctx.sameDiff();
        double keep = 1 - rate;
        SDVariable u = new DistributionUniform(sd, sd.shape(x), 0.0, 1.0, ctx.dataType()).outputVariable();
        SDVariable mask = u.lt(keep).castTo(ctx.dataType()).div(keep);
        if (switched) {
            SDVariable on = ctx.trainingFlag();
            mask = mask.mul(on).add(on.rsub(1.0));
        }
        return x.mul(sd.identity(ctx.activationName(name + "/mask"), mask));
    }
}
