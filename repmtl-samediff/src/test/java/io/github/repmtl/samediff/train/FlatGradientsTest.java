package io.github.repmtl.samediff.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Flat gradient rows: row-major order for every layout and type, and slices back to arrays. */
class FlatGradientsTest {

    @Test
    void flattensInRowMajorOrderWhateverTheLayout() {
        INDArray plain = Nd4j.rand(DataType.FLOAT, 2, 3);
        INDArray fortran = Nd4j.rand(DataType.DOUBLE, 3, 2).dup('f');
        INDArray view = Nd4j.rand(DataType.FLOAT, 4, 5).get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
        INDArray half = Nd4j.rand(DataType.FLOAT, 3).castTo(DataType.HALF);
        double[] flat = FlatGradients.flatten(List.of(plain, fortran, view, half));
        assertEquals(6 + 6 + 10 + 3, flat.length);
        double[] expected = new double[flat.length];
        int off = 0;
        for (INDArray a : List.of(plain, fortran, view, half)) {
            double[] d = a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
            System.arraycopy(d, 0, expected, off, d.length);
            off += d.length;
        }
        assertArrayEquals(expected, flat, 0.0);
    }

    @Test
    void slicesBackIntoArraysOfTheParameterShapeAndType() {
        double[] flat = new double[14];
        for (int i = 0; i < flat.length; i++) flat[i] = i * 0.5 - 3;
        INDArray f = FlatGradients.slice(flat, 2, new long[]{2, 3}, DataType.FLOAT);
        INDArray d = FlatGradients.slice(flat, 8, new long[]{3, 2}, DataType.DOUBLE);
        assertEquals(DataType.FLOAT, f.dataType());
        assertEquals(DataType.DOUBLE, d.dataType());
        assertArrayEquals(new long[]{2, 3}, f.shape());
        assertEquals(flat[2 + 4], f.getDouble(1, 1), 0.0);
        assertEquals(flat[8 + 5], d.getDouble(2, 1), 0.0);
        assertArrayEquals(flat, FlatGradients.flatten(List.of(FlatGradients.slice(flat, 0, new long[]{14}, DataType.DOUBLE))), 0.0);
    }
}
