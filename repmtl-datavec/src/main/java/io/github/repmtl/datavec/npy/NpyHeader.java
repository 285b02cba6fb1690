package io.github.repmtl.datavec.npy;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The parsed header of a {@code .npy} file: element type, byte order, memory order, shape, format
 * version and where the data starts.
 *
 * @param dtype        element type
 * @param byteOrder    byte order of multi-byte elements (single-byte types report little-endian)
 * @param fortranOrder true when the data is stored column-major ({@code 'fortran_order': True})
 * @param shape        the array shape; empty for a 0-d array
 * @param version      format major version, 1, 2 or 3
 * @param dataOffset   offset of the first data byte from the start of the file
 */
public record NpyHeader(NpyDType dtype, ByteOrder byteOrder, boolean fortranOrder, long[] shape, int version,
                        int dataOffset) {

    public NpyHeader {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements, the product of the shape (1 for a 0-d array). */
    public long elementCount() {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** The number of data bytes the header announces. */
    public long dataBytes() {
        return Math.multiplyExact(elementCount(), (long) dtype.width());
    }

    /** The shape written the numpy way, e.g. {@code (288, 384, 3)} or {@code (5,)}. */
    public String shapeText() {
        return shapeText(shape);
    }

    /** Writes a shape the numpy way, e.g. {@code (288, 384, 3)} or {@code (5,)}. */
    public static String shapeText(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return text.append(')').toString();
    }

    /** The numpy {@code descr} string, e.g. {@code <f4} or {@code |u1}. */
    public String descr() {
        char orderChar = dtype.width() == 1 ? '|' : (byteOrder == ByteOrder.BIG_ENDIAN ? '>' : '<');
        return orderChar + dtype.typeCode();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NpyHeader that && dtype == that.dtype && byteOrder.equals(that.byteOrder)
                && fortranOrder == that.fortranOrder && Arrays.equals(shape, that.shape) && version == that.version
                && dataOffset == that.dataOffset;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + dtype.hashCode();
    }

    @Override
    public String toString() {
        return "NpyHeader[descr=" + descr() + ", fortranOrder=" + fortranOrder + ", shape=" + shapeText()
                + ", version=" + version + ", dataOffset=" + dataOffset + "]";
    }
}
