package io.github.repmtl.datavec.npy;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes ND4J arrays as numpy {@code .npy} files in any element type, byte order, memory order and
 * format version, byte for byte as {@code numpy.save} lays them out (header padded with spaces to a
 * multiple of 64 bytes and terminated by a newline).
 *
 * <pre>{@code
 * NpyWriter.builder().dtype(NpyDType.FLOAT32).byteOrder(ByteOrder.BIG_ENDIAN).fortranOrder(true).build()
 *         .write(path, array);
 * }</pre>
 */
public final class NpyWriter {
    private static final int ALIGNMENT = 64;

    private final NpyDType dtype;
    private final ByteOrder byteOrder;
    private final boolean fortranOrder;
    private final int version;

    private NpyWriter(Builder builder) {
        this.dtype = builder.dtype;
        this.byteOrder = builder.byteOrder;
        this.fortranOrder = builder.fortranOrder;
        this.version = builder.version;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Writes the array to a file, replacing it. */
    public void write(Path file, INDArray array) {
        try {
            Files.write(file, toBytes(array));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * The bytes of the {@code .npy} file for an array. Values are converted to the configured element
     * type; an integer element type rejects non-integral values and values outside its range.
     */
    public byte[] toBytes(INDArray array) {
        NpyDType type = dtype != null ? dtype : NpyDType.of(array.dataType());
        long[] shape = array.shape();
        int count = Math.toIntExact(FortranOrder.product(shape));
        byte[] header = headerBytes(type, shape);
        ByteBuffer out = ByteBuffer.allocate(header.length + count * type.width());
        out.put(header);
        ByteBuffer data = out.slice().order(type.width() == 1 ? ByteOrder.LITTLE_ENDIAN : byteOrder);
        if (count > 0) {
            INDArray flat = array.dup('c').reshape('c', new long[]{count});
            int[] storageIndex = fortranOrder ? FortranOrder.storageIndexOfCElements(shape) : null;
            boolean floatingSource = array.dataType().isFPType();
            for (int c = 0; c < count; c++) {
                int position = (storageIndex == null ? c : storageIndex[c]) * type.width();
                put(data, position, type, flat, c, floatingSource);
            }
        }
        return out.array();
    }

    private static void put(ByteBuffer data, int position, NpyDType type, INDArray flat, int index, boolean floatingSource) {
        switch (type) {
            case FLOAT16 -> data.putShort(position, HalfFloat.fromFloat((float) flat.getDouble(index)));
            case FLOAT32 -> data.putFloat(position, (float) flat.getDouble(index));
            case FLOAT64 -> data.putDouble(position, flat.getDouble(index));
            case BOOL -> data.put(position, (byte) (flat.getDouble(index) != 0 ? 1 : 0));
            default -> putInteger(data, position, type, integerValue(flat, index, floatingSource, type));
        }
    }

    private static long integerValue(INDArray flat, int index, boolean floatingSource, NpyDType type) {
        if (floatingSource) {
            double value = flat.getDouble(index);
            if (value != Math.rint(value) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("element " + index + " = " + value + " is not an integer; cannot write it as "
                        + type.typeCode());
            }
            return (long) value;
        }
        return flat.getLong(index);
    }

    private static void putInteger(ByteBuffer data, int position, NpyDType type, long value) {
        long min;
        long max;
        switch (type) {
            case UINT8 -> { min = 0; max = 0xff; }
            case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
            case UINT16 -> { min = 0; max = 0xffff; }
            case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case UINT32 -> { min = 0; max = 0xffffffffL; }
            case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            case UINT64 -> { min = 0; max = Long.MAX_VALUE; }
            default -> { min = Long.MIN_VALUE; max = Long.MAX_VALUE; }
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("value " + value + " does not fit numpy type " + type.typeCode());
        }
        switch (type.width()) {
            case 1 -> data.put(position, (byte) value);
            case 2 -> data.putShort(position, (short) value);
            case 4 -> data.putInt(position, (int) value);
            default -> data.putLong(position, value);
        }
    }

    private byte[] headerBytes(NpyDType type, long[] shape) {
        NpyHeader described = new NpyHeader(type, byteOrder, fortranOrder, shape, version, 0);
        String dictionary = "{'descr': '" + described.descr() + "', 'fortran_order': " + (fortranOrder ? "True" : "False")
                + ", 'shape': " + described.shapeText() + ", }";
        byte[] text = dictionary.getBytes(version == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int preamble = version == 1 ? 10 : 12;
        int unpadded = preamble + text.length + 1;
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        int headerLength = text.length + padding + 1;
        if (version == 1 && headerLength > 0xffff) {
            throw new IllegalArgumentException("header of " + headerLength + " bytes does not fit format version 1.0");
        }
        ByteBuffer header = ByteBuffer.allocate(preamble + headerLength).order(ByteOrder.LITTLE_ENDIAN);
        header.put(NpyReader.MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            header.putShort((short) headerLength);
        } else {
            header.putInt(headerLength);
        }
        header.put(text);
        for (int i = 0; i < padding; i++) {
            header.put((byte) ' ');
        }
        header.put((byte) '\n');
        return header.array();
    }

    /** Configures a {@link NpyWriter}: element type, byte order, memory order and format version. */
    public static final class Builder {
        private NpyDType dtype;
        private ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
        private boolean fortranOrder;
        private int version = 1;

        private Builder() {
        }

        /** The element type to write; by default the one matching the array's ND4J data type. */
        public Builder dtype(NpyDType dtype) {
            this.dtype = dtype;
            return this;
        }

        /** Byte order of multi-byte elements (default little-endian). */
        public Builder byteOrder(ByteOrder byteOrder) {
            if (byteOrder == null) {
                throw new IllegalArgumentException("byteOrder must not be null");
            }
            this.byteOrder = byteOrder;
            return this;
        }

        /** Whether to store the data column-major (default false: C order). */
        public Builder fortranOrder(boolean fortranOrder) {
            this.fortranOrder = fortranOrder;
            return this;
        }

        /** Format major version 1, 2 or 3 (default 1). */
        public Builder version(int version) {
            if (version < 1 || version > 3) {
                throw new IllegalArgumentException("npy format version must be 1, 2 or 3, got " + version);
            }
            this.version = version;
            return this;
        }

        public NpyWriter build() {
            return new NpyWriter(this);
        }
    }
}
