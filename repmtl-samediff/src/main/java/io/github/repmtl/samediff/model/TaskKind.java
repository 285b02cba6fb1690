package io.github.repmtl.samediff.model;

/** What a task predicts; decides its default loss, its metrics and the direction of each metric. */
public enum TaskKind {
    /** One class per sample: logits {@code [B, K]}, integer labels {@code [B]}. */
    CLASSIFICATION,
    /** One class per pixel: logits {@code [B, K, H, W]}, integer labels {@code [B, H, W]}, -1 ignored. */
    SEGMENTATION,
    /** Dense depth {@code [B, 1, H, W]}; zero ground truth marks an invalid pixel. */
    DEPTH,
    /** Dense unit surface normals {@code [B, 3, H, W]}; an all-zero ground-truth vector marks an invalid pixel. */
    NORMAL
}
