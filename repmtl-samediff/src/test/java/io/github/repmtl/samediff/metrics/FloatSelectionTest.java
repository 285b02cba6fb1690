package io.github.repmtl.samediff.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FloatSelectionTest {

    private static double sortedMedian(float[] values) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : ((double) sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    @Test
    void medianMatchesASortedReferenceExactly() {
        Random random = new Random(11);
        for (int size : new int[]{1, 2, 3, 10, 101, 1000, 100_001, 100_000}) {
            float[] continuous = new float[size];
            float[] repeated = new float[size];
            for (int i = 0; i < size; i++) {
                continuous[i] = (float) (180 * random.nextDouble());
                repeated[i] = Math.round(4 * random.nextGaussian()) / 2f; // many ties
            }
            assertEquals(sortedMedian(continuous), FloatSelection.median(continuous.clone(), size), 0.0, "size " + size);
            assertEquals(sortedMedian(repeated), FloatSelection.median(repeated.clone(), size), 0.0, "size " + size);
        }
    }

    @Test
    void selectionPartitionsAroundTheRank() {
        float[] values = {5, 1, 4, 1, 5, 9, 2, 6, 5, 3};
        float third = FloatSelection.select(values, values.length, 3);
        assertEquals(3f, third);
        for (int i = 0; i < 3; i++) assertEquals(true, values[i] <= third);
        for (int i = 4; i < values.length; i++) assertEquals(true, values[i] >= third);
    }

    @Test
    void usesOnlyThePrefixAndRejectsEmpty() {
        GrowableFloatArray buffer = new GrowableFloatArray();
        for (int i = 0; i < 200_000; i++) buffer.add(i % 1000);
        assertEquals(200_000, buffer.size());
        assertEquals(499.5, buffer.median(), 0.0);
        buffer.clear();
        buffer.add(3f);
        assertEquals(3.0, buffer.median(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> FloatSelection.median(new float[4], 0));
    }
}
