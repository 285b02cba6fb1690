package io.github.repmtl.datavec.iterator;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * A synchronous {@link MultiDataSetIterator} over the samples {@code 0..n-1} of a split: fixed-size
 * mini-batches (the last one may be smaller), a fresh seeded permutation per epoch when shuffling,
 * and an optional {@link MultiDataSetPreProcessor} applied to every batch. Each {@link #reset()}
 * starts the next epoch. Wrap it in a {@link PrefetchingIterator} to load batches in the background.
 */
public final class IndexedBatchIterator implements MultiDataSetIterator {
    private static final long serialVersionUID = 1L;

    private final int sampleCount;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final transient BatchAssembler assembler;
    private volatile transient MultiDataSetPreProcessor preProcessor;
    private int epoch;
    private int[] order;
    private int cursor;

    /**
     * @param sampleCount number of samples in the split
     * @param batchSize   samples per batch, at least 1
     * @param shuffle     whether each epoch visits the samples in a new seeded random order
     * @param seed        seed of the shuffling streams
     * @param assembler   turns sample indices into a batch
     */
    public IndexedBatchIterator(int sampleCount, int batchSize, boolean shuffle, long seed, BatchAssembler assembler) {
        if (sampleCount < 0) {
            throw new IllegalArgumentException("sampleCount must be >= 0, got " + sampleCount);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (assembler == null) {
            throw new IllegalArgumentException("assembler must not be null");
        }
        this.sampleCount = sampleCount;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.assembler = assembler;
        this.order = orderOfEpoch(0);
    }

    /** The epoch the next batch belongs to; 0 until the first {@link #reset()}. */
    public int epoch() {
        return epoch;
    }

    /** Number of samples per epoch. */
    public int sampleCount() {
        return sampleCount;
    }

    public int batchSize() {
        return batchSize;
    }

    @Override
    public boolean hasNext() {
        return cursor < sampleCount;
    }

    @Override
    public MultiDataSet next() {
        return next(batchSize);
    }

    @Override
    public MultiDataSet next(int num) {
        if (num < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + num);
        }
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " is exhausted; call reset()");
        }
        int end = Math.min(sampleCount, cursor + num);
        int[] indices = Arrays.copyOfRange(order, cursor, end);
        cursor = end;
        MultiDataSet batch = assembler.assemble(indices, epoch);
        MultiDataSetPreProcessor current = preProcessor;
        if (current != null) {
            current.preProcess(batch);
        }
        return batch;
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** False: background loading is done by {@link PrefetchingIterator}, not by ND4J's async wrapper. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    /** Starts the next epoch (with a new order when shuffling). */
    @Override
    public void reset() {
        epoch++;
        order = orderOfEpoch(epoch);
        cursor = 0;
    }

    private int[] orderOfEpoch(int epochNumber) {
        if (!shuffle) {
            int[] identity = new int[sampleCount];
            Arrays.setAll(identity, i -> i);
            return identity;
        }
        return Seeds.permutation(sampleCount, Seeds.random(seed, epochNumber));
    }
}
