package io.github.repmtl.samediff.util;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Copies between ND4J arrays and Java {@code double[]} through the host buffer: M2.1's element-wise
 * {@code data().asDouble()} and {@code Nd4j.createFromArray} cost milliseconds per million entries. The caller
 * supplies the Java array, so repeated use makes no garbage. On the CUDA backend the host copy is synchronised
 * before a read and marked current after a write (no-ops on the CPU backend).
 */
public final class HostArrays {
    /** Floats moved per bulk copy: small enough never to be a G1 humongous allocation. */
    private static final int CHUNK = 1 << 16;

    private HostArrays() {}

    /** {@code a} itself when it is a C-order array that is not a view, else a C-order copy (close it when done). */
    public static INDArray cOrder(INDArray a) {
        return a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
    }

    /** Copies the entries of {@code a} (float32 or float64), in C order, into {@code into}; returns {@code into}. */
    public static double[] read(INDArray a, double[] into) {
        INDArray c = cOrder(a);
        int n = Math.toIntExact(c.length());
        if (into.length < n) throw new IllegalArgumentException("array of " + into.length + " for " + n + " entries");
        Nd4j.getAffinityManager().ensureLocation(c, AffinityManager.Location.HOST);      // CUDA: device -> host first
        if (c.dataType() == DataType.DOUBLE) {
            c.data().asNioDouble().get(into, 0, n);
        } else if (c.dataType() == DataType.FLOAT) {
            FloatBuffer fb = c.data().asNioFloat();
            float[] chunk = new float[Math.min(n, CHUNK)];
            for (int from = 0; from < n; from += chunk.length) {
                int len = Math.min(chunk.length, n - from);
                fb.get(chunk, 0, len);
                for (int i = 0; i < len; i++) into[from + i] = chunk[i];
            }
        } else {
            throw new IllegalArgumentException("expected a float32 or float64 array, got " + c.dataType());
        }
        if (c != a) c.close();
        return into;
    }

    /** The entries of {@code a} as a new {@code double[]}. */
    public static double[] toDoubles(INDArray a) { return read(a, new double[Math.toIntExact(a.length())]); }

    /** A new C-order array of {@code dt} (float32 or float64) holding the first {@code prod(shape)} {@code values}. */
    public static INDArray write(double[] values, DataType dt, long... shape) {
        return write(values, Nd4j.createUninitialized(dt, shape, 'c'));
    }

    /** Copies the first {@code out.length()} {@code values} into {@code out} (C order, not a view); returns {@code out}. */
    public static INDArray write(double[] values, INDArray out) {
        if (out.isView() || out.ordering() != 'c') throw new IllegalArgumentException("target must be a C-order array that is not a view");
        Nd4j.getAffinityManager().ensureLocation(out, AffinityManager.Location.HOST);
        DataType dt = out.dataType();
        int n = Math.toIntExact(out.length());
        if (values.length < n) throw new IllegalArgumentException(values.length + " values for shape " + java.util.Arrays.toString(out.shape()));
        if (dt == DataType.DOUBLE) {
            DoubleBuffer db = out.data().asNioDouble();
            db.put(values, 0, n);
        } else if (dt == DataType.FLOAT) {
            FloatBuffer fb = out.data().asNioFloat();
            float[] chunk = new float[Math.min(n, CHUNK)];
            for (int from = 0; from < n; from += chunk.length) {
                int len = Math.min(chunk.length, n - from);
                for (int i = 0; i < len; i++) chunk[i] = (float) values[from + i];
                fb.put(chunk, 0, len);
            }
        } else {
            throw new IllegalArgumentException("expected float32 or float64, got " + dt);
        }
        Nd4j.getAffinityManager().tagLocation(out, AffinityManager.Location.HOST);       // CUDA: the host copy is current
        return out;
    }
}
