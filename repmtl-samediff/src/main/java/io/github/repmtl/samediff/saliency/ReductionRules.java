package io.github.repmtl.samediff.saliency;

import io.github.repmtl.samediff.util.FastGraphOps;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.BaseReduceOp;

import java.util.Arrays;
import java.util.Map;

import static io.github.repmtl.samediff.saliency.ElementwiseRules.one;

/**
 * Input-gradient rules of sum, mean, squared-norm, max, min, variance and standard-deviation reductions and of
 * {@code moments} (with or without keepDims), over dimensions given as op arguments or by an integer graph variable
 * whose value is known when the graph is built ({@link VjpContext#integerValue}). Max/min route the gradient to every
 * entry equal to the extreme value.
 */
final class ReductionRules {
    private ReductionRules() {}

    static void register(Map<String, VjpRule> rules) {
        rules.put("reduce_sum", c -> one(expand(c, spread(c))));
        rules.put("reduce_mean", c -> one(expand(c, perEntry(c, spread(c), dims(c)))));
        rules.put("reduce_sqnorm", c -> one(spread(c).mul(c.in(0)).mul(2.0)));
        rules.put("reduce_max", ReductionRules::extreme);
        rules.put("reduce_min", ReductionRules::extreme);
        rules.put("var", c -> {
            int[] dims = dims(c);
            return one(spread(c).mul(centred(c, dims)).mul(2.0).div(varianceDivisor(c, dims)));
        });
        rules.put("std", c -> {                            // d std = d var / (2 std)
            int[] dims = dims(c);
            return one(spread(c).div(keepDimsOf(c, c.out())).mul(centred(c, dims)).div(varianceDivisor(c, dims)));
        });
        rules.put("moments", ReductionRules::moments);
    }

    private static SDVariable[] extreme(VjpContext c) {
        SDVariable hit = c.mask(c.in(0).eq(keepDimsOf(c, c.out())));
        return one(spread(c).mul(hit));
    }

    /** {@code moments}: outputs the mean and the biased variance; either output may have no gradient. */
    private static SDVariable[] moments(VjpContext c) {
        int[] dims = normalise(c, c.numInputs() > 1 ? valueOf(c, c.in(1)) : Arrays.stream(c.iArgs()).mapToInt(Math::toIntExact).toArray());
        boolean keepDims = (boolean) c.field("keepDims");
        SDVariable grad = null;
        if (c.g(0) != null) grad = expand(c, perEntry(c, keepDimsOf(c, c.g(0), dims, keepDims), dims));
        if (c.g(1) != null) {
            SDVariable v = perEntry(c, keepDimsOf(c, c.g(1), dims, keepDims).mul(centred(c, dims)).mul(2.0), dims);
            grad = grad == null ? v : grad.add(v);
        }
        SDVariable[] r = new SDVariable[c.numInputs()];
        r[0] = grad;
        return r;
    }

    /** Reduced dimensions of a reduction, normalised to non-negative and sorted; empty for a full reduction. */
    static int[] dims(VjpContext c) {
        if (!(c.op() instanceof BaseReduceOp)) throw c.unsupported("expected a reduction");
        return normalise(c, c.numInputs() > 1 ? valueOf(c, c.in(1)) : (int[]) c.field("dimensions"));
    }

    private static int[] valueOf(VjpContext c, SDVariable v) {
        return Arrays.stream(c.integerValue(v)).mapToInt(Math::toIntExact).toArray();
    }

    private static int[] normalise(VjpContext c, int[] dims) {
        int rank = c.rank(c.in(0));
        if (dims == null || dims.length == 0 || (dims.length == 1 && dims[0] == Integer.MAX_VALUE)) return new int[0];
        int[] norm = Arrays.stream(dims).map(d -> d < 0 ? d + rank : d).sorted().distinct().toArray();
        return norm.length == rank ? new int[0] : norm;
    }

    /** {@code g} divided by the number of entries reduced into each output entry. */
    private static SDVariable perEntry(VjpContext c, SDVariable g, int[] dims) {
        Long n = staticCount(c, dims);
        return n != null ? g.div((double) n) : g.div(count(c, dims));
    }

    /** Number of entries reduced into each output entry, {@code null} when it depends on the batch size. */
    private static Long staticCount(VjpContext c, int[] dims) {
        if (dims.length == 0 || dims[0] == 0) return null;
        long[] shape = c.shape(c.in(0));
        long count = 1;
        for (int d : dims) count *= shape[d];
        return count;
    }

    private static SDVariable count(VjpContext c, int[] dims) {
        Long n = staticCount(c, dims);
        if (n != null) return c.scalar(n);
        SDVariable ones = c.sd().onesLike(c.in(0));
        return dims.length == 0 ? ones.sum() : ones.sum(true, dims);
    }

    /** {@code x - mean(x)} over the reduced dimensions. */
    private static SDVariable centred(VjpContext c, int[] dims) {
        return c.in(0).sub(dims.length == 0 ? c.in(0).mean() : c.in(0).mean(true, dims));
    }

    /** {@code N} or, bias-corrected, {@code N - 1}. */
    private static SDVariable varianceDivisor(VjpContext c, int[] dims) {
        SDVariable n = count(c, dims);
        return (boolean) c.field("biasCorrected") ? n.sub(1.0) : n;
    }

    /** The output gradient reshaped to the keepDims shape, ready to broadcast over the input. */
    private static SDVariable spread(VjpContext c) { return keepDimsOf(c, c.g()); }

    /** A keepDims-shaped gradient broadcast to the input's shape ({@link FastGraphOps#spread}). */
    private static SDVariable expand(VjpContext c, SDVariable g) { return FastGraphOps.spread(g, c.sd().zerosLike(c.in(0))); }

    private static SDVariable keepDimsOf(VjpContext c, SDVariable reduced) {
        return keepDimsOf(c, reduced, dims(c), ((BaseReduceOp) c.op()).isKeepDims());
    }

    private static SDVariable keepDimsOf(VjpContext c, SDVariable reduced, int[] dims, boolean keepDims) {
        if (dims.length == 0) return c.sd().reshape(reduced, new long[0]);
        if (keepDims) return reduced;
        SDVariable v = reduced;
        for (int d : dims) v = c.sd().expandDims(v, d);
        return v;
    }
}
