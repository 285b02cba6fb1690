package io.github.repmtl.samediff.analysis;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EigenSpectrumTest {

    @Test
    void squaredSingularValuesOfASmallMatrix() {
        INDArray tall = Nd4j.createFromArray(new double[][]{{3, 0}, {0, 2}, {0, 0}});
        assertArrayEquals(new double[]{4, 9}, EigenSpectrum.eigenvalues(tall), 1e-12);
        assertArrayEquals(new double[]{4, 9}, EigenSpectrum.eigenvalues(tall.transpose()), 1e-12);
        // rank one: the numerical zero is dropped
        INDArray rankOne = Nd4j.createFromArray(new float[][]{{1, 2}, {2, 4}});
        assertArrayEquals(new double[]{25}, EigenSpectrum.eigenvalues(rankOne), 1e-5);
    }

    @Test
    void traceIdentitiesOfARandomMatrix() {
        Nd4j.getRandom().setSeed(9);
        for (int[] shape : new int[][]{{60, 25}, {25, 60}}) {
            INDArray w = Nd4j.randn(DataType.DOUBLE, shape[0], shape[1]);
            double[] eigenvalues = EigenSpectrum.eigenvalues(w);
            assertEquals(25, eigenvalues.length);
            INDArray gram = w.transpose().mmul(w);
            assertEquals(w.norm2Number().doubleValue() * w.norm2Number().doubleValue(), Arrays.stream(eigenvalues).sum(), 1e-8);
            assertEquals(gram.mul(gram).sumNumber().doubleValue(), Arrays.stream(eigenvalues).map(v -> v * v).sum(), 1e-6);
        }
    }
}
