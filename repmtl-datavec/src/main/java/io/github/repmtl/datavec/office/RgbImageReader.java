package io.github.repmtl.datavec.office;

import io.github.repmtl.datavec.InvalidDataException;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decodes an image file (JPEG, PNG, BMP, GIF) to three planar float channels R, G, B with values
 * 0..255, like PIL's {@code Image.open(path).convert('RGB')}: grey-scale images are replicated into
 * the three channels without colour-space conversion, alpha is dropped.
 */
final class RgbImageReader {
    private RgbImageReader() {
    }

    /** A decoded image: {@code 3 * height * width} values, plane R, then G, then B. */
    record RgbImage(int height, int width, float[] planes) {
    }

    static RgbImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidDataException("image not found: " + file);
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new InvalidDataException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new InvalidDataException("cannot decode image " + file + ": not a JPEG, PNG, BMP or GIF image");
        }
        int height = image.getHeight();
        int width = image.getWidth();
        int plane = height * width;
        float[] planes = new float[3 * plane];
        Raster raster = image.getRaster();
        boolean grey = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && raster.getNumBands() <= 2;
        if (grey) {
            int shift = Math.max(0, image.getColorModel().getComponentSize(0) - 8);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float value = raster.getSample(x, y, 0) >> shift;
                    int index = y * width + x;
                    planes[index] = value;
                    planes[plane + index] = value;
                    planes[2 * plane + index] = value;
                }
            }
        } else {
            int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
            for (int index = 0; index < plane; index++) {
                planes[index] = (argb[index] >> 16) & 0xff;
                planes[plane + index] = (argb[index] >> 8) & 0xff;
                planes[2 * plane + index] = argb[index] & 0xff;
            }
        }
        return new RgbImage(height, width, planes);
    }
}
