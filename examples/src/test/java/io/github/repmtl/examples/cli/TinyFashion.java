package io.github.repmtl.examples.cli;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Writes a tiny Fashion-MNIST-style folder: the four idx files with random 28x28 images and labels 0..9. */
final class TinyFashion {
    private TinyFashion() {}

    static Path write(Path dir, int trainImages, int testImages, long seed) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(seed);
        images(dir.resolve("train-images-idx3-ubyte"), trainImages, r);
        labels(dir.resolve("train-labels-idx1-ubyte"), trainImages, r);
        images(dir.resolve("t10k-images-idx3-ubyte"), testImages, r);
        labels(dir.resolve("t10k-labels-idx1-ubyte"), testImages, r);
        return dir;
    }

    private static void images(Path file, int n, Random r) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(28);
            out.writeInt(28);
            byte[] pixels = new byte[n * 28 * 28];
            r.nextBytes(pixels);
            out.write(pixels);
        }
    }

    private static void labels(Path file, int n, Random r) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x00000801);
            out.writeInt(n);
            for (int i = 0; i < n; i++) out.writeByte(r.nextInt(10));
        }
    }
}
