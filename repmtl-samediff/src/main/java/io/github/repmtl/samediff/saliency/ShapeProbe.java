package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns the concrete shapes of graph variables by running the forward pass once on zero-valued placeholders
 * whose batch dimension is {@link #PROBE_BATCH}. SameDiff M2.1 does not infer shapes of op outputs
 * statically, and the input-gradient rules need ranks and broadcast axes. Placeholders with unknown
 * dimensions other than the batch need an explicit probe shape. {@link #facts} also records the values of small
 * integer arrays (at most {@link #MAX_INTEGER_VALUES} entries), which imported graphs use as reduction axes,
 * slice bounds or permutations; a value derived from the batch size is that of the probe batch.
 */
public final class ShapeProbe {
    /** Default batch size used for probing; deliberately not 1, so broadcast batch axes are told apart. */
    public static final int PROBE_BATCH = 2;
    /** Largest integer array whose values {@link #facts} records. */
    public static final int MAX_INTEGER_VALUES = 16;

    /**
     * What one probe observed.
     *
     * @param shapes        concrete shape of every probed variable
     * @param integerValues values of the probed integer arrays with at most {@link #MAX_INTEGER_VALUES} entries
     */
    public record Facts(Map<String, long[]> shapes, Map<String, long[]> integerValues) {}

    private ShapeProbe() {}

    /**
     * @param batch             size given to unknown batch dimensions of placeholders (must not be 1)
     * @param placeholderShapes explicit shapes for placeholders with other unknown dimensions
     */
    public static Map<String, long[]> probe(SameDiff sd, Collection<String> variables, int batch, Map<String, long[]> placeholderShapes) {
        return facts(sd, variables, batch, placeholderShapes).shapes();
    }

    /** As {@link #probe}, also recording the values of small integer arrays. */
    public static Facts facts(SameDiff sd, Collection<String> variables, int batch, Map<String, long[]> placeholderShapes) {
        if (batch < 2) throw new IllegalArgumentException("probe batch must be >= 2, got " + batch);
        Map<String, INDArray> feed = new HashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() != VariableType.PLACEHOLDER) continue;
            long[] shape = placeholderShapes.containsKey(v.name()) ? placeholderShapes.get(v.name()) : v.placeholderShape();
            if (shape == null) throw new IllegalArgumentException("placeholder '" + v.name() + "' has no shape; give a probe shape for it");
            long[] concrete = shape.clone();
            for (int d = 0; d < concrete.length; d++) {
                if (concrete[d] < 0) {
                    if (d != 0) throw new IllegalArgumentException("placeholder '" + v.name() + "' has unknown dimension " + d + " in "
                            + Arrays.toString(shape) + "; give a probe shape for it");
                    concrete[d] = batch;
                }
            }
            feed.put(v.name(), Nd4j.zeros(v.dataType(), concrete));
        }
        Map<String, long[]> shapes = new HashMap<>();
        Map<String, long[]> values = new HashMap<>();
        List<String> toRun = new ArrayList<>();
        for (String name : variables) {
            SDVariable v = sd.getVariable(name);
            if (v.getVariableType() == VariableType.ARRAY) toRun.add(name);
            else if (v.getVariableType() == VariableType.PLACEHOLDER) shapes.put(name, feed.get(name).shape());
            else record(name, v.getArr(), shapes, values);
        }
        if (!toRun.isEmpty()) {
            Map<String, INDArray> out = sd.output(feed, toRun.toArray(new String[0]));
            out.forEach((k, arr) -> record(k, arr, shapes, values));
        }
        return new Facts(shapes, values);
    }

    private static void record(String name, INDArray arr, Map<String, long[]> shapes, Map<String, long[]> values) {
        shapes.put(name, arr.shape());
        if (arr.dataType().isIntType() && arr.length() <= MAX_INTEGER_VALUES)
            values.put(name, arr.length() == 0 ? new long[0] : arr.reshape(arr.length()).toLongVector());
    }
}
