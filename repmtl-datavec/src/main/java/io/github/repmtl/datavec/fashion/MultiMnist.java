package io.github.repmtl.datavec.fashion;

/**
 * MultiMNIST: two MNIST digits overlaid on a 36x36 canvas, tasks "left" and "right" (see
 * {@link MultiItemDataset}). MNIST is not bundled: configure the directory of its idx files with
 * {@code dataDir(...)}.
 */
public final class MultiMnist {
    private MultiMnist() {
    }

    public static MultiItemDataset.Builder builder() {
        return MultiItemDataset.builder(ItemSet.MNIST);
    }
}
