package io.github.repmtl.samediff.util;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Bulk copies between ND4J arrays and Java {@code double[]}: M2.1's element-wise {@code data().asDouble()} and
 * {@code Nd4j.createFromArray} cost milliseconds per million entries, a bulk copy of the native buffer a fraction
 * of that.
 */
public final class HostArrays {
    private HostArrays() {}

    /** The entries of {@code a} in C order, as doubles (float32 and float64 arrays). */
    public static double[] toDoubles(INDArray a) {
        INDArray c = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
        int n = Math.toIntExact(c.length());
        double[] out = new double[n];
        if (c.dataType() == DataType.DOUBLE) {
            c.data().asNioDouble().get(out, 0, n);
        } else if (c.dataType() == DataType.FLOAT) {
            FloatBuffer fb = c.data().asNioFloat();
            float[] f = new float[n];
            fb.get(f, 0, n);
            for (int i = 0; i < n; i++) out[i] = f[i];
        } else {
            throw new IllegalArgumentException("expected a float32 or float64 array, got " + c.dataType());
        }
        return out;
    }

    /** A new C-order array of {@code dt} (float32 or float64) holding {@code values}. */
    public static INDArray fromDoubles(double[] values, DataType dt, long... shape) {
        INDArray out = Nd4j.createUninitialized(dt, shape, 'c');
        if (out.length() != values.length)
            throw new IllegalArgumentException(values.length + " values for shape " + java.util.Arrays.toString(shape));
        if (dt == DataType.DOUBLE) {
            DoubleBuffer db = out.data().asNioDouble();
            db.put(values, 0, values.length);
        } else if (dt == DataType.FLOAT) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
            out.data().asNioFloat().put(f, 0, f.length);
        } else {
            throw new IllegalArgumentException("expected float32 or float64, got " + dt);
        }
        return out;
    }
}
