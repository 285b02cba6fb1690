package io.github.repmtl.samediff.regularizer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Arrays kept between host evaluations of the regularizer ({@link HostRegularizer} evaluates every step): large
 * fresh Java arrays each step would be G1 "humongous" allocations, each one triggering a collection, and every
 * fresh ND4J array costs a native allocation.
 */
final class ScratchArrays {
    private final Map<String, double[]> arrays = new HashMap<>();
    private final Map<String, INDArray> nativeArrays = new HashMap<>();

    /** A C-order ND4J array of this type and shape under {@code name}, contents undefined. */
    INDArray array(String name, DataType dt, long... shape) {
        INDArray a = nativeArrays.get(name);
        if (a == null || a.dataType() != dt || !Arrays.equals(a.shape(), shape)) {
            if (a != null) a.close();
            a = Nd4j.createUninitialized(dt, shape, 'c');
            nativeArrays.put(name, a);
        }
        return a;
    }

    /** An array of at least {@code n} entries under {@code name}, contents undefined. */
    double[] get(String name, int n) {
        double[] a = arrays.get(name);
        if (a == null || a.length < n) {
            a = new double[n];
            arrays.put(name, a);
        }
        return a;
    }

    /** Like {@link #get}, with the first {@code n} entries zero. */
    double[] zeros(String name, int n) {
        double[] a = get(name, n);
        Arrays.fill(a, 0, n, 0.0);
        return a;
    }
}
