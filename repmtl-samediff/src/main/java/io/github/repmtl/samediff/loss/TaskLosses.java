package io.github.repmtl.samediff.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import static io.github.repmtl.samediff.util.FastGraphOps.scalar;
import static io.github.repmtl.samediff.util.FastGraphOps.spread;

/**
 * Task losses written with elementary SameDiff forward ops only.
 *
 * <p>SameDiff 1.0.0-M2.1's built-in {@code sd.loss.*} ops ignore the incoming gradient (so {@code 3 * loss}
 * gets the gradient of {@code loss}), and {@code logSoftmax} has a broken gradient. The losses here avoid
 * both, so that (1) first-order training is right and (2) the Rep-MTL input-gradient builder can
 * differentiate them into the task saliency {@code dL/dZ} (with a closed-form gradient registered in
 * {@link ClosedFormGradients}, exact and cheaper than op by op). Every loss is a scalar batch mean.
 * Divisions by counts are guarded ({@code max(count, 1)}), so a batch without a valid pixel gives 0, not NaN.
 */
public final class TaskLosses {
    private TaskLosses() {}

    /**
     * Softmax cross-entropy averaged over the entries whose label is not ignored.
     *
     * @param logits      {@code [B, K]} or {@code [B, K, H, W]}
     * @param labels      integer class indices {@code [B]} or {@code [B, H, W]}; any value outside
     *                    {@code [0, K)} (by convention -1) is ignored
     * @param numClasses  K
     */
    public static SDVariable softmaxCrossEntropy(SameDiff sd, String name, SDVariable logits, SDVariable labels, int numClasses) {
        DataType dt = logits.dataType();
        SDVariable oneHot = sd.oneHot(labels.castTo(DataType.INT64), numClasses, 1, 1.0, 0.0, dt);
        SDVariable valid = oneHot.sum(true, 1);                        // 1 where the label is in range
        // numerically safe log-sum-exp, shifted by the integer part of the row maximum: the integer cast leaves the
        // shift without a gradient path (the loss does not depend on it), which spares the slow reduce_max backward
        SDVariable shifted = logits.sub(logits.max(true, 1).castTo(DataType.INT64).castTo(dt));
        SDVariable exp = sd.math.exp(shifted);
        SDVariable sumExp = exp.sum(true, 1);
        SDVariable logSumExp = sd.math.log(sumExp);
        SDVariable picked = shifted.mul(oneHot).sum(true, 1);
        SDVariable perEntry = logSumExp.sub(picked).mul(valid);
        SDVariable count = guardedCount(sd, valid);
        SDVariable loss = perEntry.sum().div(name, count);
        // softmax from the loss's own exp/sum (oneDNN's float32 softmax op is less accurate):
        // exp * (w / sumExp) - oneHot * w, the per-entry factors combined before they meet the class axis
        boolean perPixel = labels.getShape() != null && labels.getShape().length > 1;
        ClosedFormGradients.register(sd, loss.name(), logits.name(), labels.name(), g -> {
            SDVariable w = entryWeights(valid, count, g);
            if (!perPixel) return exp.div(sumExp).sub(oneHot).mul(w);
            SDVariable zeros = sd.zerosLike(oneHot);
            return exp.mul(spread(w.div(sumExp), zeros)).sub(oneHot.mul(spread(w, zeros)));
        });
        return loss;
    }

    /**
     * Masked L1 (depth): {@code sum(|pred - target| * valid) / count(valid pixels)}, a pixel being valid when
     * the channel sum of the target is non-zero.
     */
    public static SDVariable maskedL1(SameDiff sd, String name, SDVariable prediction, SDVariable target) {
        SDVariable valid = validPixels(target);
        SDVariable diff = prediction.sub(target);
        SDVariable count = guardedCount(sd, valid);
        SDVariable loss = sd.math.abs(diff).mul(valid).sum().div(name, count);
        ClosedFormGradients.register(sd, loss.name(), prediction.name(), target.name(), g -> sd.math.sign(diff).mul(entryWeights(valid, count, g)));
        return loss;
    }

