package io.github.repmtl.datavec.npy;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.Optional;

/**
 * The numpy element types this module reads and writes, with their {@code descr} type code (without
 * the byte-order character), their width in bytes and the ND4J {@link DataType} they become.
 */
public enum NpyDType {
    BOOL("b1", 1, DataType.BOOL, false),
    UINT8("u1", 1, DataType.UBYTE, false),
    INT8("i1", 1, DataType.BYTE, false),
    UINT16("u2", 2, DataType.UINT16, false),
    INT16("i2", 2, DataType.SHORT, false),
    UINT32("u4", 4, DataType.UINT32, false),
    INT32("i4", 4, DataType.INT, false),
    UINT64("u8", 8, DataType.UINT64, false),
    INT64("i8", 8, DataType.LONG, false),
    FLOAT16("f2", 2, DataType.HALF, true),
    FLOAT32("f4", 4, DataType.FLOAT, true),
    FLOAT64("f8", 8, DataType.DOUBLE, true);

    private final String typeCode;
    private final int width;
    private final DataType nd4jType;
    private final boolean floatingPoint;

    NpyDType(String typeCode, int width, DataType nd4jType, boolean floatingPoint) {
        this.typeCode = typeCode;
        this.width = width;
        this.nd4jType = nd4jType;
        this.floatingPoint = floatingPoint;
    }

    /** The numpy type code without byte order, e.g. {@code "f4"}. */
    public String typeCode() {
        return typeCode;
    }

    /** Bytes per element. */
    public int width() {
        return width;
    }

    /** The ND4J data type arrays of this element type are read into. */
    public DataType nd4jType() {
        return nd4jType;
    }

    /** Whether the element type is a floating-point type (f2, f4, f8). */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The element type with the given numpy type code ({@code "f4"}, {@code "u1"}, ...), if supported. */
    public static Optional<NpyDType> ofTypeCode(String code) {
        for (NpyDType type : values()) {
            if (type.typeCode.equals(code)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** The element type ND4J arrays of the given data type are written as by default. */
    public static NpyDType of(DataType dataType) {
        for (NpyDType type : values()) {
            if (type.nd4jType == dataType) {
                return type;
            }
        }
        throw new IllegalArgumentException("no numpy element type for ND4J data type " + dataType);
    }
}
