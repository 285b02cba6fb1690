package io.github.repmtl.datavec;

/**
 * The three partitions every dataset of this module exposes. {@link #VALIDATION} is always carved
 * deterministically out of the training data, so that model selection never sees {@link #TEST}.
 */
public enum Split {
    /** Training data (minus the validation part, when one is configured). */
    TRAIN,
    /** A deterministic, seeded part of the original training data, held out for model selection. */
    VALIDATION,
    /** The benchmark's test data (for NYUv2 and Cityscapes: the {@code val} folder). */
    TEST
}
