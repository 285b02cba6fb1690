package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;

/**
 * Input-gradient rules of ops that only move or copy entries: reshape, permute, transpose, expand/squeeze, concat,
 * split, strided slices, tile and broadcast_to. Axes, bounds and repeats given by integer graph variables are resolved
 * when the graph is built ({@link VjpContext#integerValue}).
 */
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
        rules.put("split", ShapeRules::split);
        rules.put("split_v", ShapeRules::split);
        rules.put("tile", ShapeRules::tile);
        rules.put("broadcast_to", c -> {
            SDVariable[] r = new SDVariable[c.numInputs()];
            r[0] = c.unbroadcast(c.g(), 0);
            return r;
        });
    }

    /** Unit-stride slices: the gradient is zero-padded back to the input's extent (the batch axis must be kept whole). */
    private static SDVariable[] stridedSlice(VjpContext c) {
        long[] begin = (long[]) c.field("begin"), end = (long[]) c.field("end"), strides = (long[]) c.field("strides");
        if (begin == null && c.numInputs() >= 3) {                          // bounds given as graph variables
            begin = c.integerValue(c.in(1));
            end = c.integerValue(c.in(2));
            strides = c.numInputs() > 3 ? c.integerValue(c.in(3)) : null;
            // M2.1 resolves negative bounds given as variables differently from the static form (a 2..-1 slice of 5 has 1 entry)
            if (java.util.Arrays.stream(begin).anyMatch(b -> b < 0) || java.util.Arrays.stream(end).anyMatch(e -> e < 0))
                throw c.unsupported("negative slice bounds given as graph variables");
        }
        if (begin == null || end == null) throw c.unsupported("slice bounds not given");
        long[] masks = c.iArgs();                          // [begin, ellipsis, end, new-axis, shrink] masks, then bounds
        int beginMask = (int) masks[0], endMask = (int) masks[2], shrink = (int) masks[4];
        if (masks[1] != 0 || masks[3] != 0) throw c.unsupported("ellipsis or new-axis slicing");
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
        if (c.numInputs() > 1) return java.util.Arrays.stream(c.integerValue(c.in(1))).mapToInt(Math::toIntExact).toArray();
        int[] reversed = new int[rank];                    // transpose without dimensions reverses the axes
        for (int i = 0; i < rank; i++) reversed[i] = rank - 1 - i;
        return reversed;
    }

    private static SDVariable[] concat(VjpContext c) {
        long[] iArgs = c.iArgs();
        int rank = c.rank(c.out());
        boolean dynamicAxis = (boolean) c.field("isDynamicAxis");       // the axis is the last input
        int parts = dynamicAxis ? c.numInputs() - 1 : c.numInputs();
        int axis = dynamicAxis ? (int) c.integerValue(c.in(parts))[0] : iArgs.length > 0 ? (int) iArgs[0] : -1;
        if (axis < 0) axis += rank;
        if (axis == 0) throw c.unsupported("concatenation along the batch axis");
        SDVariable[] r = new SDVariable[c.numInputs()];
        long offset = 0;
        for (int i = 0; i < parts; i++) {
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

    /** {@code split} / {@code split_v}: the output gradients (zeros for unused outputs) concatenated along the split axis. */
    private static SDVariable[] split(VjpContext c) {
        long[] iArgs = c.iArgs();
        int data = 0;
        int axis;
        if (c.op().opName().equals("split")) {
            if (c.numInputs() > 1) {                           // the data and a scalar axis, in either order
                data = c.in(0).dataType().isFPType() ? 0 : 1;
                axis = (int) c.integerValue(c.in(1 - data))[0];
            } else {
                axis = (int) iArgs[iArgs.length - 1];          // [numSplit, axis]
            }
        } else {
            axis = c.numInputs() > 2 ? (int) c.integerValue(c.in(2))[0] : (int) iArgs[0];    // [axis, numSplit]
        }
        int rank = c.rank(c.in(data));
        if (axis < 0) axis += rank;
        if (axis == 0) throw c.unsupported("splitting the batch axis");
        SDVariable[] parts = new SDVariable[c.numOutputs()];
        for (int i = 0; i < parts.length; i++) parts[i] = c.g(i) != null ? c.g(i) : c.sd().zerosLike(c.out(i));
        SDVariable[] r = new SDVariable[c.numInputs()];
        r[data] = parts.length == 1 ? parts[0] : c.sd().concat(axis, parts);
        return r;
    }

    /** {@code tile}: the output gradient viewed as {@code [r0, n0, r1, n1, ...]} and summed over the copies. */
    private static SDVariable[] tile(VjpContext c) {
        long[] in = c.shape(c.in(0));
        long[] reps = c.numInputs() > 1 ? c.integerValue(c.in(1)) : c.iArgs();
        if (reps.length != in.length) throw c.unsupported(reps.length + " repeats for rank " + in.length);
        long[] view = new long[2 * in.length];
        int[] copies = new int[in.length];
        for (int d = 0; d < in.length; d++) {
            view[2 * d] = reps[d];
            view[2 * d + 1] = d == 0 ? -1 : in[d];             // the batch size is not fixed
            copies[d] = 2 * d;
        }
        SDVariable[] r = new SDVariable[c.numInputs()];
        r[0] = c.sd().reshape(c.g(), view).sum(false, copies);
        return r;
    }
}
