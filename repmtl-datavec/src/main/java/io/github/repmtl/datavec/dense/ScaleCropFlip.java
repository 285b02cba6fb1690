package io.github.repmtl.datavec.dense;

import java.util.SplittableRandom;

/**
 * The augmentation of the MTAN / LibMTL reference code: a random scale-crop followed by a random
 * horizontal flip.
 *
 * <ul>
 *   <li>Scale-crop: a scale {@code s} is drawn uniformly from the configured scales (default
 *   {1.0, 1.2, 1.5}); a crop of {@code (int)(H/s) x (int)(W/s)} pixels at a uniformly drawn position
 *   (top in {@code 0..H-h}, left in {@code 0..W-w}, both inclusive) is resized back to {@code H x W}:
 *   bilinearly with aligned corners for the image and the normals, nearest-neighbour for labels and
 *   depth (PyTorch's {@code interpolate} semantics); depth is divided by {@code s}.</li>
 *   <li>Flip: with probability 1/2 every map is mirrored left-right and the x component of the
 *   normals is negated.</li>
 * </ul>
 * Output is written in CHW order.
 */
final class ScaleCropFlip {
    private final int height;
    private final int width;
    private final Crop crop;
    private final int[] rows0;
    private final int[] rows1;
    private final float[] rowWeights;
    private final int[] columns0;
    private final int[] columns1;
    private final float[] columnWeights;
    private final int[] nearestRows;
    private final int[] nearestColumns;

    /**
     * The crop window and flip of one sample.
     *
     * @param top    first row of the crop
     * @param left   first column of the crop
     * @param rows   crop height
     * @param cols   crop width
     * @param scale  the drawn scale (depth is divided by it)
     * @param flip   whether the result is mirrored left-right
     */
    record Crop(int top, int left, int rows, int cols, float scale, boolean flip) {
        static Crop identity(int height, int width) {
            return new Crop(0, 0, height, width, 1f, false);
        }

        /** Draws scale, position and flip as the reference code does. */
        static Crop draw(SplittableRandom random, double[] scales, int height, int width) {
            double scale = scales[random.nextInt(scales.length)];
            int rows = (int) (height / scale);
            int cols = (int) (width / scale);
            int top = random.nextInt(height - rows + 1);
            int left = random.nextInt(width - cols + 1);
            boolean flip = random.nextDouble() < 0.5;
            return new Crop(top, left, rows, cols, (float) scale, flip);
        }
    }

    ScaleCropFlip(int height, int width, Crop crop) {
        this.height = height;
        this.width = width;
        this.crop = crop;
        rows0 = new int[height];
        rows1 = new int[height];
        rowWeights = new float[height];
        bilinearTaps(crop.top(), crop.rows(), height, rows0, rows1, rowWeights, false);
        columns0 = new int[width];
        columns1 = new int[width];
        columnWeights = new float[width];
        bilinearTaps(crop.left(), crop.cols(), width, columns0, columns1, columnWeights, crop.flip());
        nearestRows = nearestTaps(crop.top(), crop.rows(), height, false);
        nearestColumns = nearestTaps(crop.left(), crop.cols(), width, crop.flip());
    }

    /** Source taps of {@code F.interpolate(..., mode='bilinear', align_corners=True)} along one axis. */
    private static void bilinearTaps(int start, int in, int out, int[] first, int[] second, float[] weight, boolean flip) {
        float ratio = out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        for (int o = 0; o < out; o++) {
            int position = flip ? out - 1 - o : o;
            float source = ratio * position;
            int base = (int) source;
            int step = base < in - 1 ? 1 : 0;
            first[o] = start + base;
            second[o] = start + base + step;
            weight[o] = source - base;
        }
    }

    /** Source taps of {@code F.interpolate(..., mode='nearest')} along one axis. */
    private static int[] nearestTaps(int start, int in, int out, boolean flip) {
        int[] taps = new int[out];
        float ratio = (float) in / out;
        for (int o = 0; o < out; o++) {
            int position = flip ? out - 1 - o : o;
            int source = in == out ? position : Math.min((int) Math.floor(position * ratio), in - 1);
            taps[o] = start + source;
        }
        return taps;
    }

    /**
     * Bilinear resampling of an HWC map with {@code channels} channels into CHW at {@code offset};
     * with {@code negateFirstChannelOnFlip} the first channel (the normals' x) changes sign when flipped.
     */
    void bilinear(float[] hwc, int channels, boolean negateFirstChannelOnFlip, float[] target, int offset) {
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            float sign = negateFirstChannelOnFlip && c == 0 && crop.flip() ? -1f : 1f;
            int planeOffset = offset + c * plane;
            for (int y = 0; y < height; y++) {
                int top = rows0[y] * width;
                int bottom = rows1[y] * width;
                float wy = rowWeights[y];
                int rowOffset = planeOffset + y * width;
                for (int x = 0; x < width; x++) {
                    float wx = columnWeights[x];
                    int left = columns0[x];
                    int right = columns1[x];
                    float upper = (1f - wx) * hwc[(top + left) * channels + c] + wx * hwc[(top + right) * channels + c];
                    float lower = (1f - wx) * hwc[(bottom + left) * channels + c] + wx * hwc[(bottom + right) * channels + c];
                    target[rowOffset + x] = sign * ((1f - wy) * upper + wy * lower);
                }
            }
        }
    }

    /** Nearest-neighbour resampling of an H x W label map into {@code target} at {@code offset}. */
    void nearest(long[] map, long[] target, int offset) {
        for (int y = 0; y < height; y++) {
            int row = nearestRows[y] * width;
            int rowOffset = offset + y * width;
            for (int x = 0; x < width; x++) {
                target[rowOffset + x] = map[row + nearestColumns[x]];
            }
        }
    }

    /** Nearest-neighbour resampling of an H x W depth map, divided by the crop's scale. */
    void nearestDepth(float[] map, float[] target, int offset) {
        float scale = crop.scale();
        for (int y = 0; y < height; y++) {
            int row = nearestRows[y] * width;
            int rowOffset = offset + y * width;
            for (int x = 0; x < width; x++) {
                target[rowOffset + x] = map[row + nearestColumns[x]] / scale;
            }
        }
    }
}
