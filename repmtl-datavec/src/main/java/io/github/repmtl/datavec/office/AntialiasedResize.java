package io.github.repmtl.datavec.office;

/**
 * Resizes planar float images with the antialiased bilinear (triangle) filter of PIL's
 * {@code Image.resize(..., BILINEAR)}, which torchvision's {@code Resize} uses on PIL images: when
 * shrinking, the filter support widens by the shrink factor, so every input pixel contributes. The
 * computation is in float (PIL rounds to 8 bits after each pass), so results agree with PIL to within
 * one grey level.
 */
final class AntialiasedResize {
    private AntialiasedResize() {
    }

    /** Filter taps along one axis: output {@code o} is the weighted sum of inputs {@code first[o] .. first[o]+count[o]-1}. */
    private record Taps(int[] first, int[] count, float[][] weights) {
    }

    private static Taps taps(int in, int out) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;
        int[] first = new int[out];
        int[] count = new int[out];
        float[][] weights = new float[out][];
        for (int o = 0; o < out; o++) {
            double center = (o + 0.5) * scale;
            int min = Math.max((int) (center - support + 0.5), 0);
            int max = Math.min((int) (center + support + 0.5), in);
            double[] raw = new double[max - min];
            double total = 0;
            for (int k = 0; k < raw.length; k++) {
                double distance = Math.abs((k + min - center + 0.5) / filterScale);
                raw[k] = distance < 1 ? 1 - distance : 0;
                total += raw[k];
            }
            weights[o] = new float[raw.length];
            for (int k = 0; k < raw.length; k++) {
                weights[o][k] = (float) (total == 0 ? 0 : raw[k] / total);
            }
            first[o] = min;
            count[o] = raw.length;
        }
        return new Taps(first, count, weights);
    }

    /**
     * Resizes {@code channels} planes of {@code inHeight x inWidth} (plane after plane, rows row-major)
     * to {@code outHeight x outWidth}, in the same layout.
     */
    static float[] resize(float[] planes, int channels, int inHeight, int inWidth, int outHeight, int outWidth) {
        Taps horizontal = taps(inWidth, outWidth);
        Taps vertical = taps(inHeight, outHeight);
        float[] wide = new float[channels * inHeight * outWidth];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < inHeight; y++) {
                int inRow = (c * inHeight + y) * inWidth;
                int outRow = (c * inHeight + y) * outWidth;
                for (int x = 0; x < outWidth; x++) {
                    float sum = 0;
                    float[] weights = horizontal.weights()[x];
                    int first = inRow + horizontal.first()[x];
                    for (int k = 0; k < horizontal.count()[x]; k++) {
                        sum += weights[k] * planes[first + k];
                    }
                    wide[outRow + x] = sum;
                }
            }
        }
        float[] result = new float[channels * outHeight * outWidth];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < outHeight; y++) {
                float[] weights = vertical.weights()[y];
                int first = vertical.first()[y];
                int outRow = (c * outHeight + y) * outWidth;
                for (int k = 0; k < vertical.count()[y]; k++) {
                    int inRow = (c * inHeight + first + k) * outWidth;
                    float weight = weights[k];
                    for (int x = 0; x < outWidth; x++) {
                        result[outRow + x] += weight * wide[inRow + x];
                    }
                }
            }
        }
        return result;
    }
}
