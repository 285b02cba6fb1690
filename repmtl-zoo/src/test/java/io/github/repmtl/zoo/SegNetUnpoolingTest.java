package io.github.repmtl.zoo;

import io.github.repmtl.samediff.nn.Pooling;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class SegNetUnpoolingTest {

    @Test
    void maskMarksTheFirstMaximumOfEachWindowLikePyTorch() {
        // channel 0: distinct values; channel 1: ties (zeros after a ReLU, and equal positive maxima)
        INDArray x = Nd4j.create(new double[]{
                1, 5, 2, 2,
                3, 4, 9, 0,
                0, 0, 7, 1,
                0, 0, 7, 7,

                0, 0, 3, 3,
                0, 0, 3, 0,
                1, 0, 0, 2,
                0, 1, 2, 2}, new long[]{1, 2, 4, 4}, 'c');
        INDArray expected = Nd4j.create(new double[]{
                0, 1, 0, 0,
                0, 0, 1, 0,
                1, 0, 1, 0,
                0, 0, 0, 0,

                1, 0, 1, 0,
                0, 0, 0, 0,
                1, 0, 0, 1,
                0, 0, 0, 0}, new long[]{1, 2, 4, 4}, 'c');
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.constant("x", x);
        SDVariable mask = sd.identity("mask", SegNetTrunk.firstMaximumMask(sd, xv, Pooling.max(2, 2, 0).apply(xv), 2, 4, 4));
        INDArray got = sd.output(Map.of(), "mask").get("mask");
        assertTrue(expected.equalsWithEps(got, 0), got.toString());
        assertTrue(got.dataType() == DataType.DOUBLE);
    }
}
