package io.github.repmtl.examples.cli;

import io.github.repmtl.datavec.npy.NpyWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a tiny NYUv2 folder in the preprocessed layout ({@code train|val/image|label|depth|normal/i.npy}, float32):
 * each image is a background with one bright rectangle; the rectangle is class {@code 1 + i % 12} and nearer
 * (depth 1) than the background (class 0, depth 3), its normal faces the camera, the background's is tilted; a
 * one-pixel border is ignored (-1, depth 0, normal 0).
 */
final class TinyNyuV2 {
    private TinyNyuV2() {}

    static Path write(Path root, int train, int val, int height, int width, long seed) throws IOException {
        Random r = new Random(seed);
        NpyWriter npy = NpyWriter.builder().build();
        for (String split : new String[]{"train", "val"}) {
            int n = split.equals("train") ? train : val;
            for (String folder : new String[]{"image", "label", "depth", "normal"}) Files.createDirectories(root.resolve(split).resolve(folder));
            for (int i = 0; i < n; i++) {
                int top = r.nextInt(height / 2), left = r.nextInt(width / 2);
                int bottom = top + height / 4 + r.nextInt(height / 4), right = left + width / 4 + r.nextInt(width / 4);
                INDArray image = Nd4j.zeros(DataType.FLOAT, height, width, 3);
                INDArray label = Nd4j.zeros(DataType.FLOAT, height, width);
                INDArray depth = Nd4j.zeros(DataType.FLOAT, height, width, 1);
                INDArray normal = Nd4j.zeros(DataType.FLOAT, height, width, 3);
                float[] colour = {r.nextFloat(), r.nextFloat(), r.nextFloat()};
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        boolean border = y == 0 || x == 0 || y == height - 1 || x == width - 1;
                        boolean inside = y >= top && y < bottom && x >= left && x < right;
                        for (int c = 0; c < 3; c++)
                            image.putScalar(new long[]{y, x, c}, (inside ? 0.4f + 0.6f * colour[c] : 0.2f * r.nextFloat()));
                        label.putScalar(y, x, border ? -1 : inside ? 1 + i % 12 : 0);
                        depth.putScalar(new long[]{y, x, 0}, border ? 0 : inside ? 1 : 3);
                        if (!border) {
                            normal.putScalar(new long[]{y, x, 0}, inside ? 0 : 0.6);
                            normal.putScalar(new long[]{y, x, 2}, inside ? 1 : 0.8);
                        }
                    }
                }
                npy.write(root.resolve(split).resolve("image").resolve(i + ".npy"), image);
                npy.write(root.resolve(split).resolve("label").resolve(i + ".npy"), label);
                npy.write(root.resolve(split).resolve("depth").resolve(i + ".npy"), depth);
                npy.write(root.resolve(split).resolve("normal").resolve(i + ".npy"), normal);
            }
        }
        return root;
    }
}
