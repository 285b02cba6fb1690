package io.github.repmtl.samediff.metrics;

import java.util.SplittableRandom;

/**
 * Exact order statistics of a primitive {@code float[]} by randomised quickselect with three-way
 * partitioning: expected linear time, no boxing, no copy (the array is reordered in place), and no quadratic
 * behaviour on the many repeated values angle data contain. The pivot sequence is seeded, so results and
 * timings are reproducible.
 */
final class FloatSelection {
    private static final long PIVOT_SEED = 0x5EEDL;

    private FloatSelection() {}

    /**
     * The median of {@code values[0, size)}: the middle element for an odd size, the mean of the two middle
     * elements for an even size (as {@code numpy.median}). Reorders that range. The values must not be NaN.
     */
    static double median(float[] values, int size) {
        if (size < 1) throw new IllegalArgumentException("median of an empty sample");
        int upperIndex = size / 2;
        float upper = select(values, size, upperIndex);
        if (size % 2 == 1) return upper;
        float lower = values[0];
        for (int i = 1; i < upperIndex; i++) lower = Math.max(lower, values[i]);
        return ((double) lower + upper) / 2.0;
    }

    /**
     * The {@code k}-th smallest (0-based) of {@code values[0, size)}. Afterwards every element at an index
     * below {@code k} is {@code <=} the result and every element above it is {@code >=} the result.
     */
    static float select(float[] values, int size, int k) {
        if (k < 0 || k >= size) throw new IllegalArgumentException("rank " + k + " outside [0, " + size + ")");
        SplittableRandom random = new SplittableRandom(PIVOT_SEED);
        int lo = 0;
        int hi = size - 1;
        while (lo < hi) {
            float pivot = values[lo + random.nextInt(hi - lo + 1)];
            int less = lo;
            int i = lo;
            int greater = hi;
            while (i <= greater) {
                float v = values[i];
                if (v < pivot) {
                    swap(values, less++, i++);
                } else if (v > pivot) {
                    swap(values, i, greater--);
                } else {
                    i++;
                }
            }
            if (k < less) {
                hi = less - 1;
            } else if (k > greater) {
                lo = greater + 1;
            } else {
                return pivot;
            }
        }
        return values[k];
    }

    private static void swap(float[] values, int a, int b) {
        float t = values[a];
        values[a] = values[b];
        values[b] = t;
    }
}
