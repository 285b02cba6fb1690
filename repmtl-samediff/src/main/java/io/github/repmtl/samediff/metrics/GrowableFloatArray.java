package io.github.repmtl.samediff.metrics;

import java.util.Arrays;

/**
 * An append-only primitive {@code float} buffer that grows by half its size, so an epoch's worth of
 * per-pixel values (tens of millions) costs 4 bytes each instead of a boxed object each.
 */
final class GrowableFloatArray {
    private static final int INITIAL_CAPACITY = 1 << 16;
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    private float[] values = new float[INITIAL_CAPACITY];
    private int size;

    void add(float value) {
        if (size == values.length) grow();
        values[size++] = value;
    }

    int size() { return size; }

    /** Empties the buffer and keeps its capacity for the next epoch. */
    void clear() { size = 0; }

    /** The exact median of the stored values (see {@link FloatSelection#median}); reorders them. */
    double median() { return FloatSelection.median(values, size); }

    private void grow() {
        if (values.length == MAX_CAPACITY) {
            throw new IllegalStateException("more than " + MAX_CAPACITY + " values in one evaluation epoch");
        }
        int capacity = (int) Math.min(MAX_CAPACITY, (long) values.length + (values.length >> 1));
        values = Arrays.copyOf(values, capacity);
    }
}
