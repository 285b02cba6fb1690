package io.github.repmtl.datavec.dense;

/**
 * One validated NYUv2 / Cityscapes sample, as stored on disk (height-width-channel order).
 *
 * @param image  {@code H*W*3} values, HWC
 * @param label  {@code H*W} class indices, -1 = ignore
 * @param depth  {@code H*W} depth values, 0 = invalid
 * @param normal {@code H*W*3} normal vectors, HWC; null when the benchmark has no normals
 */
record DenseSample(float[] image, long[] label, float[] depth, float[] normal) {
}
