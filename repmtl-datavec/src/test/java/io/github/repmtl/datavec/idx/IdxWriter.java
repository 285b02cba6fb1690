package io.github.repmtl.datavec.idx;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes unsigned-byte idx files (plain or gzip) for tests and for generating the bundled subset. */
public final class IdxWriter {
    private IdxWriter() {
    }

    /** The bytes of an idx file: magic {@code 0x0000 08 rank}, big-endian dimensions, data. */
    public static byte[] bytes(int[] dims, byte[] data) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        buffer.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
        for (int dim : dims) {
            buffer.putInt(dim);
        }
        return buffer.put(data).array();
    }

    public static void write(Path file, int[] dims, byte[] data, boolean gzip) {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(bytes(dims, data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
