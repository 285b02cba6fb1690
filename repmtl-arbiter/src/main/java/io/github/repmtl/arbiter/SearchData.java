package io.github.repmtl.arbiter;

import io.github.repmtl.datavec.Split;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Supplies fresh training and validation iterators for every candidate (each candidate trains from the start
 * of the data with the same shuffling). Datasets of {@code repmtl-datavec} plug in by split:
 * <pre>{@code
 * MultiItemDataset fashion = MultiFashion.builder().seed(1).trainSize(6000).validationSize(1000).build();
 * SearchData data = SearchData.fromSplits(split -> fashion.iterator(split, 64, split == Split.TRAIN));
 * }</pre>
 * The search asks only for {@link Split#TRAIN} and {@link Split#VALIDATION}, never for {@link Split#TEST}.
 */
@FunctionalInterface
public interface SearchData {

    /** New iterators for one candidate. */
    CandidateData create();

    /** Single-input data from two suppliers. */
    static SearchData of(Supplier<MultiDataSetIterator> train, Supplier<MultiDataSetIterator> validation) {
        Objects.requireNonNull(train, "training iterator supplier");
        Objects.requireNonNull(validation, "validation iterator supplier");
        return () -> CandidateData.singleInput(train.get(), validation.get());
    }

    /** Single-input data by split; called with TRAIN and VALIDATION only. */
    static SearchData fromSplits(Function<Split, MultiDataSetIterator> bySplit) {
        Objects.requireNonNull(bySplit, "iterator factory");
        return () -> CandidateData.singleInput(bySplit.apply(Split.TRAIN), bySplit.apply(Split.VALIDATION));
    }

    /** Multi-input data by split: one iterator per task, in task order; called with TRAIN and VALIDATION only. */
    static SearchData perTaskFromSplits(Function<Split, List<MultiDataSetIterator>> bySplit) {
        Objects.requireNonNull(bySplit, "per-task iterator factory");
        return () -> CandidateData.multiInput(bySplit.apply(Split.TRAIN), bySplit.apply(Split.VALIDATION));
    }
}
