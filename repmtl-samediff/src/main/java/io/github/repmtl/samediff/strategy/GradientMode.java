package io.github.repmtl.samediff.strategy;

/**
 * Which per-task gradients a {@link MultiTaskStrategy} receives in its {@link StepContext}.
 */
public enum GradientMode {
    /** No gradients: the strategy only produces loss weights from the task losses. */
    NONE,
    /** Rows are {@code dl_t / d theta_shared}, the gradients w.r.t. all shared parameters, flattened and concatenated. */
    PARAMETERS,
    /**
     * Rows are {@code dl_t / dZ}, the gradients w.r.t. the shared representation {@code Z} of the whole batch,
     * flattened in row-major order (batch first); an aggregated direction is back-propagated through {@code Z}.
     */
    REPRESENTATION
}
