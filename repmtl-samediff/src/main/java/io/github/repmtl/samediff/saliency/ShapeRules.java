package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** Input-gradient rules of ops that only move entries around: reshape, permute, transpose, expand/squeeze, concat. */
final class ShapeRules {
    private ShapeRules() {}

    static void register(Map<String, VjpRule> rules) {
        VjpRule reshapeBack = c -> {
            SDVariable[] r = new SDVariable[c.numInputs()];
            r[0] = c.reshapeLike(c.g(), c.in(0));
            return r;
        };
        rules.put("reshape", reshapeBack);
        rules.put("expand_dims", reshapeBack);
        rules.put("squeeze", reshapeBack);
        rules.put("flatten_2d", reshapeBack);
        rules.put("permute", ShapeRules::permute);
        rules.put("transpose", ShapeRules::permute);
        rules.put("concat", ShapeRules::concat);
        rules.put("strided_slice", ShapeRules::stridedSlice);
    }

    /** Unit-stride slices: the gradient is zero-padded back to the input's extent (the batch axis must be kept whole). */
    private static SDVariable[] stridedSlice(VjpContext c) {
        long[] begin = (long[]) c.field("begin"), end = (long[]) c.field("end"), strides = (long[]) c.field("strides");
        int beginMask = (int) c.field("beginMask"), endMask = (int) c.field("endMask"), shrink = (int) c.field("shrinkAxisMask");
        if (begin == null || end == null) throw c.unsupported("slice bounds given as graph variables");
        if ((int) c.field("ellipsisMask") != 0 || (int) c.field("newAxisMask") != 0) throw c.unsupported("ellipsis or new-axis slicing");
        long[] in = c.shape(c.in(0));
        int[][] pads = new int[in.length][2];
        SDVariable g = c.g();
        for (int d = 0; d < in.length; d++) {
            if (d >= begin.length) continue;                                  // trailing axes kept whole
            if (strides != null && d < strides.length && strides[d] != 1) throw c.unsupported("slice stride " + strides[d] + " on axis " + d);
            long b = (beginMask & (1 << d)) != 0 ? 0 : (begin[d] < 0 ? begin[d] + in[d] : begin[d]);
            long e = (shrink & (1 << d)) != 0 ? b + 1 : (endMask & (1 << d)) != 0 ? in[d] : (end[d] < 0 ? end[d] + in[d] : Math.min(end[d], in[d]));
            if (d == 0 && (b != 0 || e != in[0])) throw c.unsupported("slicing the batch axis");
            pads[d][0] = (int) b;
            pads[d][1] = (int) (in[d] - e);
            if ((shrink & (1 << d)) != 0) g = c.sd().expandDims(g, d);
        }
        SDVariable[] r = new SDVariable[c.numInputs()];
        boolean padded = false;
        for (int[] p : pads) padded |= p[0] != 0 || p[1] != 0;
        r[0] = padded ? c.sd().nn.pad(g, c.sd().constant(org.nd4j.linalg.factory.Nd4j.createFromArray(pads)), 0.0) : g;
        return r;
    }

    private static SDVariable[] permute(VjpContext c) {
        int rank = c.rank(c.in(0));
        int[] perm = permutation(c, rank);
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        SDVariable[] r = new SDVariable[c.numInputs()];
        r[0] = c.sd().permute(c.g(), inverse);
        return r;
    }

    private static int[] permutation(VjpContext c, int rank) {
        long[] iArgs = c.iArgs();
        if (iArgs.length == rank) {
            int[] p = new int[rank];
            for (int i = 0; i < rank; i++) p[i] = (int) iArgs[i];
            return p;
        }
        if (c.numInputs() > 1) {
            INDArray arr = c.in(1).getArr();
            if (arr == null) throw c.unsupported("permutation given by a non-constant variable");
            return arr.toIntVector();
        }
        int[] reversed = new int[rank];                    // transpose without dimensions reverses the axes
        for (int i = 0; i < rank; i++) reversed[i] = rank - 1 - i;
        return reversed;
    }

    private static SDVariable[] concat(VjpContext c) {
        long[] iArgs = c.iArgs();
        int rank = c.rank(c.out());
        int axis = iArgs.length > 0 ? (int) iArgs[0] : -1;
        if (axis < 0) axis += rank;
        if (axis == 0) throw c.unsupported("concatenation along the batch axis");
        SDVariable[] r = new SDVariable[c.numInputs()];
        long offset = 0;
        for (int i = 0; i < c.numInputs(); i++) {
            long size = c.shape(c.in(i))[axis];
            if (c.needsGradient(i)) {
                long[] begin = new long[rank], end = new long[rank], strides = new long[rank];
                java.util.Arrays.fill(strides, 1);
                begin[axis] = offset;
                end[axis] = offset + size;
                int mask = ((1 << rank) - 1) & ~(1 << axis);
                r[i] = c.sd().stridedSlice(c.g(), begin, end, strides, mask, mask, 0, 0, 0);
            }
            offset += size;
        }
        return r;
    }
}
