package io.github.repmtl.samediff.regularizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Java arrays kept between host evaluations of the regularizer ({@link HostRegularizer} evaluates every step):
 * large fresh arrays each step would be G1 "humongous" allocations, each one triggering a collection.
 */
final class ScratchArrays {
    private final Map<String, double[]> arrays = new HashMap<>();

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
