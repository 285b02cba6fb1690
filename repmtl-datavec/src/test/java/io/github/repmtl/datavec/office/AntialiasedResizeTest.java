package io.github.repmtl.datavec.office;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The resize against values produced by PIL 9.4 {@code Image.resize(size, Image.BILINEAR)} on RGB images. */
class AntialiasedResizeTest {
    /** The test image of PIL's run: R = (37x + 11y) % 256, G = (5x + 53y + 20) % 256, B = (9x^2 + 3y) % 256. */
    private static float[] planes(int width, int height) {
        float[] planes = new float[3 * width * height];
        int plane = width * height;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                planes[y * width + x] = (x * 37 + y * 11) % 256;
                planes[plane + y * width + x] = (x * 5 + y * 53 + 20) % 256;
                planes[2 * plane + y * width + x] = (x * x * 9 + y * 3) % 256;
            }
        }
        return planes;
    }

    private static void assertWithinOneGreyLevel(int[] pil, float[] actual) {
        assertEquals(pil.length, actual.length);
        for (int i = 0; i < pil.length; i++) {
            assertEquals(pil[i], actual[i], 1.0f, "element " + i);
        }
    }

    @Test
    void shrinkingSevenByFiveToThreeByFourMatchesPil() {
        int[] pil = {35, 114, 193, 48, 127, 206, 60, 139, 218, 73, 152, 163, 37, 48, 59, 99, 110, 121, 161, 172, 183,
                223, 223, 94, 13, 90, 153, 16, 93, 156, 20, 97, 160, 23, 100, 163};
        assertWithinOneGreyLevel(pil, AntialiasedResize.resize(planes(7, 5), 3, 5, 7, 4, 3));
    }

    @Test
    void enlargingFourByThreeToSixByFiveMatchesPil() {
        int[] pil = {0, 19, 43, 68, 93, 111, 4, 23, 47, 72, 97, 115, 11, 30, 54, 79, 104, 122, 18, 37, 61, 86, 111, 129,
                22, 41, 65, 90, 115, 133, 20, 23, 26, 29, 33, 35, 41, 44, 47, 50, 54, 56, 73, 76, 79, 82, 86, 88, 105, 108,
                111, 114, 118, 120, 126, 129, 132, 135, 139, 141, 0, 5, 14, 31, 59, 81, 1, 6, 15, 32, 60, 82, 3, 8, 17, 34,
                62, 84, 5, 10, 19, 36, 64, 86, 6, 11, 20, 37, 65, 87};
        assertWithinOneGreyLevel(pil, AntialiasedResize.resize(planes(4, 3), 3, 3, 4, 5, 6));
    }

    @Test
    void sameSizeIsTheIdentityAndHalvingAveragesWithTriangleWeights() {
        float[] image = planes(6, 4);
        assertArrayEquals(image, AntialiasedResize.resize(image, 3, 4, 6, 4, 6));
        float[] row = {10, 20, 40, 80};
        float[] halved = AntialiasedResize.resize(row, 1, 1, 4, 1, 2);
        assertEquals((3 * 10 + 3 * 20 + 40) / 7f, halved[0], 1e-4f);
        assertEquals((20 + 3 * 40 + 3 * 80) / 7f, halved[1], 1e-4f);
    }
}
