package io.github.repmtl.datavec.npy;

import io.github.repmtl.datavec.InvalidDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a .npy file can be broken yields an exception naming the file and the problem. */
class NpyErrorsTest {
    @TempDir
    Path folder;

    /** A version-1 file with the given header dictionary and data bytes, padded as numpy pads. */
    private static byte[] file(String dictionary, int dataBytes) {
        byte[] text = dictionary.getBytes(StandardCharsets.ISO_8859_1);
        int length = text.length + 1;
        length += (64 - (10 + length) % 64) % 64;
        ByteBuffer buffer = ByteBuffer.allocate(10 + length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(NpyReader.MAGIC).put((byte) 1).put((byte) 0).putShort((short) length).put(text);
        while (buffer.position() < 10 + length - 1) {
            buffer.put((byte) ' ');
        }
        buffer.put((byte) '\n');
        return buffer.array();
    }

    private static void assertProblem(byte[] content, String... fragments) {
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> NpyReader.read("broken.npy", content));
        assertTrue(e.getMessage().startsWith("broken.npy: "), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should mention '" + fragment + "'");
        }
    }

    private static byte[] valid() {
        return NpyWriter.builder().build().toBytes(Nd4j.createFromArray(new float[][]{{1, 2, 3}, {4, 5, 6}}));
    }

    @Test
    void badMagic() {
        byte[] content = valid();
        content[1] = 'X';
        assertProblem(content, "not a .npy file", "bad magic");
    }

    @Test
    void tooShort() {
        assertProblem(new byte[]{(byte) 0x93, 'N', 'U'}, "not a .npy file", "3 bytes");
    }

    @Test
    void unsupportedVersion() {
        byte[] content = valid();
        content[6] = 4;
        assertProblem(content, "unsupported .npy format version 4.0");
    }

    @Test
    void headerLongerThanFile() {
        assertProblem(Arrays.copyOf(valid(), 40), "truncated .npy header");
    }

    @Test
    void truncatedData() {
        byte[] content = valid();
        assertProblem(Arrays.copyOf(content, content.length - 5), "truncated", "(2, 3)", "<f4", "24 data bytes",
                "only 19 bytes");
    }

    @Test
    void trailingBytes() {
        byte[] content = valid();
        assertProblem(Arrays.copyOf(content, content.length + 3), "3 unexpected bytes after the data");
    }

    @Test
    void malformedHeaders() {
        assertProblem(file("{'descr': '<f4', 'shape': (2,), }", 8), "no 'fortran_order' entry");
        assertProblem(file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", 8), "unexpected key 'extra'");
        assertProblem(file("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16), "unsupported dtype descr '<c8'");
        assertProblem(file("{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }", 8), "'=f4'", "depends on the machine");
        assertProblem(file("{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", 8), "has no byte order");
        assertProblem(file("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8), "structured dtypes");
        assertProblem(file("{'descr': '<f4', 'fortran_order': maybe, 'shape': (2,), }", 8), "cannot read the value of 'fortran_order'");
        assertProblem(file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", 8), "non-negative integers");
        assertProblem(file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8), "ends early");
    }

    @Test
    void python2LongSuffixIsAccepted() {
        NpyArray array = NpyReader.read("old.npy", file("{'descr': '<i4', 'fortran_order': False, 'shape': (2L, 1L), }", 8));
        assertTrue(Arrays.equals(new long[]{2, 1}, array.shape()));
    }

    @Test
    void wrongShapeNamesFileAndBothShapes() {
        NpyArray array = NpyReader.read("image.npy", valid());
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> array.requireShape(288, 384, 3));
        assertTrue(e.getMessage().equals("image.npy: shape (2, 3) but expected (288, 384, 3)"), e.getMessage());
    }

    @Test
    void fractionalValueIsNotAnInteger() {
        NpyArray array = NpyReader.read("label.npy", NpyWriter.builder().build()
                .toBytes(Nd4j.createFromArray(new double[][]{{1, 2}, {2.5, 3}})));
        InvalidDataException e = assertThrows(InvalidDataException.class, array::toLongArray);
        assertTrue(e.getMessage().equals("label.npy: element [1, 0] is 2.5, not an integer"), e.getMessage());
    }

    @Test
    void filesOnDisk() throws IOException {
        Path missing = folder.resolve("missing.npy");
        InvalidDataException notFound = assertThrows(InvalidDataException.class, () -> NpyReader.read(missing));
        assertTrue(notFound.getMessage().equals(missing + ": file not found"), notFound.getMessage());
        assertThrows(InvalidDataException.class, () -> NpyReader.readHeader(missing));

        Path truncated = folder.resolve("truncated.npy");
        byte[] content = valid();
        Files.write(truncated, Arrays.copyOf(content, content.length - 4));
        InvalidDataException headerOnly = assertThrows(InvalidDataException.class, () -> NpyReader.readHeader(truncated));
        assertTrue(headerOnly.getMessage().startsWith(truncated + ": truncated"), headerOnly.getMessage());
        InvalidDataException whole = assertThrows(InvalidDataException.class, () -> NpyReader.read(truncated));
        assertTrue(whole.getMessage().startsWith(truncated + ": truncated"), whole.getMessage());
    }

    @Test
    void writerRejectsValuesOutsideTheType() {
        NpyWriter writer = NpyWriter.builder().dtype(NpyDType.UINT8).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> writer.toBytes(Nd4j.createFromArray(3L, 256L)));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> writer.toBytes(Nd4j.createFromArray(1.5)));
    }
}
