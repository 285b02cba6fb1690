package io.github.repmtl.arbiter;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * Ends every pass over another iterator after at most {@code limit} batches, so that a candidate's training
 * budget can be given in optimisation steps; {@link #reset()} resets the source (a shuffling source then shows
 * a different subset in the next epoch).
 */
final class BatchLimitedIterator implements MultiDataSetIterator {
    private final MultiDataSetIterator source;
    private final int limit;
    private int served;

    BatchLimitedIterator(MultiDataSetIterator source, int limit) {
        if (limit < 1) throw new IllegalArgumentException("batch limit must be >= 1, got " + limit);
        this.source = source;
        this.limit = limit;
    }

    @Override
    public boolean hasNext() { return served < limit && source.hasNext(); }

    @Override
    public MultiDataSet next() {
        if (served >= limit) throw new IllegalStateException("batch limit of " + limit + " reached; call reset()");
        served++;
        return source.next();
    }

    @Override
    public MultiDataSet next(int num) { throw new UnsupportedOperationException("next(int) is not supported"); }

    @Override
    public void reset() {
        source.reset();
        served = 0;
    }

    @Override
    public boolean resetSupported() { return source.resetSupported(); }

    @Override
    public boolean asyncSupported() { return false; }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) { source.setPreProcessor(preProcessor); }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() { return source.getPreProcessor(); }
}
