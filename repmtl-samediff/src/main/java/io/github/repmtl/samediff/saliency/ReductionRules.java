package io.github.repmtl.samediff.saliency;

import io.github.repmtl.samediff.util.FastGraphOps;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.BaseReduceOp;

import java.util.Arrays;
import java.util.Map;

import static io.github.repmtl.samediff.saliency.ElementwiseRules.one;

/**
 * Input-gradient rules of sum, mean, squared-norm, max and min reductions over fixed dimensions (with or without
 * keepDims). Max/min route the gradient to every entry equal to the extreme value.
 */
final class ReductionRules {
    private ReductionRules() {}

    static void register(Map<String, VjpRule> rules) {
        rules.put("reduce_sum", c -> one(expand(c, spread(c))));
        rules.put("reduce_mean", c -> {
            int[] dims = dims(c);
            if (dims.length > 0 && dims[0] > 0) {                   // batch axis kept: the count is known now
                long[] shape = c.shape(c.in(0));
                long count = 1;
                for (int d : dims) count *= shape[d];
                return one(expand(c, spread(c).div((double) count)));
            }
            SDVariable ones = c.sd().onesLike(c.in(0));
            SDVariable count = dims.length == 0 ? ones.sum() : ones.sum(true, dims);
            return one(expand(c, spread(c).div(count)));
        });
        rules.put("reduce_sqnorm", c -> one(spread(c).mul(c.in(0)).mul(2.0)));
        rules.put("reduce_max", ReductionRules::extreme);
        rules.put("reduce_min", ReductionRules::extreme);
    }

    private static SDVariable[] extreme(VjpContext c) {
        SDVariable hit = c.mask(c.in(0).eq(keepDimsOf(c, c.out())));
        return one(spread(c).mul(hit));
    }

    /** Reduced dimensions, normalised to non-negative; empty for a full reduction. */
    static int[] dims(VjpContext c) {
        if (!(c.op() instanceof BaseReduceOp r)) throw c.unsupported("expected a reduction");
        if (r.getDimensionVariable() != null && c.op().args().length > 1)
            throw c.unsupported("reduction dimensions given as a graph variable");
        int[] dims = (int[]) c.field("dimensions");
        int rank = c.rank(c.in(0));
        if (dims == null || dims.length == 0 || (dims.length == 1 && dims[0] == Integer.MAX_VALUE)) return new int[0];
        int[] norm = Arrays.stream(dims).map(d -> d < 0 ? d + rank : d).sorted().toArray();
        return norm.length == rank ? new int[0] : norm;
    }

    /** The output gradient reshaped to the keepDims shape, ready to broadcast over the input. */
    private static SDVariable spread(VjpContext c) { return keepDimsOf(c, c.g()); }

    /** A keepDims-shaped gradient broadcast to the input's shape ({@link FastGraphOps#spread}). */
    private static SDVariable expand(VjpContext c, SDVariable g) { return FastGraphOps.spread(g, c.sd().zerosLike(c.in(0))); }

    private static SDVariable keepDimsOf(VjpContext c, SDVariable reduced) {
        int[] dims = dims(c);
        boolean keepDims = ((BaseReduceOp) c.op()).isKeepDims();
        if (dims.length == 0) return c.sd().reshape(reduced, new long[0]);
        if (keepDims) return reduced;
        SDVariable v = reduced;
        for (int d : dims) v = c.sd().expandDims(v, d);
        return v;
    }
}
