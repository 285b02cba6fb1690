package io.github.repmtl.datavec.dense;

import io.github.repmtl.datavec.InvalidDataException;
import io.github.repmtl.datavec.npy.NpyArray;
import io.github.repmtl.datavec.npy.NpyReader;

/**
 * Reads the files of one sample and validates their values: finite image, depth and normal values,
 * and segmentation labels that are integers in {@code -1..classCount-1}.
 */
final class DenseSampleReader {
    private final DenseBenchmark benchmark;
    private final DenseManifest manifest;
    private final int height;
    private final int width;

    DenseSampleReader(DenseBenchmark benchmark, DenseManifest manifest, int height, int width) {
        this.benchmark = benchmark;
        this.manifest = manifest;
        this.height = height;
        this.width = width;
    }

    DenseSample read(String splitFolder, int index) {
        float[] image = finite(NpyReader.read(manifest.imageFile(splitFolder, index)).requireShape(height, width, 3));
        long[] label = labels(NpyReader.read(manifest.taskFile(splitFolder, DenseTask.SEGMENTATION, index))
                .requireShape(height, width));
        NpyArray depthFile = NpyReader.read(manifest.taskFile(splitFolder, DenseTask.DEPTH, index));
        if (depthFile.shape().length == 3) {
            depthFile.requireShape(height, width, 1);
        } else {
            depthFile.requireShape(height, width);
        }
        float[] depth = finite(depthFile);
        float[] normal = benchmark.tasks().contains(DenseTask.NORMAL)
                ? finite(NpyReader.read(manifest.taskFile(splitFolder, DenseTask.NORMAL, index)).requireShape(height, width, 3))
                : null;
        return new DenseSample(image, label, depth, normal);
    }

    private static float[] finite(NpyArray array) {
        float[] values = array.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new InvalidDataException(array.source() + ": element " + array.positionText(i) + " is " + values[i]);
            }
        }
        return values;
    }

    private long[] labels(NpyArray array) {
        long[] values = array.toLongArray();
        int classes = benchmark.classCount();
        for (int i = 0; i < values.length; i++) {
            if (values[i] < -1 || values[i] >= classes) {
                throw new InvalidDataException(array.source() + ": element " + array.positionText(i) + " = " + values[i]
                        + " is not a class index (-1 = ignore, 0.." + (classes - 1) + ")");
            }
        }
        return values;
    }
}
