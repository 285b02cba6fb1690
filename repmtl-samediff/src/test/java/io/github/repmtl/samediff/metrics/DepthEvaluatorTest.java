package io.github.repmtl.samediff.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DepthEvaluatorTest {

    private static INDArray depth(float... values) {
        return Nd4j.createFromArray(values).reshape(1, 1, 1, values.length);
    }

    @Test
    void errorsArePixelWeightedOverNonZeroGroundTruth() {
        DepthEvaluator evaluator = new DepthEvaluator("depth");
        // valid pixels 0, 2, 3: |1-2| = 1 (rel 0.5), |3-1| = 2 (rel 2), |4-4| = 0; pixel 1 has gt 0
        evaluator.update(depth(1, 2, 3, 4), depth(2, 0, 1, 4));
        Map<String, Double> first = evaluator.results();
        assertEquals(1.0, first.get(DepthEvaluator.ABSOLUTE_ERROR), 1e-12);
        assertEquals(2.5 / 3, first.get(DepthEvaluator.RELATIVE_ERROR), 1e-12);
        // one more valid pixel: |3-1| = 2 (rel 2); a batch mean would give 1.5, the pixel mean is 5/4
        evaluator.update(depth(3, 7), depth(1, 0));
        Map<String, Double> r = evaluator.results();
        assertEquals(1.25, r.get(DepthEvaluator.ABSOLUTE_ERROR), 1e-12);
        assertEquals(4.5 / 4, r.get(DepthEvaluator.RELATIVE_ERROR), 1e-12);
    }

    @Test
    void resetStartsANewEpoch() {
        DepthEvaluator evaluator = new DepthEvaluator("depth");
        evaluator.update(depth(1, 2), depth(2, 2));
        evaluator.reset();
        evaluator.update(depth(5), depth(4));
        assertEquals(1.0, evaluator.results().get(DepthEvaluator.ABSOLUTE_ERROR), 1e-12);
        assertEquals(0.25, evaluator.results().get(DepthEvaluator.RELATIVE_ERROR), 1e-12);
    }

    @Test
    void badInputsAreErrorsNamingTheTask() {
        DepthEvaluator evaluator = new DepthEvaluator("distance");
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> evaluator.update(depth(1, Float.NaN), depth(1, 1)));
        assertTrue(nan.getMessage().contains("distance") && nan.getMessage().contains("prediction"), nan.getMessage());
        IllegalArgumentException gt = assertThrows(IllegalArgumentException.class,
                () -> evaluator.update(depth(1, 1), depth(1, Float.POSITIVE_INFINITY)));
        assertTrue(gt.getMessage().contains("ground truth"), gt.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> evaluator.update(depth(1, 1, 1), depth(1, 1)));
        assertTrue(shape.getMessage().contains("distance") && shape.getMessage().contains("[1, 1, 1, 3]"), shape.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> evaluator.update(Nd4j.ones(1, 2, 1, 1), Nd4j.ones(1, 2, 1, 1)));
        evaluator.update(depth(1, 1), depth(0, 0));
        assertThrows(IllegalStateException.class, evaluator::results);
    }
}
