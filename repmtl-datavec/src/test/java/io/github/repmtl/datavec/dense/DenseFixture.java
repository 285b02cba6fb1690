package io.github.repmtl.datavec.dense;

import io.github.repmtl.datavec.npy.NpyDType;
import io.github.repmtl.datavec.npy.NpyWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes small NYUv2 / Cityscapes folders in the exact preprocessed layout. Every value is a known
 * function of (sample, row, column, channel), linear in row and column, so that resampled outputs can
 * be predicted exactly. File encodings rotate with the sample index through little- and big-endian,
 * C and Fortran order, and several element types.
 */
final class DenseFixture {
    static final int HEIGHT = 10;
    static final int WIDTH = 12;

    private DenseFixture() {
    }

    static float image(int sample, double row, double column, int channel) {
        return (float) (sample * 1000 + row * 100 + column * 10 + channel);
    }

    static long label(int sample, int row, int column, int classes) {
        return (sample + row * 3 + column) % (classes + 1) - 1;
    }

    static float depth(int sample, double row, double column) {
        return (float) (sample + row * 0.5 + column * 0.25);
    }

    static float normal(int sample, double row, double column, int channel) {
        return (float) ((channel + 1) * (sample * 0.5 + row + column * 0.5) - 3);
    }

    /** Writes {@code root/train} with {@code trainCount} samples and {@code root/val} with {@code testCount}. */
    static void write(Path root, DenseBenchmark benchmark, String labelFolder, int trainCount, int testCount) {
        writeSplit(root.resolve("train"), benchmark, labelFolder, trainCount);
        writeSplit(root.resolve("val"), benchmark, labelFolder, testCount);
    }

    private static void writeSplit(Path split, DenseBenchmark benchmark, String labelFolder, int count) {
        for (int i = count - 1; i >= 0; i--) {
            NpyWriter variant = variant(i, NpyDType.FLOAT32);
            float[] image = new float[HEIGHT * WIDTH * 3];
            float[] normal = new float[HEIGHT * WIDTH * 3];
            float[] depth = new float[HEIGHT * WIDTH];
            long[] label = new long[HEIGHT * WIDTH];
            for (int y = 0; y < HEIGHT; y++) {
                for (int x = 0; x < WIDTH; x++) {
                    for (int c = 0; c < 3; c++) {
                        image[(y * WIDTH + x) * 3 + c] = image(i, y, x, c);
                        normal[(y * WIDTH + x) * 3 + c] = normal(i, y, x, c);
                    }
                    depth[y * WIDTH + x] = depth(i, y, x);
                    label[y * WIDTH + x] = label(i, y, x, benchmark.classCount());
                }
            }
            write(split.resolve("image"), i, variant(i, i % 2 == 0 ? NpyDType.FLOAT32 : NpyDType.FLOAT64),
                    Nd4j.create(image, new long[]{HEIGHT, WIDTH, 3}, DataType.FLOAT));
            write(split.resolve(labelFolder), i, variant(i, i % 3 == 0 ? NpyDType.INT64 : i % 3 == 1 ? NpyDType.FLOAT32 : NpyDType.INT16),
                    Nd4j.create(label, new long[]{HEIGHT, WIDTH}, DataType.LONG));
            write(split.resolve("depth"), i, variant, Nd4j.create(depth, new long[]{HEIGHT, WIDTH, 1}, DataType.FLOAT));
            if (benchmark.tasks().contains(DenseTask.NORMAL)) {
                write(split.resolve("normal"), i, variant, Nd4j.create(normal, new long[]{HEIGHT, WIDTH, 3}, DataType.FLOAT));
            }
        }
    }

    /** Sample {@code i}'s encoding: byte order and memory order rotate with the index. */
    static NpyWriter variant(int i, NpyDType dtype) {
        return NpyWriter.builder().dtype(dtype).byteOrder(i % 2 == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                .fortranOrder(i % 4 >= 2).version(i % 5 == 4 ? 2 : 1).build();
    }

    static void write(Path folder, int index, NpyWriter writer, org.nd4j.linalg.api.ndarray.INDArray array) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writer.write(folder.resolve(index + ".npy"), array);
    }
}
