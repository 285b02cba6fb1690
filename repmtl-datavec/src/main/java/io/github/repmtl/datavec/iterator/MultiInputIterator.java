package io.github.repmtl.datavec.iterator;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Zips one iterator per task (multi-input mode, e.g. one Office domain per task) into batches whose
 * features and labels are those of every task, in task order: {@code features[t]}, {@code labels[t]}
 * for single-input, single-label sources. An epoch lasts as many steps as the longest source has
 * batches; shorter sources start their next (reshuffled) epoch when exhausted, as LibMTL does.
 */
public final class MultiInputIterator implements MultiDataSetIterator {
    private static final long serialVersionUID = 1L;

    private final transient List<IndexedBatchIterator> sources;
    private final int stepsPerEpoch;
    private volatile transient MultiDataSetPreProcessor preProcessor;
    private int step;

    /** @param sources one iterator per task, none of them empty */
    public MultiInputIterator(List<IndexedBatchIterator> sources) {
        if (sources == null || sources.isEmpty()) {
            throw new IllegalArgumentException("at least one source iterator is required");
        }
        int steps = 0;
        for (int t = 0; t < sources.size(); t++) {
            IndexedBatchIterator source = sources.get(t);
            if (source.sampleCount() == 0) {
                throw new IllegalArgumentException("source " + t + " has no samples");
            }
            steps = Math.max(steps, (source.sampleCount() + source.batchSize() - 1) / source.batchSize());
        }
        this.sources = List.copyOf(sources);
        this.stepsPerEpoch = steps;
    }

    /** Number of batches per epoch (that of the longest source). */
    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    @Override
    public boolean hasNext() {
        return step < stepsPerEpoch;
    }

    @Override
    public MultiDataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch exhausted; call reset()");
        }
        List<INDArray> features = new ArrayList<>();
        List<INDArray> labels = new ArrayList<>();
        for (IndexedBatchIterator source : sources) {
            if (!source.hasNext()) {
                source.reset();
            }
            MultiDataSet batch = source.next();
            features.addAll(List.of(batch.getFeatures()));
            labels.addAll(List.of(batch.getLabels()));
        }
        step++;
        MultiDataSet zipped = new org.nd4j.linalg.dataset.MultiDataSet(features.toArray(INDArray[]::new),
                labels.toArray(INDArray[]::new));
        if (preProcessor != null) {
            preProcessor.preProcess(zipped);
        }
        return zipped;
    }

    /** Not supported: each source's batch size is fixed when it is created. */
    @Override
    public MultiDataSet next(int num) {
        throw new UnsupportedOperationException("next(int) is not supported; batch sizes are set per source");
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

    /** False: wrap it in a {@link PrefetchingIterator} to load in the background. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    /** Starts the next epoch of every source. */
    @Override
    public void reset() {
        step = 0;
        for (IndexedBatchIterator source : sources) {
            source.reset();
        }
    }
}
