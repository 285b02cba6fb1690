package io.github.repmtl.arbiter;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatchLimitedIteratorTest {

    private static List<INDArray> pass(BatchLimitedIterator it) {
        List<INDArray> features = new ArrayList<>();
        while (it.hasNext()) features.add(it.next().getFeatures(0));
        return features;
    }

    @Test
    void everyPassStopsAtTheLimitAndResetStartsAgain() {
        BatchLimitedIterator it = new BatchLimitedIterator(TinyMultiTask.data(48, 16, 1), 2);   // the source has 3 batches
        List<INDArray> first = pass(it);
        assertEquals(2, first.size());
        assertFalse(it.hasNext());
        assertThrows(IllegalStateException.class, it::next);
        it.reset();
        assertEquals(first, pass(it), "the same two batches after reset (the source does not shuffle)");
        assertEquals(3, pass(new BatchLimitedIterator(TinyMultiTask.data(48, 16, 1), 5)).size(), "a limit above the source length changes nothing");
    }
}
