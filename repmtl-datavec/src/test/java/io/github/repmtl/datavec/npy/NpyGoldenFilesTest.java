package io.github.repmtl.datavec.npy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Files written by numpy 2.4 ({@code np.save} / {@code np.lib.format.write_array}), embedded as hex:
 * the reader must decode them element by element and the writer must reproduce them byte for byte.
 */
class NpyGoldenFilesTest {
    /** {@code np.asfortranarray(np.array([[-2, -0.5, 1], [2.5, 4, 5.5]], dtype='>f4'))}. */
    private static final String F4_BIG_FORTRAN = "934e554d5059010076007b276465736372273a20273e6634272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200ac000000040200000bf000000408000003f80000040b00000";
    /** {@code np.array([[-1, 2**40], [3, -2**62]], dtype='<i8')}. */
    private static final String I8_LITTLE = "934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2032292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200affffffffffffffff0000000000010000030000000000000000000000000000c0";
    /** {@code np.arange(-6, 6, dtype='>i2').reshape(2, 3, 2)}. */
    private static final String I2_BIG_3D = "934e554d5059010076007b276465736372273a20273e6932272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c20332c2032292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200afffafffbfffcfffdfffeffff000000010002000300040005";
    /** {@code np.array([0.1, -1e300, 3], dtype='<f8')}, format version 2.0. */
    private static final String F8_V2 = "934e554d50590200740000007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a9a9999999999b93f9c7500883ce437fe0000000000000840";
    /** {@code np.array([[0, 200, 255]], dtype='u1')}, format version 3.0. */
    private static final String U1_V3 = "934e554d50590300740000007b276465736372273a20277c7531272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c2033292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a00c8ff";
    /** {@code np.array([True, False, True])}. */
    private static final String B1 = "934e554d5059010076007b276465736372273a20277c6231272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a010001";
    /** {@code np.array([1.5, -0.0001, 65504, np.inf], dtype='<f2')}. */
    private static final String F2 = "934e554d5059010076007b276465736372273a20273c6632272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028342c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a003e8e86ff7b007c";
    /** {@code np.asfortranarray(np.array([[1, 4000000000], [7, 8]], dtype='>u4'))}. */
    private static final String U4_BIG_FORTRAN = "934e554d5059010076007b276465736372273a20273e7534272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c2032292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000000100000007ee6b280000000008";
    /** {@code np.array(3.25, dtype='<f4')}, a 0-d array. */
    private static final String SCALAR = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a00005040";

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static NpyArray read(String hex) {
        return NpyReader.read("golden.npy", bytes(hex));
    }

    @Test
    void bigEndianFortranFloat32() {
        NpyArray array = read(F4_BIG_FORTRAN);
        assertEquals(NpyDType.FLOAT32, array.dtype());
        assertEquals(ByteOrder.BIG_ENDIAN, array.header().byteOrder());
        assertEquals(true, array.header().fortranOrder());
        assertArrayEquals(new long[]{2, 3}, array.shape());
        float[] expected = {-2f, -0.5f, 1f, 2.5f, 4f, 5.5f};
        assertArrayEquals(expected, array.toFloatArray());
        INDArray nd = array.toINDArray();
        assertEquals(DataType.FLOAT, nd.dataType());
        assertEquals(-0.5f, nd.getFloat(0, 1));
        assertEquals(2.5f, nd.getFloat(1, 0));
        assertEquals(5.5f, nd.getFloat(1, 2));
        assertWriterReproduces(F4_BIG_FORTRAN, Nd4j.createFromArray(new float[][]{{-2f, -0.5f, 1f}, {2.5f, 4f, 5.5f}}),
                NpyWriter.builder().byteOrder(ByteOrder.BIG_ENDIAN).fortranOrder(true));
    }

    @Test
    void littleEndianInt64KeepsEveryBit() {
        NpyArray array = read(I8_LITTLE);
        assertArrayEquals(new long[]{-1, 1L << 40, 3, -(1L << 62)}, array.toLongArray());
        INDArray nd = array.toINDArray();
        assertEquals(DataType.LONG, nd.dataType());
        assertEquals(-(1L << 62), nd.getLong(1, 1));
        assertWriterReproduces(I8_LITTLE, Nd4j.createFromArray(new long[][]{{-1, 1L << 40}, {3, -(1L << 62)}}),
                NpyWriter.builder());
    }