    /**
     * Masked cosine loss (surface normals): the prediction is L2-normalised over channels, then
     * {@code 1 - sum(n * target * valid) / count(valid pixels)}.
     */
    public static SDVariable maskedCosine(SameDiff sd, String name, SDVariable prediction, SDVariable target) {
        SDVariable valid = validPixels(target);
        SDVariable squared = sd.math.square(prediction).sum(true, 1);
        SDVariable floor = scalar(sd, 1e-24, prediction.dataType());
        SDVariable norm = sd.math.sqrt(sd.math.max(squared, floor));
        SDVariable n = prediction.div(norm);
        SDVariable count = guardedCount(sd, valid);
        SDVariable agreement = n.mul(target);
        SDVariable loss = agreement.mul(valid).sum().div(count).rsub(name, 1.0);
        // with u = dL/dn = -w target (w = valid g / count): (u - [sq >= floor] n sum_c(u n)) / norm
        //   = target * (-w / norm) + n * (w [sq >= floor] sum_c(n target) / norm)
        ClosedFormGradients.register(sd, loss.name(), prediction.name(), target.name(), g -> {
            SDVariable w = entryWeights(valid, count, g).div(norm);
            SDVariable radial = w.mul(agreement.sum(true, 1)).mul(squared.gte(floor).castTo(prediction.dataType()));
            SDVariable zeros = sd.zerosLike(target);
            return n.mul(spread(radial, zeros)).sub(target.mul(spread(w, zeros)));
        });
        return loss;
    }

    /** Mean squared error over all entries. */
    public static SDVariable meanSquaredError(SameDiff sd, String name, SDVariable prediction, SDVariable target) {
        SDVariable diff = prediction.sub(target);
        SDVariable loss = sd.math.square(diff).mean(name);
        ClosedFormGradients.register(sd, loss.name(), prediction.name(), target.name(), g -> diff.mul(2.0).div(sd.onesLike(diff).sum()).mul(g));
        return loss;
    }

    /** Binary cross-entropy with logits, {@code mean(softplus(x) - x * y)}, stable for any logit. */
    public static SDVariable binaryCrossEntropyWithLogits(SameDiff sd, String name, SDVariable logits, SDVariable target) {
        SDVariable loss = sd.nn.softplus(logits).sub(logits.mul(target)).mean(name);
        ClosedFormGradients.register(sd, loss.name(), logits.name(), target.name(),
                g -> sd.nn.sigmoid(logits).sub(target).div(sd.onesLike(logits).sum()).mul(g));
        return loss;
    }

    /**
     * L2 normalisation over the channel axis 1 with a safe norm {@code sqrt(max(||x||^2, 1e-24))}, whose
     * derivative stays finite where the vector is zero.
     */
    public static SDVariable l2NormalizeChannels(SameDiff sd, SDVariable x) {
        SDVariable sq = sd.math.square(x).sum(true, 1);
        SDVariable floor = scalar(sd, 1e-24, x.dataType());
        SDVariable norm = sd.math.sqrt(sd.math.max(sq, floor));
        SDVariable y = x.div(norm);
        // (g - [sq >= floor] y sum_c(g y)) / norm, the op-by-op gradient in one step, with the per-pixel factors
        // combined first: g * (1 / norm) - y * ([sq >= floor] sum_c(g y) / norm)
        ClosedFormGradients.register(sd, y.name(), x.name(), null, g -> {
            SDVariable inverse = norm.rdiv(1.0);
            SDVariable radial = g.mul(y).sum(true, 1).mul(sq.gte(floor).castTo(x.dataType())).mul(inverse);
            SDVariable zeros = sd.zerosLike(g);
            return g.mul(spread(inverse, zeros)).sub(y.mul(spread(radial, zeros)));
        });
        return y;
    }

    /** {@code [B, 1, H, W]} mask: 1 where the target's channel sum is non-zero. */
    static SDVariable validPixels(SDVariable target) {
        return target.sum(true, 1).neq(0.0).castTo(target.dataType());
    }

    private static SDVariable guardedCount(SameDiff sd, SDVariable valid) {
        return sd.math.max(valid.sum(), scalar(sd, 1.0, valid.dataType()));
    }

    /**
     * {@code valid * (g / count)}: the scalar factors of a closed-form gradient folded into the (channel-free)
     * mask first, so that only one full-size product carries them.
     */
    private static SDVariable entryWeights(SDVariable valid, SDVariable count, SDVariable g) {
        return valid.mul(g.div(count));
    }
}
