package io.github.repmtl.samediff.analysis;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.ojalgo.matrix.decomposition.Eigenvalue;
import org.ojalgo.matrix.store.Primitive64Store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The empirical spectral density of a weight matrix {@code W} ({@code m x n}): the eigenvalues of
 * {@code W^T W}, i.e. the squared singular values of {@code W}. Only the {@code min(m, n)} eigenvalues of the
 * smaller Gram matrix are computed (the other {@code |m - n|} of the larger one are structural zeros). The
 * Gram matrix is formed in double precision with ND4J and decomposed by ojAlgo's symmetric eigensolver.
 */
public final class EigenSpectrum {
    /** Eigenvalues at or below this fraction of the largest are numerical zeros and are dropped. */
    public static final double RELATIVE_ZERO = 1e-12;

    private EigenSpectrum() {}

    /** The {@link #eigenvalues} of every matrix, pooled into one ascending array (a convolution's taps form one layer). */
    public static double[] pooled(List<INDArray> matrices) {
        List<double[]> parts = new ArrayList<>(matrices.size());
        int total = 0;
        for (INDArray matrix : matrices) {
            double[] values = eigenvalues(matrix);
            parts.add(values);
            total += values.length;
        }
        double[] pooled = new double[total];
        int offset = 0;
        for (double[] part : parts) {
            System.arraycopy(part, 0, pooled, offset, part.length);
            offset += part.length;
        }
        Arrays.sort(pooled);
        return pooled;
    }

    /**
     * The positive eigenvalues of {@code W^T W} in ascending order (eigenvalues at or below
     * {@link #RELATIVE_ZERO} times the largest, including any round-off negatives, are dropped).
     */
    public static double[] eigenvalues(INDArray matrix) {
        if (matrix.rank() != 2) throw new IllegalArgumentException("expected a matrix, got rank " + matrix.rank());
        INDArray w = matrix.castTo(DataType.DOUBLE);
        INDArray gram = w.rows() >= w.columns() ? w.transpose().mmul(w) : w.mmul(w.transpose());
        int n = gram.rows();
        Primitive64Store store = Primitive64Store.wrap(gram.dup('c').data().asDouble(), n);
        Eigenvalue<Double> decomposition = Eigenvalue.R064.make(store, true);
        if (!decomposition.computeValuesOnly(store)) {
            throw new IllegalStateException("the symmetric eigendecomposition of a " + n + " x " + n + " Gram matrix did not converge");
        }
        double[] values = new double[n];
        decomposition.getEigenvalues(values, Optional.empty());
        Arrays.sort(values);
        double threshold = Math.max(0.0, values[n - 1]) * RELATIVE_ZERO;
        int firstKept = 0;
        while (firstKept < n && values[firstKept] <= threshold) firstKept++;
        return Arrays.copyOfRange(values, firstKept, n);
    }
}
