package io.github.repmtl.datavec.npy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every element type x both byte orders x C and Fortran order x format versions 1, 2, 3: written and
 * read back, compared element by element (as Java arrays and as an ND4J array).
 */
class NpyRoundTripTest {
    private static final long[] SHAPE = {2, 3, 4};
    private static final int COUNT = 24;

    @TempDir
    Path folder;

    /** Element {@code i} (C order) of the test array of each element type; spans negative and unsigned-only ranges. */
    private static IntToDoubleFunction values(NpyDType dtype) {
        return switch (dtype) {
            case BOOL -> i -> i % 3 == 0 ? 1 : 0;
            case UINT8 -> i -> i * 10 + 15;
            case INT8 -> i -> i * 5 - 60;
            case UINT16 -> i -> i * 2000 + 7;
            case INT16 -> i -> i * 1000 - 12000;
            case UINT32 -> i -> i * 150_000_000L + 3;
            case INT32 -> i -> i * 90_000_000L - 1_000_000_000L;
            case UINT64 -> i -> i * 1_000_000_000_000_000L;
            case INT64 -> i -> (i - 12) * 300_000_000_000L;
            case FLOAT16 -> i -> (i - 12) * 0.25;
            case FLOAT32 -> i -> (float) ((i - 12) * 0.1);
            case FLOAT64 -> i -> (i - 12) * 0.1 + 1e-12;
        };
    }

    private static INDArray source(NpyDType dtype) {
        IntToDoubleFunction value = values(dtype);
        if (dtype.isFloatingPoint()) {
            double[] data = new double[COUNT];
            for (int i = 0; i < COUNT; i++) {
                data[i] = value.applyAsDouble(i);
            }
            return Nd4j.create(data, SHAPE, DataType.DOUBLE);
        }
        long[] data = new long[COUNT];
        for (int i = 0; i < COUNT; i++) {
            data[i] = (long) value.applyAsDouble(i);
        }
        return Nd4j.create(data, SHAPE, DataType.LONG);
    }

    @Test
    void everyVariantReadsBackElementByElement() {
        int variants = 0;
        for (NpyDType dtype : NpyDType.values()) {
            for (ByteOrder order : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                for (boolean fortran : new boolean[]{false, true}) {
                    for (int version = 1; version <= 3; version++) {
                        NpyWriter writer = NpyWriter.builder().dtype(dtype).byteOrder(order).fortranOrder(fortran)
                                .version(version).build();
                        String name = dtype + "/" + order + "/" + (fortran ? "F" : "C") + "/v" + version;
                        NpyArray array = NpyReader.read(name, writer.toBytes(source(dtype)));
                        assertDecoded(name, dtype, fortran, version, array);
                        variants++;
                    }
                }
            }
        }
        assertEquals(12 * 2 * 2 * 3, variants);
    }

    private static void assertDecoded(String name, NpyDType dtype, boolean fortran, int version, NpyArray array) {
        assertEquals(dtype, array.dtype(), name);
        assertEquals(fortran, array.header().fortranOrder(), name);
        assertEquals(version, array.header().version(), name);
        assertArrayEquals(SHAPE, array.shape(), name);
        IntToDoubleFunction value = values(dtype);
        double[] doubles = array.toDoubleArray();
        float[] floats = array.toFloatArray();
        long[] longs = dtype.isFloatingPoint() ? null : array.toLongArray();
        INDArray nd = array.toINDArray();
        assertEquals(dtype.nd4jType(), nd.dataType(), name);
        assertArrayEquals(SHAPE, nd.shape(), name);
        INDArray ndAsDouble = nd.castTo(DataType.DOUBLE);
        for (int i = 0; i < COUNT; i++) {
            double expected = value.applyAsDouble(i);
            assertEquals(expected, doubles[i], 0.0, name + " element " + i);
            assertEquals((float) expected, floats[i], 0.0f, name + " float element " + i);
            if (longs != null) {
                assertEquals((long) expected, longs[i], name + " long element " + i);
            }
            int a = i / 12;
            int b = (i / 4) % 3;
            int c = i % 4;
            if (dtype != NpyDType.UINT32 && dtype != NpyDType.UINT64) {
                assertEquals(dtype == NpyDType.FLOAT32 || dtype == NpyDType.FLOAT16 ? (float) expected : expected,
                        ndAsDouble.getDouble(a, b, c), 0.0, name + " INDArray element " + i);
            }
        }
    }

    @Test
    void filesOnDiskReadBackAndHeadersAlone() {
        for (boolean fortran : new boolean[]{false, true}) {
            Path file = folder.resolve("x" + fortran + ".npy");
            NpyWriter.builder().dtype(NpyDType.FLOAT32).byteOrder(ByteOrder.BIG_ENDIAN).fortranOrder(fortran).build()
                    .write(file, source(NpyDType.FLOAT32));
            NpyHeader header = NpyReader.readHeader(file);
            assertEquals(NpyDType.FLOAT32, header.dtype());
            assertEquals(fortran, header.fortranOrder());
            assertArrayEquals(SHAPE, header.shape());
            assertEquals("(2, 3, 4)", header.shapeText());
            assertEquals(">f4", header.descr());
            float[] read = NpyReader.read(file).toFloatArray();
            for (int i = 0; i < COUNT; i++) {
                assertEquals((float) ((i - 12) * 0.1), read[i], 0.0f);
            }
        }
    }

    @Test
    void emptyArray() {
        INDArray empty = Nd4j.create(DataType.FLOAT, 0, 3);
        NpyArray array = NpyReader.read("empty.npy", NpyWriter.builder().build().toBytes(empty));
        assertArrayEquals(new long[]{0, 3}, array.shape());
        assertEquals(0, array.toFloatArray().length);
        assertArrayEquals(new long[]{0, 3}, array.toINDArray().shape());
    }

    @Test
    void unsignedIntegersAsNd4jArraysKeepTheirBits() {
        NpyArray array = NpyReader.read("u4.npy", NpyWriter.builder().dtype(NpyDType.UINT32).build()
                .toBytes(Nd4j.createFromArray(3L, 4_000_000_000L)));
        INDArray nd = array.toINDArray();
        assertEquals(DataType.UINT32, nd.dataType());
        assertEquals(4_000_000_000L, nd.data().getLong(1));
    }
}
