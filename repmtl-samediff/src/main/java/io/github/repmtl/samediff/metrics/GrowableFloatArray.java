package io.github.repmtl.samediff.metrics;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Arrays;

/**
 * An append-only primitive {@code float} buffer that grows by half its size, so an epoch's worth of
 * per-pixel values (tens of millions) costs 4 bytes each instead of a boxed object each. Serialization writes the
 * stored values only (not the spare capacity).
 */
final class GrowableFloatArray implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int INITIAL_CAPACITY = 1 << 16;
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    private transient float[] values = new float[INITIAL_CAPACITY];
    private int size;

    void add(float value) {
        if (size == values.length) ensureCapacity((long) size + 1);
        values[size++] = value;
    }

    /** Appends every value of {@code other} (also when {@code other} is this buffer: its values then appear twice). */
    void addAll(GrowableFloatArray other) {
        float[] source = other.values;                                     // read before growing: other may be this
        int n = other.size;
        ensureCapacity((long) size + n);
        System.arraycopy(source, 0, values, size, n);
        size += n;
    }

    int size() { return size; }

    /** Empties the buffer and keeps its capacity for the next epoch. */
    void clear() { size = 0; }

    /** The exact median of the stored values (see {@link FloatSelection#median}); reorders them. */
    double median() { return FloatSelection.median(values, size); }

    private void ensureCapacity(long needed) {
        if (needed <= values.length) return;
        if (needed > MAX_CAPACITY) {
            throw new IllegalStateException("more than " + MAX_CAPACITY + " values in one evaluation epoch");
        }
        long grown = (long) values.length + (values.length >> 1);
        values = Arrays.copyOf(values, (int) Math.min(MAX_CAPACITY, Math.max(needed, grown)));
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        out.writeObject(Arrays.copyOf(values, size));
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        float[] stored = (float[]) in.readObject();
        if (stored.length != size) throw new InvalidObjectException("stored " + stored.length + " values, expected " + size);
        values = Arrays.copyOf(stored, Math.max(size, INITIAL_CAPACITY));
    }
}
