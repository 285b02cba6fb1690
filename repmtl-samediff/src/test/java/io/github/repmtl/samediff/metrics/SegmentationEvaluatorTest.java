package io.github.repmtl.samediff.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentationEvaluatorTest {
    private static final int CLASSES = 4;

    /** Logits [1, K, 1, W] whose arg-max at pixel i is predicted[i]. */
    private static INDArray logitsPredicting(int... predicted) {
        float[] values = new float[CLASSES * predicted.length];
        for (int i = 0; i < predicted.length; i++) {
            for (int c = 0; c < CLASSES; c++) values[c * predicted.length + i] = c == predicted[i] ? 2.5f : -1f + 0.1f * c;
        }
        return Nd4j.createFromArray(values).reshape(1, CLASSES, 1, predicted.length);
    }

    private static INDArray labels(long... classes) {
        return Nd4j.createFromArray(classes).reshape(1, 1, classes.length);
    }

    @Test
    void confusionMatrixWithIgnoredPixelsAndAbsentClasses() {
        SegmentationEvaluator evaluator = new SegmentationEvaluator("seg", CLASSES);
        // ground truth 0,0,1,1,2,ignore; prediction 0,1,1,1,0,2; class 3 occurs nowhere
        evaluator.update(logitsPredicting(0, 1, 1, 1, 0, 2), labels(0, 0, 1, 1, 2, -1));
        assertArrayEquals(new long[][]{{1, 1, 0, 0}, {0, 2, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 0}}, evaluator.confusionMatrix());
        Map<String, Double> r = evaluator.results();
        // IoU: class 0 = 1/3, class 1 = 2/3, class 2 = 0, class 3 absent (left out)
        assertEquals(100.0 / 3, r.get(SegmentationEvaluator.MIOU), 1e-9);
        assertEquals(60.0, r.get(SegmentationEvaluator.PIXEL_ACCURACY), 1e-9);
    }

    @Test
    void accumulatesOverTheEpochAndCountsPredictedOnlyClasses() {
        SegmentationEvaluator evaluator = new SegmentationEvaluator("seg", CLASSES);
        evaluator.update(logitsPredicting(0, 1, 1, 1, 0, 2), labels(0, 0, 1, 1, 2, -1));
        // float labels work too; class 3 is now predicted once (IoU 0, counted)
        evaluator.update(logitsPredicting(3), Nd4j.createFromArray(0f).reshape(1, 1, 1));
        Map<String, Double> r = evaluator.results();
        // IoU: class 0 = 1/(3+2-1) = 1/4, class 1 = 2/3, class 2 = 0, class 3 = 0
        assertEquals(100.0 * (0.25 + 2.0 / 3) / 4, r.get(SegmentationEvaluator.MIOU), 1e-9);
        assertEquals(50.0, r.get(SegmentationEvaluator.PIXEL_ACCURACY), 1e-9);

        evaluator.reset();
        evaluator.update(logitsPredicting(2, 2), labels(2, 2));
        assertEquals(100.0, evaluator.results().get(SegmentationEvaluator.MIOU), 1e-9);
    }

    @Test
    void batchesWithSeveralImagesUseTheChannelAxis() {
        // [2, 2, 1, 2] logits: image 0 predicts (1, 0), image 1 predicts (0, 1)
        INDArray logits = Nd4j.createFromArray(new float[]{0, 5, 1, 2, 3, 0, 1, 4}).reshape(2, 2, 1, 2);
        INDArray labels = Nd4j.createFromArray(new long[]{1, 1, 0, 1}).reshape(2, 1, 2);
        SegmentationEvaluator evaluator = new SegmentationEvaluator("seg", 2);
        evaluator.update(logits, labels);
        assertArrayEquals(new long[][]{{1, 0}, {1, 2}}, evaluator.confusionMatrix());
    }

    @Test
    void labelOutsideTheClassesIsAnErrorNamingTaskAndValue() {
        SegmentationEvaluator evaluator = new SegmentationEvaluator("semantic", CLASSES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> evaluator.update(logitsPredicting(0, 1), labels(0, 4)));
        assertTrue(e.getMessage().contains("semantic") && e.getMessage().contains("label 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> evaluator.update(logitsPredicting(0, 1), labels(0, -2)));
    }

    @Test
    void nonFiniteLogitsAndShapeMismatchesAreErrors() {
        SegmentationEvaluator evaluator = new SegmentationEvaluator("semantic", CLASSES);
        INDArray logits = logitsPredicting(0, 1);
        logits.putScalar(new long[]{0, 2, 0, 1}, Float.NaN);
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> evaluator.update(logits, labels(0, 1)));
        assertTrue(nan.getMessage().contains("semantic") && nan.getMessage().contains("NaN"), nan.getMessage());
        INDArray infinite = logitsPredicting(0, 1);
        infinite.putScalar(new long[]{0, 0, 0, 0}, Float.NEGATIVE_INFINITY);
        assertThrows(IllegalArgumentException.class, () -> evaluator.update(infinite, labels(0, 1)));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> evaluator.update(logitsPredicting(0, 1), labels(0, 1, 2)));
        assertTrue(shape.getMessage().contains("semantic"), shape.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SegmentationEvaluator("semantic", 3).update(logitsPredicting(0, 1), labels(0, 1)));
    }

    @Test
    void resultsWithoutAnyLabelledPixelAreAnError() {
        SegmentationEvaluator evaluator = new SegmentationEvaluator("semantic", CLASSES);
        evaluator.update(logitsPredicting(0, 1), labels(-1, -1));
        IllegalStateException e = assertThrows(IllegalStateException.class, evaluator::results);
        assertTrue(e.getMessage().contains("semantic"), e.getMessage());
    }
}
