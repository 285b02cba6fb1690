package io.github.repmtl.datavec.fashion;

/**
 * Composes two 28x28 items on a 36x36 canvas: the "left" item at the top-left (rows and columns
 * 0..27), the "right" item shifted by 8 pixels down and right (rows and columns 8..35). In the
 * 20x20 overlap both items are combined by the pixel-wise maximum. Grey values are scaled to [0, 1]
 * by dividing by 255.
 */
public final class OverlayCanvas {
    /** Side of the square canvas. */
    public static final int SIDE = 36;
    /** Offset, in rows and in columns, of the right item. */
    public static final int SHIFT = SIDE - LabelledItems.ITEM_SIDE;

    private OverlayCanvas() {
    }

    /** Writes the {@code 36*36} canvas values of a pair, row-major, into {@code target} at {@code offset}. */
    static void compose(LabelledItems items, int left, int right, float[] target, int offset) {
        int side = LabelledItems.ITEM_SIDE;
        for (int row = 0; row < SIDE; row++) {
            for (int column = 0; column < SIDE; column++) {
                int leftValue = row < side && column < side ? items.pixel(left, row, column) : 0;
                int rightValue = row >= SHIFT && column >= SHIFT ? items.pixel(right, row - SHIFT, column - SHIFT) : 0;
                target[offset + row * SIDE + column] = Math.max(leftValue, rightValue) / 255f;
            }
        }
    }
}
