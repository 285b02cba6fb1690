package io.github.repmtl.datavec.dense;

/**
 * Cityscapes (2975 train / 500 test images of 128x256; segmentation into 7 classes, inverse depth)
 * in the preprocessed layout of MTAN ({@code label_7}) and LibMTL ({@code label}); see
 * {@link DenseDataset}.
 */
public final class Cityscapes {
    private Cityscapes() {
    }

    public static DenseDataset.Builder builder() {
        return DenseDataset.builder(DenseBenchmark.CITYSCAPES);
    }
}
