package io.github.repmtl.datavec.dense;

/**
 * NYUv2 (795 train / 654 test images of 288x384; segmentation into 13 classes, depth, surface
 * normals) in the preprocessed layout of MTAN and LibMTL; see {@link DenseDataset}.
 */
public final class NyuV2 {
    private NyuV2() {
    }

    public static DenseDataset.Builder builder() {
        return DenseDataset.builder(DenseBenchmark.NYUV2);
    }
}
