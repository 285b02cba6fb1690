package io.github.repmtl.datavec.idx;

import java.util.Arrays;

/**
 * An unsigned-byte array read from an idx file (the MNIST / Fashion-MNIST format): its dimensions
 * (first dimension = number of items) and its bytes in row-major order.
 *
 * @param source where it was read from, for error messages
 * @param dims   the dimensions, e.g. {@code [60000, 28, 28]} for images or {@code [60000]} for labels
 * @param data   the unsigned bytes, row-major
 */
public record IdxArray(String source, int[] dims, byte[] data) {

    public IdxArray {
        dims = dims.clone();
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** Number of items (the first dimension). */
    public int count() {
        return dims[0];
    }

    /** Number of bytes per item (the product of the remaining dimensions). */
    public int itemSize() {
        int size = 1;
        for (int k = 1; k < dims.length; k++) {
            size *= dims[k];
        }
        return size;
    }

    /** The byte at a flat index, as an unsigned value 0..255. */
    public int unsigned(int index) {
        return data[index] & 0xff;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IdxArray that && source.equals(that.source) && Arrays.equals(dims, that.dims)
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxArray[source=" + source + ", dims=" + Arrays.toString(dims) + "]";
    }
}