    @Test
    void bigEndianInt16ThreeDimensional() {
        NpyArray array = read(I2_BIG_3D);
        assertArrayEquals(new long[]{2, 3, 2}, array.shape());
        assertArrayEquals(new long[]{-6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5}, array.toLongArray());
        INDArray nd = array.toINDArray();
        assertEquals(DataType.SHORT, nd.dataType());
        assertEquals(-3, nd.getInt(0, 1, 1));
        assertEquals(4, nd.getInt(1, 2, 0));
        assertWriterReproduces(I2_BIG_3D, Nd4j.arange(-6, 6).castTo(DataType.LONG).reshape(2, 3, 2),
                NpyWriter.builder().dtype(NpyDType.INT16).byteOrder(ByteOrder.BIG_ENDIAN));
    }

    @Test
    void version2Float64() {
        NpyArray array = read(F8_V2);
        assertEquals(2, array.header().version());
        assertEquals(128, array.header().dataOffset());
        assertArrayEquals(new double[]{0.1, -1e300, 3}, array.toDoubleArray());
        assertWriterReproduces(F8_V2, Nd4j.createFromArray(0.1, -1e300, 3.0), NpyWriter.builder().version(2));
    }

    @Test
    void version3UnsignedBytes() {
        NpyArray array = read(U1_V3);
        assertEquals(3, array.header().version());
        assertArrayEquals(new long[]{0, 200, 255}, array.toLongArray());
        INDArray nd = array.toINDArray();
        assertEquals(DataType.UBYTE, nd.dataType());
        assertEquals(200, nd.getInt(0, 1));
        assertEquals(255, nd.getInt(0, 2));
        assertWriterReproduces(U1_V3, Nd4j.createFromArray(new long[][]{{0, 200, 255}}),
                NpyWriter.builder().dtype(NpyDType.UINT8).version(3));
    }

    @Test
    void booleans() {
        NpyArray array = read(B1);
        assertEquals(NpyDType.BOOL, array.dtype());
        assertArrayEquals(new long[]{1, 0, 1}, array.toLongArray());
        INDArray nd = array.toINDArray();
        assertEquals(DataType.BOOL, nd.dataType());
        assertEquals(true, nd.getDouble(0) != 0);
        assertEquals(false, nd.getDouble(1) != 0);
        assertWriterReproduces(B1, Nd4j.createFromArray(true, false, true), NpyWriter.builder());
    }

    @Test
    void halfPrecision() {
        NpyArray array = read(F2);
        assertArrayEquals(new float[]{1.5f, -0.00010001659393310547f, 65504f, Float.POSITIVE_INFINITY}, array.toFloatArray());
        assertEquals(DataType.HALF, array.toINDArray().dataType());
        assertWriterReproduces(F2, Nd4j.createFromArray(1.5f, -0.0001f, 65504f, Float.POSITIVE_INFINITY),
                NpyWriter.builder().dtype(NpyDType.FLOAT16));
    }

    @Test
    void bigEndianFortranUnsigned32() {
        NpyArray array = read(U4_BIG_FORTRAN);
        assertArrayEquals(new long[]{1, 4_000_000_000L, 7, 8}, array.toLongArray());
        assertArrayEquals(new double[]{1, 4e9, 7, 8}, array.toDoubleArray());
        assertWriterReproduces(U4_BIG_FORTRAN, Nd4j.createFromArray(new long[][]{{1, 4_000_000_000L}, {7, 8}}),
                NpyWriter.builder().dtype(NpyDType.UINT32).byteOrder(ByteOrder.BIG_ENDIAN).fortranOrder(true));
    }

    @Test
    void zeroDimensionalArray() {
        NpyArray array = read(SCALAR);
        assertArrayEquals(new long[0], array.shape());
        assertArrayEquals(new float[]{3.25f}, array.toFloatArray());
        INDArray nd = array.toINDArray();
        assertEquals(0, nd.rank());
        assertEquals(3.25f, nd.getFloat(0));
        assertWriterReproduces(SCALAR, Nd4j.scalar(3.25f), NpyWriter.builder());
    }

    private static void assertWriterReproduces(String hex, INDArray array, NpyWriter.Builder writer) {
        assertEquals(hex, HexFormat.of().formatHex(writer.build().toBytes(array)));
    }
}
