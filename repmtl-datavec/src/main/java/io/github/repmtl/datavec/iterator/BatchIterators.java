package io.github.repmtl.datavec.iterator;

import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * Builds the iterators the datasets of this module hand out: an {@link IndexedBatchIterator}, wrapped
 * in a {@link PrefetchingIterator} unless prefetching is disabled.
 */
public final class BatchIterators {
    private BatchIterators() {
    }

    /**
     * @param sampleCount samples in the split
     * @param batchSize   samples per batch
     * @param shuffle     seeded reshuffling every epoch
     * @param seed        seed of the shuffling streams
     * @param prefetch    batches loaded ahead on a background thread; 0 loads synchronously
     * @param name        name of the background thread
     * @param assembler   builds a batch from sample indices
     */
    public static MultiDataSetIterator create(int sampleCount, int batchSize, boolean shuffle, long seed, int prefetch,
                                              String name, BatchAssembler assembler) {
        if (prefetch < 0) {
            throw new IllegalArgumentException("prefetch must be >= 0, got " + prefetch);
        }
        IndexedBatchIterator iterator = new IndexedBatchIterator(sampleCount, batchSize, shuffle, seed, assembler);
        return prefetch == 0 ? iterator : new PrefetchingIterator(iterator, prefetch, name);
    }
}
