package io.github.repmtl.samediff.strategy.support;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Typed, checked access to a strategy state map as produced by {@code MultiTaskStrategy.state()}, either
 * directly or after a JSON round trip (arrays then arrive as lists of numbers). Every accessor returns a fresh
 * copy and fails with a message naming the strategy, the key and what was expected.
 */
public final class StateReader {
    private final String owner;
    private final Map<String, Object> state;

    public StateReader(String owner, Map<String, Object> state) {
        if (state == null) throw new IllegalArgumentException(owner + ": state is null");
        this.owner = owner;
        this.state = state;
    }

    /** True when the key is absent or maps to null. */
    public boolean isNull(String key) {
        return state.get(key) == null;
    }

    public double real(String key) {
        return number(key, require(key)).doubleValue();
    }

    public long longValue(String key) {
        Number n = number(key, require(key));
        if (n.doubleValue() != Math.rint(n.doubleValue())) throw malformed(key, "an integer, got " + n);
        return n.longValue();
    }

    public int integer(String key) {
        long v = longValue(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw malformed(key, "an int, got " + v);
        return (int) v;
    }

    public String string(String key) {
        Object v = require(key);
        if (!(v instanceof String s)) throw malformed(key, "a string, got " + v.getClass().getSimpleName());
        return s;
    }

    /** A vector of the given length ({@code length < 0}: any length). */
    public double[] vector(String key, int length) {
        double[] v = toVector(key, require(key));
        if (length >= 0 && v.length != length) throw malformed(key, length + " entries, got " + v.length);
        return v;
    }

    /** Like {@link #vector(String, int)} but a missing key or null value gives null. */
    public double[] nullableVector(String key, int length) {
        return state.get(key) == null ? null : vector(key, length);
    }

    /** A matrix with {@code rows} rows of {@code cols} entries ({@code cols < 0}: any, but equal, length). */
    public double[][] matrix(String key, int rows, int cols) {
        Object v = require(key);
        List<?> list = asList(key, v);
        if (list.size() != rows) throw malformed(key, rows + " rows, got " + list.size());
        double[][] out = new double[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = toVector(key + "[" + i + "]", list.get(i));
            int expected = cols >= 0 ? cols : out[0].length;
            if (out[i].length != expected) throw malformed(key, "rows of " + expected + " entries, row " + i + " has " + out[i].length);
        }
        return out;
    }

    /** Like {@link #matrix(String, int, int)} but a missing key or null value gives null. */
    public double[][] nullableMatrix(String key, int rows, int cols) {
        return state.get(key) == null ? null : matrix(key, rows, cols);
    }

    /** A {@code d0 x d1 x d2} array. */
    public double[][][] tensor3(String key, int d0, int d1, int d2) {
        List<?> list = asList(key, require(key));
        if (list.size() != d0) throw malformed(key, d0 + " slices, got " + list.size());
        double[][][] out = new double[d0][][];
        for (int i = 0; i < d0; i++) {
            out[i] = new StateReader(owner, Map.of(key + "[" + i + "]", list.get(i))).matrix(key + "[" + i + "]", d1, d2);
        }
        return out;
    }

    /** A nested state map. */
    @SuppressWarnings("unchecked")
    public StateReader map(String key) {
        Object v = require(key);
        if (!(v instanceof Map<?, ?> m)) throw malformed(key, "a map, got " + v.getClass().getSimpleName());
        return new StateReader(owner + "." + key, (Map<String, Object>) m);
    }

    private Object require(String key) {
        Object v = state.get(key);
        if (v == null) {
            throw new IllegalArgumentException(owner + ": state entry '" + key + "' is missing; present: " + state.keySet());
        }
        return v;
    }

    private double[] toVector(String key, Object v) {
        if (v instanceof double[] a) return a.clone();
        List<?> list = asList(key, v);
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(key + "[" + i + "]", list.get(i)).doubleValue();
        return out;
    }

    private List<?> asList(String key, Object v) {
        if (v instanceof List<?> l) return l;
        if (v instanceof double[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof Object[] a) return List.of(a);
        throw malformed(key, "an array or list, got " + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    private Number number(String key, Object v) {
        if (!(v instanceof Number n)) {
            throw malformed(key, "a number, got " + (v == null ? "null" : v.getClass().getSimpleName()));
        }
        if (!Double.isFinite(n.doubleValue())) throw malformed(key, "a finite number, got " + n);
        return n;
    }

    private IllegalArgumentException malformed(String key, String expected) {
        return new IllegalArgumentException(owner + ": state entry '" + key + "' is malformed, expected " + expected);
    }
}
