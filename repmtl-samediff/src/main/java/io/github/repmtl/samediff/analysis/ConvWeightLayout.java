package io.github.repmtl.samediff.analysis;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * How a rank-4 convolution kernel is laid out, and how it is cut into 2-D matrices for spectral analysis.
 * As WeightWatcher does, a {@code kH x kW} kernel becomes {@code kH * kW} matrices of shape
 * {@code in x out}, one per spatial tap; their eigenvalues are pooled into one spectrum per layer.
 */
public enum ConvWeightLayout {
    /** {@code [kH, kW, in, out]}: SameDiff's default {@code conv2d} weight format. */
    YXIO,
    /** {@code [out, in, kH, kW]}: DL4J {@code ConvolutionLayer} and PyTorch. */
    OIYX;

    /** The {@code kH * kW} tap matrices {@code in x out} of a rank-4 kernel in this layout, row-major over taps. */
    public List<INDArray> taps(INDArray kernel) {
        if (kernel.rank() != 4) throw new IllegalArgumentException("a " + this + " convolution kernel must have rank 4, got rank " + kernel.rank());
        long kH = this == YXIO ? kernel.size(0) : kernel.size(2);
        long kW = this == YXIO ? kernel.size(1) : kernel.size(3);
        List<INDArray> taps = new ArrayList<>((int) (kH * kW));
        for (long y = 0; y < kH; y++) {
            for (long x = 0; x < kW; x++) {
                INDArray tap = this == YXIO
                        ? kernel.get(NDArrayIndex.point(y), NDArrayIndex.point(x), NDArrayIndex.all(), NDArrayIndex.all())
                        : kernel.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.point(x)).transpose();
                taps.add(tap.dup('c'));
            }
        }
        return taps;
    }
}
