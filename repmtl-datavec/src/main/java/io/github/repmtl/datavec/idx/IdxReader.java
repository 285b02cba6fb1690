package io.github.repmtl.datavec.idx;

import io.github.repmtl.datavec.InvalidDataException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads idx files of unsigned bytes (MNIST, Fashion-MNIST), plain or gzip-compressed (detected from
 * the content, not the file name). The magic number, the number of dimensions, every dimension and
 * the data length are validated; problems raise an {@link InvalidDataException} naming the file.
 */
public final class IdxReader {
    private static final int UNSIGNED_BYTE = 0x08;
    private static final int MAX_DIMENSIONS = 4;

    private IdxReader() {
    }

    /** Reads an idx file from disk. */
    public static IdxArray read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(file.toString(), in);
        } catch (NoSuchFileException e) {
            throw new InvalidDataException(file + ": file not found", e);
        } catch (IOException e) {
            throw new InvalidDataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads an idx file from a stream (closed by the caller).
     *
     * @param source name used in error messages
     */
    public static IdxArray read(String source, InputStream stream) {
        try {
            BufferedInputStream buffered = new BufferedInputStream(stream);
            buffered.mark(2);
            int first = buffered.read();
            int second = buffered.read();
            buffered.reset();
            InputStream in = first == 0x1f && second == 0x8b ? new GZIPInputStream(buffered, 1 << 16) : buffered;
            return parse(source, in);
        } catch (IOException e) {
            throw new InvalidDataException(source + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static IdxArray parse(String source, InputStream in) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new InvalidDataException(source + ": not an idx file (only " + magic.length + " bytes)");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new InvalidDataException(source + ": not an idx file (magic number starts with "
                    + String.format("0x%02X%02X", magic[0], magic[1]) + ", expected 0x0000)");
        }
        int type = magic[2] & 0xff;
        if (type != UNSIGNED_BYTE) {
            throw new InvalidDataException(source + ": idx element type " + String.format("0x%02X", type)
                    + " is not supported (expected 0x08, unsigned byte)");
        }
        int rank = magic[3] & 0xff;
        if (rank < 1 || rank > MAX_DIMENSIONS) {
            throw new InvalidDataException(source + ": idx file declares " + rank + " dimensions (expected 1 to "
                    + MAX_DIMENSIONS + ")");
        }
        byte[] dimBytes = in.readNBytes(4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new InvalidDataException(source + ": truncated idx header");
        }
        ByteBuffer dimBuffer = ByteBuffer.wrap(dimBytes);
        int[] dims = new int[rank];
        long length = 1;
        for (int k = 0; k < rank; k++) {
            dims[k] = dimBuffer.getInt();
            if (dims[k] < 0) {
                throw new InvalidDataException(source + ": idx dimension " + k + " is negative (" + dims[k] + ")");
            }
            length *= dims[k];
            if (length > Integer.MAX_VALUE - 8) {
                throw new InvalidDataException(source + ": idx dimensions describe more than 2 GB of data");
            }
        }
        byte[] data = in.readNBytes((int) length);
        if (data.length < length) {
            throw new InvalidDataException(source + ": truncated: the header declares " + length
                    + " data bytes but only " + data.length + " follow");
        }
        if (in.read() != -1) {
            throw new InvalidDataException(source + ": unexpected bytes after the " + length
                    + " data bytes the header declares");
        }
        return new IdxArray(source, dims, data);
    }
}
