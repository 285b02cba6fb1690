package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;
import java.util.Map;

/**
 * Input-gradient rule of the native {@code batchnorm} op, {@code y = (x - mean) / sqrt(var + eps) * gamma + beta} with
 * the statistics and parameters on the channel axes. Gradients flow to {@code x} and to the mean and variance
 * inputs (batch statistics computed from the shared activation, e.g. by {@code moments}, then get the full
 * batch-statistics gradient through the ops that produce them); gamma and beta must not depend on it.
 */
final class NormalizationRules {
    private NormalizationRules() {}

    static void register(Map<String, VjpRule> rules) {
        rules.put("batchnorm", NormalizationRules::batchNorm);
    }

    private static SDVariable[] batchNorm(VjpContext c) {
        long[] iArgs = c.iArgs();                          // [applyGamma, applyBeta, channel axes...]
        boolean applyGamma = iArgs.length > 0 && iArgs[0] != 0;
        boolean applyBeta = iArgs.length > 1 && iArgs[1] != 0;
        for (int i = 3; i < c.numInputs(); i++)
            if (c.needsGradient(i)) throw c.unsupported("a batch-norm " + (i == 3 && applyGamma ? "gamma" : "beta") + " that depends on the shared activation");
        if (c.numInputs() != 3 + (applyGamma ? 1 : 0) + (applyBeta ? 1 : 0))
            throw c.unsupported(c.numInputs() + " inputs for applyGamma=" + applyGamma + ", applyBeta=" + applyBeta);
        long[] in = c.shape(c.in(0));
        int rank = in.length;
        int[] axes = iArgs.length > 2 ? Arrays.stream(iArgs, 2, iArgs.length).mapToInt(a -> (int) (a < 0 ? a + rank : a)).toArray()
                : new int[]{rank - 1};
        long[] broadcast = new long[rank];
        Arrays.fill(broadcast, 1);
        for (int a : axes) {
            if (a == 0) throw c.unsupported("batch norm over the batch axis");
            broadcast[a] = in[a];
        }
        int[] others = java.util.stream.IntStream.range(0, rank).filter(d -> Arrays.stream(axes).noneMatch(a -> a == d)).toArray();
        double eps = c.tArgs().length > 0 ? c.tArgs()[0] : 1e-5;
        SDVariable mean = c.sd().reshape(c.in(1), broadcast);
        SDVariable inv = c.sd().math.sqrt(c.sd().reshape(c.in(2), broadcast).add(eps)).rdiv(1.0);   // 1 / sqrt(var + eps)
        SDVariable gg = applyGamma ? c.g().mul(c.sd().reshape(c.in(3), broadcast)) : c.g();
        SDVariable[] r = new SDVariable[c.numInputs()];
        if (c.needsGradient(0)) r[0] = gg.mul(inv);
        if (c.needsGradient(1)) r[1] = c.reshapeLike(gg.sum(true, others).mul(inv).neg(), c.in(1));
        if (c.needsGradient(2)) {
            SDVariable inv3 = inv.mul(inv).mul(inv);
            r[2] = c.reshapeLike(gg.mul(c.in(0).sub(mean)).sum(true, others).mul(inv3).mul(-0.5), c.in(2));
        }
        return r;
    }
}
