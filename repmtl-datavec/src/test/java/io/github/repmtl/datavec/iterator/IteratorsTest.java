package io.github.repmtl.datavec.iterator;

import io.github.repmtl.datavec.InvalidDataException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batching, seeded shuffling, epochs, pre-processing and background prefetching. */
class IteratorsTest {
    /** A batch whose single feature row holds the sample indices and whose label holds the epoch. */
    private static final BatchAssembler ECHO = (indices, epoch) -> {
        double[] values = Arrays.stream(indices).asDoubleStream().toArray();
        INDArray features = Nd4j.create(values, new long[]{indices.length}, DataType.DOUBLE);
        return new org.nd4j.linalg.dataset.MultiDataSet(features, Nd4j.scalar((double) epoch));
    };

    private static List<int[]> epoch(MultiDataSetIterator iterator) {
        List<int[]> batches = new ArrayList<>();
        while (iterator.hasNext()) {
            batches.add(iterator.next().getFeatures(0).toIntVector());
        }
        return batches;
    }

    private static int[] flatten(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void batchesInOrderWithAShorterLastBatch() {
        IndexedBatchIterator iterator = new IndexedBatchIterator(10, 4, false, 1, ECHO);
        List<int[]> batches = epoch(iterator);
        assertEquals(3, batches.size());
        assertArrayEquals(new int[]{0, 1, 2, 3}, batches.get(0));
        assertArrayEquals(new int[]{8, 9}, batches.get(2));
        assertThrows(NoSuchElementException.class, iterator::next);
        iterator.reset();
        assertEquals(1, iterator.epoch());
        assertArrayEquals(new int[]{0, 1, 2}, iterator.next(3).getFeatures(0).toIntVector());
        assertEquals(1.0, iterator.next().getLabels(0).getDouble(0));
    }

    @Test
    void shufflingIsASeededPermutationPerEpoch() {
        IndexedBatchIterator first = new IndexedBatchIterator(50, 8, true, 9, ECHO);
        IndexedBatchIterator same = new IndexedBatchIterator(50, 8, true, 9, ECHO);
        IndexedBatchIterator other = new IndexedBatchIterator(50, 8, true, 10, ECHO);
        int[] epoch0 = flatten(epoch(first));
        assertArrayEquals(epoch0, flatten(epoch(same)));
        assertFalse(Arrays.equals(epoch0, flatten(epoch(other))));
        int[] sorted = epoch0.clone();
        Arrays.sort(sorted);
        int[] identity = new int[50];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, sorted);
        assertFalse(Arrays.equals(identity, epoch0));
        first.reset();
        int[] epoch1 = flatten(epoch(first));
        assertNotEquals(Arrays.toString(epoch0), Arrays.toString(epoch1));
    }

    @Test
    void preProcessorRunsOnEveryBatch() {
        IndexedBatchIterator iterator = new IndexedBatchIterator(6, 4, false, 1, ECHO);
        iterator.setPreProcessor(batch -> batch.getFeatures(0).addi(100));
        assertArrayEquals(new int[]{100, 101, 102, 103}, iterator.next().getFeatures(0).toIntVector());
        assertArrayEquals(new int[]{104, 105}, iterator.next().getFeatures(0).toIntVector());
    }

    @Test
    void prefetchingGivesTheSameBatchesAcrossEpochs() {
        IndexedBatchIterator reference = new IndexedBatchIterator(37, 5, true, 3, ECHO);
        PrefetchingIterator prefetching = new PrefetchingIterator(new IndexedBatchIterator(37, 5, true, 3, ECHO), 2, "test");
        prefetching.setPreProcessor(batch -> batch.getFeatures(0).muli(2));
        reference.setPreProcessor(batch -> batch.getFeatures(0).muli(2));
        for (int e = 0; e < 3; e++) {
            List<int[]> expected = epoch(reference);
            List<int[]> actual = epoch(prefetching);
            assertEquals(expected.size(), actual.size());
            for (int b = 0; b < expected.size(); b++) {
                assertArrayEquals(expected.get(b), actual.get(b));
            }
            assertFalse(prefetching.hasNext());
            reference.reset();
            prefetching.reset();
        }
        assertFalse(prefetching.asyncSupported());
        assertTrue(prefetching.resetSupported());
    }

    @Test
    void resetInTheMiddleOfAnEpochStartsTheNextEpoch() {
        PrefetchingIterator prefetching = new PrefetchingIterator(new IndexedBatchIterator(20, 2, false, 3, ECHO), 3, "test");
        prefetching.next();
        prefetching.reset();
        MultiDataSet first = prefetching.next();
        assertArrayEquals(new int[]{0, 1}, first.getFeatures(0).toIntVector());
        assertEquals(1.0, first.getLabels(0).getDouble(0));
        prefetching.close();
        assertFalse(prefetching.hasNext());
    }

    @Test
    void loadingErrorsReachTheCallerUnchanged() {
        BatchAssembler failing = (indices, epoch) -> {
            if (indices[0] == 6) {
                throw new InvalidDataException("/data/train/depth/6.npy: truncated");
            }
            return ECHO.assemble(indices, epoch);
        };
        PrefetchingIterator prefetching = new PrefetchingIterator(new IndexedBatchIterator(10, 3, false, 1, failing), 1, "test");
        prefetching.next();
        prefetching.next();
        InvalidDataException e = assertThrows(InvalidDataException.class, prefetching::next);
        assertEquals("/data/train/depth/6.npy: truncated", e.getMessage());
        assertFalse(prefetching.hasNext());
    }

    @Test
    void factoryHonoursPrefetchSetting() {
        assertTrue(BatchIterators.create(5, 2, false, 1, 0, "x", ECHO) instanceof IndexedBatchIterator);
        assertTrue(BatchIterators.create(5, 2, false, 1, 2, "x", ECHO) instanceof PrefetchingIterator);
        assertThrows(IllegalArgumentException.class, () -> BatchIterators.create(5, 0, false, 1, 2, "x", ECHO));
        assertThrows(IllegalArgumentException.class, () -> BatchIterators.create(5, 2, false, 1, -1, "x", ECHO));
    }
}
