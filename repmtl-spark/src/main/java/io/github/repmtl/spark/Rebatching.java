package io.github.repmtl.spark;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A partition's minibatches re-cut to {@code size} examples each, in order (the last one may be smaller): features,
 * labels and their masks of any rank, split and joined along the example dimension. (DL4J's
 * {@code IteratorMultiDataSetIterator} does the same for rank 2 to 4 only; the project's class labels are rank 1.)
 * One pass: {@link #reset()} is not supported.
 */
final class Rebatching implements MultiDataSetIterator {
    private final Iterator<MultiDataSet> source;
    private final int size;
    private final Deque<MultiDataSet> pending = new ArrayDeque<>();

    Rebatching(Iterator<MultiDataSet> source, int size) {
        if (size < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + size);
        this.source = source;
        this.size = size;
    }

    @Override public boolean hasNext() { return !pending.isEmpty() || source.hasNext(); }

    @Override public MultiDataSet next() {
        if (!hasNext()) throw new NoSuchElementException();
        List<MultiDataSet> parts = new ArrayList<>();
        long have = 0;
        while (have < size && hasNext()) {
            MultiDataSet m = pending.isEmpty() ? source.next() : pending.poll();
            long n = m.getFeatures(0).size(0);
            if (have + n <= size) {
                parts.add(m);
                have += n;
            } else {
                long keep = size - have;
                parts.add(rows(m, 0, keep));
                pending.addFirst(rows(m, keep, n));
                have = size;
            }
        }
        return parts.size() == 1 ? parts.get(0) : join(parts);
    }

    private static MultiDataSet rows(MultiDataSet m, long from, long to) {
        return new org.nd4j.linalg.dataset.MultiDataSet(rows(m.getFeatures(), from, to), rows(m.getLabels(), from, to),
                rows(m.getFeaturesMaskArrays(), from, to), rows(m.getLabelsMaskArrays(), from, to));
    }

    private static INDArray[] rows(INDArray[] arrays, long from, long to) {
        if (arrays == null) return null;
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            if (arrays[i] == null) continue;
            INDArrayIndex[] at = new INDArrayIndex[arrays[i].rank()];
            at[0] = NDArrayIndex.interval(from, to);
            for (int d = 1; d < at.length; d++) at[d] = NDArrayIndex.all();
            out[i] = arrays[i].get(at).dup();
        }
        return out;
    }

    private static MultiDataSet join(List<MultiDataSet> parts) {
        MultiDataSet first = parts.get(0);
        return new org.nd4j.linalg.dataset.MultiDataSet(join(parts, first.getFeatures().length, 0), join(parts, first.getLabels().length, 1),
                first.getFeaturesMaskArrays() == null ? null : join(parts, first.getFeaturesMaskArrays().length, 2),
                first.getLabelsMaskArrays() == null ? null : join(parts, first.getLabelsMaskArrays().length, 3));
    }

    private static INDArray[] join(List<MultiDataSet> parts, int count, int kind) {
        INDArray[] out = new INDArray[count];
        for (int i = 0; i < count; i++) {
            INDArray[] pieces = new INDArray[parts.size()];
            for (int p = 0; p < pieces.length; p++) {
                MultiDataSet m = parts.get(p);
                INDArray[] arrays = switch (kind) {
                    case 0 -> m.getFeatures();
                    case 1 -> m.getLabels();
                    case 2 -> m.getFeaturesMaskArrays();
                    default -> m.getLabelsMaskArrays();
                };
                if (arrays == null || arrays.length != count)
                    throw new IllegalArgumentException("minibatches of one partition differ in their arrays: cannot join them into batches of one size");
                pieces[p] = arrays[i];
            }
            if (pieces[0] == null) continue;
            out[i] = Nd4j.concat(0, pieces);
        }
        return out;
    }

    @Override public MultiDataSet next(int num) { throw new UnsupportedOperationException("next(int): the batch size is fixed"); }
    @Override public void setPreProcessor(MultiDataSetPreProcessor preProcessor) { throw new UnsupportedOperationException("no pre-processor"); }
    @Override public MultiDataSetPreProcessor getPreProcessor() { return null; }
    @Override public boolean resetSupported() { return false; }
    @Override public boolean asyncSupported() { return true; }
    @Override public void reset() { throw new UnsupportedOperationException("one pass over a partition"); }
}
