package io.github.repmtl.datavec.iterator;

import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Builds one mini-batch from sample indices. Implementations must be deterministic: the same
 * indices and epoch give the same batch (any randomness, such as augmentation, is derived from the
 * epoch and the sample index through {@link Seeds}).
 */
@FunctionalInterface
public interface BatchAssembler {
    /**
     * @param sampleIndices indices of the samples in the split, in batch order
     * @param epoch         the epoch the batch belongs to, starting at 0 (for augmentation streams)
     */
    MultiDataSet assemble(int[] sampleIndices, int epoch);
}
