package io.github.repmtl.datavec.dense;

/**
 * The dense-prediction tasks of NYUv2 and Cityscapes, with the array each produces per batch.
 */
public enum DenseTask {
    /** Semantic segmentation: int64 {@code [B, H, W]} class indices, -1 where the pixel is ignored. */
    SEGMENTATION("segmentation"),
    /** Depth (inverse depth for Cityscapes): float32 {@code [B, 1, H, W]}, 0 where invalid. */
    DEPTH("depth"),
    /** Surface normals: float32 {@code [B, 3, H, W]} unit vectors, all-zero where invalid. */
    NORMAL("normal");

    private final String taskName;

    DenseTask(String taskName) {
        this.taskName = taskName;
    }

    /** The task name used in configurations and logs, e.g. {@code "segmentation"}. */
    public String taskName() {
        return taskName;
    }
}
