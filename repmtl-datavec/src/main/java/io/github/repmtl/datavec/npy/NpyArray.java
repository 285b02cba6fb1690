package io.github.repmtl.datavec.npy;

import io.github.repmtl.datavec.InvalidDataException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The validated contents of one {@code .npy} file: its header and its raw data bytes, still in the
 * file's byte order and memory order. The conversions ({@link #toINDArray()}, {@link #toFloatArray()},
 * {@link #toLongArray()}, {@link #toDoubleArray()}) always return the elements in C (row-major) order.
 */
public final class NpyArray {
    private final String source;
    private final NpyHeader header;
    private final ByteBuffer data;

    NpyArray(String source, NpyHeader header, ByteBuffer data) {
        this.source = source;
        this.header = header;
        this.data = data.slice().order(header.byteOrder());
    }

    /** Where the array was read from (a file path or a resource name), as used in error messages. */
    public String source() {
        return source;
    }

    public NpyHeader header() {
        return header;
    }

    public NpyDType dtype() {
        return header.dtype();
    }

    public long[] shape() {
        return header.shape();
    }

    /**
     * Checks the shape, throwing an {@link InvalidDataException} naming the file, the actual and the
     * expected shape when they differ.
     *
     * @return this array
     */
    public NpyArray requireShape(long... expected) {
        if (!Arrays.equals(header.shape(), expected)) {
            throw new InvalidDataException(source + ": shape " + header.shapeText() + " but expected "
                    + NpyHeader.shapeText(expected));
        }
        return this;
    }

    /** The array as an ND4J array of the matching data type (see {@link NpyDType#nd4jType()}), C order. */
    public INDArray toINDArray() {
        long[] shape = header.shape();
        if (header.elementCount() == 0) {
            return Nd4j.create(header.dtype().nd4jType(), shape);
        }
        INDArray array = Nd4j.createUninitialized(header.dtype().nd4jType(), shape, header.fortranOrder() ? 'f' : 'c');
        ByteBuffer target = array.data().asNio().order(ByteOrder.nativeOrder());
        int width = header.dtype().width();
        if (width == 1 || header.byteOrder().equals(ByteOrder.nativeOrder())) {
            target.put(data.duplicate());
        } else {
            copySwapped(target, width);
        }
        return header.fortranOrder() ? array.dup('c') : array;
    }

    private void copySwapped(ByteBuffer target, int width) {
        int count = elementCount();
        for (int i = 0; i < count; i++) {
            int offset = i * width;
            switch (width) {
                case 2 -> target.putShort(offset, data.getShort(offset));
                case 4 -> target.putInt(offset, data.getInt(offset));
                default -> target.putLong(offset, data.getLong(offset));
            }
        }
    }

    /** The elements converted to {@code float}, in C order. */
    public float[] toFloatArray() {
        int count = elementCount();
        float[] storage = new float[count];
        if (header.dtype() == NpyDType.FLOAT32) {
            data.duplicate().order(header.byteOrder()).asFloatBuffer().get(storage);
        } else {
            for (int i = 0; i < count; i++) {
                storage[i] = (float) storedDouble(i);
            }
        }
        if (!header.fortranOrder()) {
            return storage;
        }
        int[] storageIndex = FortranOrder.storageIndexOfCElements(header.shape());
        float[] values = new float[count];
        for (int c = 0; c < count; c++) {
            values[c] = storage[storageIndex[c]];
        }
        return values;
    }

    /** The elements converted to {@code double}, in C order. */
    public double[] toDoubleArray() {
        int count = elementCount();
        int[] storageIndex = header.fortranOrder() ? FortranOrder.storageIndexOfCElements(header.shape()) : null;
        double[] values = new double[count];
        for (int c = 0; c < count; c++) {
            values[c] = storedDouble(storageIndex == null ? c : storageIndex[c]);
        }
        return values;
    }

    /**
     * The elements as {@code long}, in C order. Floating-point elements must hold integral values;
     * a NaN or fractional element raises an {@link InvalidDataException} naming the file and position.
     */
    public long[] toLongArray() {
        int count = elementCount();
        int[] storageIndex = header.fortranOrder() ? FortranOrder.storageIndexOfCElements(header.shape()) : null;
        long[] values = new long[count];
        boolean floating = header.dtype().isFloatingPoint();
        for (int c = 0; c < count; c++) {
            int stored = storageIndex == null ? c : storageIndex[c];
            if (floating) {
                double value = storedDouble(stored);
                if (value != Math.rint(value) || Double.isInfinite(value)) {
                    throw new InvalidDataException(source + ": element " + positionText(c) + " is " + value
                            + ", not an integer");
                }
                values[c] = (long) value;
            } else {
                values[c] = storedLong(stored);
                if (header.dtype() == NpyDType.UINT64 && values[c] < 0) {
                    throw new InvalidDataException(source + ": element " + positionText(c) + " = "
                            + Long.toUnsignedString(values[c]) + " does not fit a signed 64-bit integer");
                }
            }
        }
        return values;
    }

    /** The multi-index of the element with the given C-order index, e.g. {@code [3, 17]}, for messages. */
    public String positionText(long cIndex) {
        long[] shape = header.shape();
        long[] index = new long[shape.length];
        long rest = cIndex;
        for (int k = shape.length - 1; k >= 0; k--) {
            index[k] = rest % shape[k];
            rest /= shape[k];
        }
        return Arrays.toString(index);
    }

    private int elementCount() {
        long count = header.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new InvalidDataException(source + ": " + count + " elements are too many for one Java array");
        }
        return (int) count;
    }

    private double storedDouble(int i) {
        return switch (header.dtype()) {
            case FLOAT16 -> HalfFloat.toFloat(data.getShort(2 * i));
            case FLOAT32 -> data.getFloat(4 * i);
            case FLOAT64 -> data.getDouble(8 * i);
            case UINT64 -> unsignedToDouble(data.getLong(8 * i));
            default -> storedLong(i);
        };
    }

    private long storedLong(int i) {
        return switch (header.dtype()) {
            case BOOL, UINT8 -> data.get(i) & 0xffL;
            case INT8 -> data.get(i);
            case UINT16 -> data.getShort(2 * i) & 0xffffL;
            case INT16 -> data.getShort(2 * i);
            case UINT32 -> data.getInt(4 * i) & 0xffffffffL;
            case INT32 -> data.getInt(4 * i);
            case UINT64, INT64 -> data.getLong(8 * i);
            default -> throw new IllegalStateException("not an integer type: " + header.dtype());
        };
    }

    private static double unsignedToDouble(long value) {
        double high = (double) (value >>> 1) * 2.0;
        return value >= 0 ? value : high + (value & 1);
    }
}
