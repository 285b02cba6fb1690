package io.github.repmtl.samediff.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassificationEvaluatorTest {
    private static final INDArray LOGITS = Nd4j.createFromArray(new float[][]{
            {2, 1, 0},   // top-1 0, top-2 {0, 1}
            {0, 3, 1},   // top-1 1, top-2 {1, 2}
            {5, 4, 3},   // top-1 0, top-2 {0, 1}
            {1, 1, 0}}); // tie: first arg-max 0, top-2 {0, 1}

    @Test
    void accuracyAndTopKInPercent() {
        ClassificationEvaluator evaluator = new ClassificationEvaluator("amazon", 3, 2);
        evaluator.update(LOGITS, Nd4j.createFromArray(new long[]{0, 2, 1, 1}));
        Map<String, Double> r = evaluator.results();
        assertEquals(25.0, r.get(ClassificationEvaluator.ACCURACY), 1e-12);
        assertEquals(100.0, r.get(ClassificationEvaluator.topKName(2)), 1e-12);
        assertEquals(2, evaluator.metrics().size());

        evaluator.update(LOGITS, Nd4j.createFromArray(new float[]{2, 1, 2, 0}).reshape(4, 1));
        r = evaluator.results();
        assertEquals(100.0 * 3 / 8, r.get(ClassificationEvaluator.ACCURACY), 1e-12);
        assertEquals(100.0 * 6 / 8, r.get("top2Accuracy"), 1e-12);
    }

    @Test
    void badInputsAreErrorsNamingTheTask() {
        ClassificationEvaluator evaluator = new ClassificationEvaluator("webcam", 3);
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> evaluator.update(LOGITS, Nd4j.createFromArray(new long[]{0, 3, 1, 1})));
        assertTrue(label.getMessage().contains("webcam") && label.getMessage().contains("label 3"), label.getMessage());
        assertThrows(IllegalArgumentException.class, () -> evaluator.update(LOGITS, Nd4j.createFromArray(new float[]{0, 1.5f, 1, 1})));
        assertThrows(IllegalArgumentException.class, () -> evaluator.update(LOGITS, Nd4j.createFromArray(new long[]{0, 1})));
        INDArray nan = LOGITS.dup();
        nan.putScalar(1, 1, Float.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> evaluator.update(nan, Nd4j.createFromArray(new long[]{0, 1, 1, 1})));
        assertTrue(e.getMessage().contains("webcam"), e.getMessage());
        assertThrows(IllegalStateException.class, evaluator::results);
    }
}
