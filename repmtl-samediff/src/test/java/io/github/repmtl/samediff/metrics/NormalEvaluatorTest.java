package io.github.repmtl.samediff.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormalEvaluatorTest {

    /** [1, 3, 1, W] from per-pixel vectors. */
    private static INDArray normals(double[]... pixels) {
        double[] values = new double[3 * pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            for (int c = 0; c < 3; c++) values[c * pixels.length + i] = pixels[i][c];
        }
        return Nd4j.createFromArray(values).reshape(1, 3, 1, pixels.length);
    }

    @Test
    void handComputedAnglesWithAnInvalidPixel() {
        double t = Math.toRadians(20);
        INDArray prediction = normals(new double[]{0, 0, 2}, new double[]{0, 3, 0}, new double[]{1, 1, 1},
                new double[]{1, 1, 0}, new double[]{Math.cos(t), Math.sin(t), 0});
        INDArray truth = normals(new double[]{0, 0, 1}, new double[]{1, 0, 0}, new double[]{0, 0, 0},
                new double[]{0, 1, 0}, new double[]{1, 0, 0});
        NormalEvaluator evaluator = new NormalEvaluator("normal");
        evaluator.update(prediction, truth);
        // angles 0, 90, (invalid), 45, 20
        Map<String, Double> r = evaluator.results();
        assertEquals(38.75, r.get(NormalEvaluator.MEAN_ANGLE), 1e-6);
        assertEquals(32.5, r.get(NormalEvaluator.MEDIAN_ANGLE), 1e-5);
        assertEquals(25.0, r.get(NormalEvaluator.WITHIN_11_25), 1e-12);
        assertEquals(50.0, r.get(NormalEvaluator.WITHIN_22_5), 1e-12);
        assertEquals(50.0, r.get(NormalEvaluator.WITHIN_30), 1e-12);
    }

    @Test
    void medianIsExactOverTheWholeEpoch() {
        Random random = new Random(7);
        NormalEvaluator evaluator = new NormalEvaluator("normal");
        float[] reference = new float[4 * 3 * 37 * 53 * 3];
        int count = 0;
        double sum = 0;
        for (int batch = 0; batch < 3; batch++) {
            int b = 4, h = 37, w = 53, plane = h * w;
            double[] p = new double[b * 3 * plane];
            double[] g = new double[b * 3 * plane];
            for (int i = 0; i < p.length; i++) p[i] = random.nextGaussian();
            for (int n = 0; n < b; n++) {
                for (int j = 0; j < plane; j++) {
                    if (random.nextDouble() < 0.3) continue; // invalid pixel: zero ground truth
                    double x = random.nextGaussian(), y = random.nextGaussian(), z = random.nextGaussian();
                    double norm = Math.sqrt(x * x + y * y + z * z);
                    g[(3 * n) * plane + j] = x / norm;
                    g[(3 * n + 1) * plane + j] = y / norm;
                    g[(3 * n + 2) * plane + j] = z / norm;
                }
            }
            evaluator.update(Nd4j.createFromArray(p).reshape(b, 3, h, w), Nd4j.createFromArray(g).reshape(b, 3, h, w));
            for (int n = 0; n < b; n++) {
                for (int j = 0; j < plane; j++) {
                    int x = 3 * n * plane + j, y = x + plane, z = y + plane;
                    if (g[x] + g[y] + g[z] == 0) continue;
                    double norm = Math.sqrt(p[x] * p[x] + p[y] * p[y] + p[z] * p[z]);
                    double cos = (p[x] * g[x] + p[y] * g[y] + p[z] * g[z]) / norm;
                    double angle = Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, cos))));
                    reference[count++] = (float) angle;
                    sum += angle;
                }
            }
        }
        float[] sorted = Arrays.copyOf(reference, count);
        Arrays.sort(sorted);
        double expectedMedian = count % 2 == 1 ? sorted[count / 2] : ((double) sorted[count / 2 - 1] + sorted[count / 2]) / 2;
        Map<String, Double> r = evaluator.results();
        assertEquals(expectedMedian, r.get(NormalEvaluator.MEDIAN_ANGLE), 0.0);
        assertEquals(sum / count, r.get(NormalEvaluator.MEAN_ANGLE), 1e-9);
        // asking twice (the buffer is reordered in place) gives the same answer
        assertEquals(expectedMedian, evaluator.results().get(NormalEvaluator.MEDIAN_ANGLE), 0.0);
    }

    @Test
    void badInputsAreErrorsNamingTheTask() {
        NormalEvaluator evaluator = new NormalEvaluator("surface");
        INDArray nan = normals(new double[]{Double.NaN, 0, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> evaluator.update(nan, normals(new double[]{0, 0, 1})));
        assertTrue(e.getMessage().contains("surface") && e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> evaluator.update(Nd4j.ones(1, 2, 1, 1), Nd4j.ones(1, 2, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> evaluator.update(Nd4j.ones(1, 3, 1, 2), Nd4j.ones(1, 3, 2, 1)));
        IllegalStateException empty = assertThrows(IllegalStateException.class, evaluator::results);
        assertTrue(empty.getMessage().contains("surface"), empty.getMessage());
    }
}
