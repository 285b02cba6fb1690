package io.github.repmtl.samediff.saliency;

import io.github.repmtl.samediff.util.FastGraphOps;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@link VjpRule} needs about one op while the input gradient is being emitted: the op, its
 * input and output variables, the gradient arriving at its output, which inputs need a gradient, and the
 * concrete shapes observed by the {@link ShapeProbe} (batch dimension probed at {@link ShapeProbe#PROBE_BATCH}).
 */
public final class VjpContext {
    private final SameDiff sd;
    private final DifferentialFunction op;
    private final SDVariable[] inputs;
    private final SDVariable[] outputs;
    private final SDVariable[] gradOutputs;
    private final boolean[] needed;
    private final Map<String, long[]> shapes;
    private final Map<String, long[]> integerValues;

    VjpContext(SameDiff sd, DifferentialFunction op, SDVariable[] inputs, SDVariable[] outputs,
               SDVariable[] gradOutputs, boolean[] needed, ShapeProbe.Facts facts) {
        this.sd = sd;
        this.op = op;
        this.inputs = inputs;
        this.outputs = outputs;
        this.gradOutputs = gradOutputs;
        this.needed = needed;
        this.shapes = facts.shapes();
        this.integerValues = facts.integerValues();
    }

    public SameDiff sd() { return sd; }
    public DifferentialFunction op() { return op; }
    public int numInputs() { return inputs.length; }
    public SDVariable in(int i) { return inputs[i]; }
    public SDVariable out() { return outputs[0]; }
    public SDVariable out(int i) { return outputs[i]; }
    public int numOutputs() { return outputs.length; }
    /** Gradient arriving at the (first) output. */
    public SDVariable g() { return gradOutputs[0]; }
    public SDVariable g(int i) { return gradOutputs[i]; }
    public boolean needsGradient(int i) { return needed[i]; }
    public DataType dataType() { return outputs[0].dataType(); }

    /** Concrete probed shape of a variable (batch dimension = {@link ShapeProbe#PROBE_BATCH}). */
    public long[] shape(SDVariable v) {
        long[] s = shapes.get(v.name());
        if (s == null) throw new IllegalStateException("no probed shape for variable '" + v.name() + "' (input of op '" + op.getOwnName() + "')");
        return s;
    }

    public int rank(SDVariable v) { return shape(v).length; }

    /**
     * Value of a small integer variable (axes, slice bounds, paddings, repeats): a constant's or variable's array,
     * or what the {@link ShapeProbe} computed for an array of at most {@link ShapeProbe#MAX_INTEGER_VALUES} entries.
     */
    public long[] integerValue(SDVariable v) {
        long[] value = integerValues.get(v.name());
        if (value == null && v.getArr() != null && v.dataType().isIntType()) value = v.getArr().reshape(v.getArr().length()).toLongVector();
        if (value == null) throw unsupported("the value of '" + v.name() + "' is not known when the graph is built (only integer arrays of at most "
                + ShapeProbe.MAX_INTEGER_VALUES + " entries are recorded by the shape probe)");
        return value;
    }

    /** A scalar constant in the op's data type. */
    public SDVariable scalar(double value) { return FastGraphOps.scalar(sd, value, dataType()); }

    /** A 0/1 mask of the op's data type from a boolean condition. */
    public SDVariable mask(SDVariable condition) { return condition.castTo(dataType()); }

    /** Reshapes {@code v} to the runtime shape of {@code like}. */
    public SDVariable reshapeLike(SDVariable v, SDVariable like) { return sd.reshape(v, sd.shape(like)); }

    /**
     * Sums a gradient of the op's output shape down to the shape of input {@code i}, undoing NumPy-style
     * broadcasting (leading dimensions and dimensions of size 1).
     */
    public SDVariable unbroadcast(SDVariable grad, int i) {
        long[] in = shape(inputs[i]);
        long[] out = shape(outputs[0]);
        if (Arrays.equals(in, out)) return grad;
        int offset = out.length - in.length;
        List<Integer> axes = new ArrayList<>();
        for (int d = 0; d < out.length; d++) {
            if (d < offset || (in[d - offset] == 1 && out[d] != 1)) axes.add(d);
        }
        SDVariable summed = axes.isEmpty() ? grad : grad.sum(true, axes.stream().mapToInt(Integer::intValue).toArray());
        if (in.length == 0) return sd.reshape(summed, new long[0]);
        return reshapeLike(summed, inputs[i]);
    }

    /** Integer arguments of a custom op (empty for legacy ops). */
    public long[] iArgs() {
        return op instanceof DynamicCustomOp d && d.iArgs() != null ? d.iArgs() : new long[0];
    }

    /** Floating-point arguments of a custom op (empty for legacy ops). */
    public double[] tArgs() {
        return op instanceof DynamicCustomOp d && d.tArgs() != null ? d.tArgs() : new double[0];
    }

    /** Reads a (possibly private) field of the op, e.g. reduction dimensions or a convolution config. */
    public Object field(String name) {
        for (Class<?> c = op.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(op);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read field '" + name + "' of op " + op.opName(), e);
            }
        }
        throw new IllegalStateException("op " + op.opName() + " has no field '" + name + "'");
    }

    /** Error for a configuration of a supported op that has no exact rule. */
    public UnsupportedHeadOpException unsupported(String why) {
        return new UnsupportedHeadOpException(op.opName(), "op '" + op.opName() + "' (" + op.getOwnName() + "): " + why);
    }
}
