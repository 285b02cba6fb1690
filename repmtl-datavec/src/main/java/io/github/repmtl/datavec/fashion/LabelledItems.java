package io.github.repmtl.datavec.fashion;

import io.github.repmtl.datavec.InvalidDataException;
import io.github.repmtl.datavec.idx.IdxArray;

import java.util.Arrays;

/**
 * One original split (train or test) of an item collection: validated 28x28 images and their labels.
 */
final class LabelledItems {
    static final int ITEM_SIDE = 28;

    private final byte[] pixels;
    private final byte[] labels;
    private final int count;

    private LabelledItems(byte[] pixels, byte[] labels, int count) {
        this.pixels = pixels;
        this.labels = labels;
        this.count = count;
    }

    /**
     * Validates an idx image file and an idx label file against each other: {@code [n, 28, 28]} images,
     * {@code [n]} labels, every label below {@code classCount}.
     */
    static LabelledItems of(IdxArray images, IdxArray labels, int classCount) {
        int[] imageDims = images.dims();
        if (imageDims.length != 3 || imageDims[1] != ITEM_SIDE || imageDims[2] != ITEM_SIDE) {
            throw new InvalidDataException(images.source() + ": expected images of shape [n, 28, 28], got "
                    + Arrays.toString(imageDims));
        }
        if (labels.dims().length != 1) {
            throw new InvalidDataException(labels.source() + ": expected a 1-d label file, got dimensions "
                    + Arrays.toString(labels.dims()));
        }
        if (labels.count() != images.count()) {
            throw new InvalidDataException(labels.source() + ": " + labels.count() + " labels but "
                    + images.source() + " holds " + images.count() + " images");
        }
        for (int i = 0; i < labels.count(); i++) {
            if (labels.unsigned(i) >= classCount) {
                throw new InvalidDataException(labels.source() + ": label " + labels.unsigned(i) + " of item " + i
                        + " is not a class index 0.." + (classCount - 1));
            }
        }
        return new LabelledItems(images.data(), labels.data(), images.count());
    }

    int count() {
        return count;
    }

    int label(int item) {
        return labels[item] & 0xff;
    }

    /** The grey value 0..255 of pixel (row, column) of an item. */
    int pixel(int item, int row, int column) {
        return pixels[(item * ITEM_SIDE + row) * ITEM_SIDE + column] & 0xff;
    }
}
