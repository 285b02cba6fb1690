package io.github.repmtl.datavec.npy;

import io.github.repmtl.datavec.InvalidDataException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads numpy {@code .npy} files (format versions 1.0, 2.0 and 3.0) of every element type in
 * {@link NpyDType}, little- or big-endian, C or Fortran order. Unlike ND4J's reader it never misreads
 * Fortran-order data and never aborts the JVM: a missing or truncated file, a bad magic string, a
 * malformed header or trailing garbage raises an {@link InvalidDataException} naming the file.
 */
public final class NpyReader {
    /** The six bytes every {@code .npy} file starts with. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int PREAMBLE_BYTES = 12;

    private NpyReader() {
    }

    /** Reads a whole file. */
    public static NpyArray read(Path file) {
        byte[] content = readBytes(file);
        return read(file.toString(), content);
    }

    /**
     * Parses the content of a {@code .npy} file held in memory.
     *
     * @param source name used in error messages (a path or resource name)
     */
    public static NpyArray read(String source, byte[] content) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        NpyHeader header = parseHeader(source, buffer, content.length);
        buffer.position(header.dataOffset());
        return new NpyArray(source, header, buffer);
    }

    /**
     * Reads only the header of a file, and checks that the file's length matches the data the header
     * announces (so truncated files are caught without reading their data).
     */
    public static NpyHeader readHeader(Path file) {
        long size;
        byte[] prefix;
        try (InputStream in = Files.newInputStream(file)) {
            size = Files.size(file);
            byte[] preamble = in.readNBytes(PREAMBLE_BYTES);
            int headerLength = headerLength(file.toString(), ByteBuffer.wrap(preamble), size);
            int preambleLength = preamble[6] == 1 ? 10 : 12;
            int prefixLength = preambleLength + headerLength;
            prefix = new byte[prefixLength];
            System.arraycopy(preamble, 0, prefix, 0, Math.min(preamble.length, prefixLength));
            if (prefixLength > preamble.length) {
                byte[] rest = in.readNBytes(prefixLength - preamble.length);
                System.arraycopy(rest, 0, prefix, preamble.length, rest.length);
            }
        } catch (NoSuchFileException e) {
            throw new InvalidDataException(file + ": file not found", e);
        } catch (IOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parseHeader(file.toString(), ByteBuffer.wrap(prefix), size);
    }

    private static byte[] readBytes(Path file) {
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw new InvalidDataException(file + ": " + size + " bytes is too large for this reader (2 GB limit)");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidDataException(file + ": file not found", e);
        } catch (IOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Reads the header length field, validating magic and version against the first bytes of the file. */
    private static int headerLength(String source, ByteBuffer start, long fileSize) {
        if (fileSize < 10) {
            throw new InvalidDataException(source + ": not a .npy file (only " + fileSize + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (start.get(i) != MAGIC[i]) {
                throw new InvalidDataException(source + ": not a .npy file (bad magic string; expected \\x93NUMPY)");
            }
        }
        int major = start.get(6) & 0xff;
        start.order(ByteOrder.LITTLE_ENDIAN);
        long length;
        switch (major) {
            case 1 -> length = start.getShort(8) & 0xffff;
            case 2, 3 -> {
                if (fileSize < PREAMBLE_BYTES) {
                    throw new InvalidDataException(source + ": truncated .npy header");
                }
                length = start.getInt(8) & 0xffffffffL;
            }
            default -> throw new InvalidDataException(source + ": unsupported .npy format version " + major + "."
                    + (start.get(7) & 0xff) + " (supported: 1.0, 2.0, 3.0)");
        }
        long preamble = major == 1 ? 10 : 12;
        if (preamble + length > fileSize) {
            throw new InvalidDataException(source + ": truncated .npy header (header declares " + length
                    + " bytes, file has " + fileSize + " bytes)");
        }
        return (int) length;
    }

    private static NpyHeader parseHeader(String source, ByteBuffer content, long fileSize) {
        int length = headerLength(source, content, fileSize);
        int major = content.get(6) & 0xff;
        int preamble = major == 1 ? 10 : 12;
        byte[] headerBytes = new byte[length];
        content.get(preamble, headerBytes);
        String text = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeaderParser.Dictionary dictionary = NpyHeaderParser.parse(source, text);
        NpyHeader header = new NpyHeader(dictionary.dtype(), dictionary.byteOrder(), dictionary.fortranOrder(),
                dictionary.shape(), major, preamble + length);
        long expectedBytes;
        try {
            expectedBytes = header.dataBytes();
        } catch (ArithmeticException e) {
            throw new InvalidDataException(source + ": shape " + header.shapeText() + " is too large", e);
        }
        long actualBytes = fileSize - header.dataOffset();
        if (actualBytes < expectedBytes) {
            throw new InvalidDataException(source + ": truncated: header declares shape " + header.shapeText()
                    + " of " + header.descr() + " = " + expectedBytes + " data bytes, but only " + actualBytes
                    + " bytes follow the header");
        }
        if (actualBytes > expectedBytes) {
            throw new InvalidDataException(source + ": " + (actualBytes - expectedBytes)
                    + " unexpected bytes after the data of shape " + header.shapeText() + " " + header.descr());
        }
        return header;
    }
}
