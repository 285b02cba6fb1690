package io.github.repmtl.datavec.fashion;

/**
 * MultiFashion: two Fashion-MNIST items overlaid on a 36x36 canvas, tasks "left" and "right" (see
 * {@link MultiItemDataset}). Reads {@code /usr/share/datasets/fashion-mnist} (Debian package
 * {@code dataset-fashion-mnist}) by default and falls back to the subset bundled with this module.
 *
 * <pre>{@code
 * MultiItemDataset data = MultiFashion.builder().seed(1).trainSize(10000).validationSize(2000).testSize(2000).build();
 * }</pre>
 */
public final class MultiFashion {
    private MultiFashion() {
    }

    public static MultiItemDataset.Builder builder() {
        return MultiItemDataset.builder(ItemSet.FASHION_MNIST);
    }
}
