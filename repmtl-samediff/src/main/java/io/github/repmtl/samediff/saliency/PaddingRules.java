package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Input-gradient rule of {@code pad} in its three modes, for non-negative paddings known when the graph is built
 * (a constant or an integer array recorded by the {@link ShapeProbe}). Constant padding: the gradient is the window
 * of the un-padded input. Reflect and symmetric padding, axis by axis: the gradients of the mirrored border rows are
 * reversed and added onto the rows they copy. The batch axis may only be padded in constant mode.
 */
final class PaddingRules {
    private static final int CONSTANT = 0, REFLECT = 1, SYMMETRIC = 2;

    private PaddingRules() {}

    static void register(Map<String, VjpRule> rules) {
        rules.put("pad", PaddingRules::pad);
    }

    private static SDVariable[] pad(VjpContext c) {
        if (c.numInputs() > 2 && c.needsGradient(2)) throw c.unsupported("a pad value that depends on the shared activation");
        long[] iArgs = c.iArgs();
        int mode = iArgs.length > 0 ? (int) iArgs[0] : CONSTANT;
        if (mode != CONSTANT && mode != REFLECT && mode != SYMMETRIC) throw c.unsupported("pad mode " + mode);
        long[] in = c.shape(c.in(0));
        int rank = in.length;
        long[] p = c.integerValue(c.in(1));
        if (p.length != 2 * rank) throw c.unsupported("paddings of " + p.length + " values for rank " + rank);
        for (long v : p) if (v < 0) throw c.unsupported("negative paddings " + java.util.Arrays.toString(p));
        SDVariable g = c.g();
        if (mode == CONSTANT) {
            long[] begin = new long[rank], end = new long[rank], strides = new long[rank];
            int endMask = 0;
            for (int d = 0; d < rank; d++) {
                begin[d] = p[2 * d];
                end[d] = -p[2 * d + 1];                 // relative to the padded extent: the batch size need not be known
                if (p[2 * d + 1] == 0) endMask |= 1 << d;
                strides[d] = 1;
            }
            if (!isZero(p)) g = c.sd().stridedSlice(g, begin, end, strides, 0, endMask, 0, 0, 0);
        } else {
            for (int d = 0; d < rank; d++) {
                long before = p[2 * d], after = p[2 * d + 1];
                if (before == 0 && after == 0) continue;
                if (d == 0) throw c.unsupported("mirror padding of the batch axis");
                g = unmirror(c, g, d, rank, in[d], before, after, mode == REFLECT ? 1 : 0);
            }
        }
        SDVariable[] r = new SDVariable[c.numInputs()];
        r[0] = g;
        return r;
    }

    /**
     * Folds the mirrored borders of axis {@code d} back: {@code skip} is 1 for reflect (the edge row is not
     * repeated) and 0 for symmetric padding.
     */
    private static SDVariable unmirror(VjpContext c, SDVariable g, int d, int rank, long n, long before, long after, int skip) {
        SDVariable grad = slice(c, g, d, rank, before, before + n);
        if (before > 0) {
            SDVariable left = c.sd().reverse(slice(c, g, d, rank, 0, before), d);       // entry j copies row j + skip
            grad = grad.add(padAxis(c, left, d, rank, skip, n - before - skip));
        }
        if (after > 0) {
            SDVariable right = c.sd().reverse(slice(c, g, d, rank, before + n, before + n + after), d);
            grad = grad.add(padAxis(c, right, d, rank, n - after - skip, skip));          // entry j copies row n - after - skip + j
        }
        return grad;
    }

    private static SDVariable slice(VjpContext c, SDVariable g, int d, int rank, long from, long to) {
        long[] begin = new long[rank], end = new long[rank], strides = new long[rank];
        java.util.Arrays.fill(strides, 1);
        begin[d] = from;
        end[d] = to;
        int mask = ((1 << rank) - 1) & ~(1 << d);
        return c.sd().stridedSlice(g, begin, end, strides, mask, mask, 0, 0, 0);
    }

    private static SDVariable padAxis(VjpContext c, SDVariable v, int d, int rank, long before, long after) {
        if (before == 0 && after == 0) return v;
        int[][] pads = new int[rank][2];
        pads[d][0] = (int) before;
        pads[d][1] = (int) after;
        return c.sd().nn.pad(v, c.sd().constant(Nd4j.createFromArray(pads)), 0.0);
    }

    private static boolean isZero(long[] p) {
        for (long v : p) if (v != 0) return false;
        return true;
    }
}
