package io.github.repmtl.samediff.nn;

import io.github.repmtl.samediff.model.StatisticUpdate;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What the layer builders of this package share while they add themselves to one SameDiff graph: the graph,
 * its floating-point type, a seeded random generator for initialisation, the training-flag placeholder
 * ({@code 1} = training, {@code 0} = inference) and the running statistics the trainer must update.
 *
 * <p>Parameters are created on first use and reused when a layer is applied again under the same name, which
 * is how several inputs share one encoder (multi-input models). Activations that must be addressable (batch
 * statistics, dropout masks) get the context's instance suffix, so each application of a shared layer names
 * its own; see {@link #forInstance(String)}.
 */
public final class LayerContext {
    /** Name of the training-flag placeholder created by {@link #trainingFlag()}. */
    public static final String TRAINING_FLAG = "training";

    private final SameDiff sd;
    private final DataType dataType;
    private final Random rng;
    private final List<StatisticUpdate> statisticUpdates;
    private final String instanceSuffix;

    private LayerContext(SameDiff sd, DataType dataType, Random rng, List<StatisticUpdate> updates, String instanceSuffix) {
        this.sd = sd;
        this.dataType = dataType;
        this.rng = rng;
        this.statisticUpdates = updates;
        this.instanceSuffix = instanceSuffix;
    }

    /**
     * @param sd       the graph to build into
     * @param dataType the floating-point type of every parameter and activation (FLOAT, DOUBLE, HALF...)
     * @param seed     seed of the parameter initialisation
     */
    public static LayerContext create(SameDiff sd, DataType dataType, long seed) {
        Objects.requireNonNull(sd, "sameDiff");
        Objects.requireNonNull(dataType, "dataType");
        if (!dataType.isFPType()) throw new IllegalArgumentException("layer data type must be floating point, got " + dataType);
        return new LayerContext(sd, dataType, Nd4j.getRandomFactory().getNewRandomInstance(seed), new ArrayList<>(), "");
    }

    /**
     * A view of this context (same graph, generator, flag and statistics) whose addressable activations carry
     * {@code suffix}: used to apply shared layers to a second input.
     */
    public LayerContext forInstance(String suffix) {
        return new LayerContext(sd, dataType, rng, statisticUpdates, Objects.requireNonNull(suffix, "suffix"));
    }

    public SameDiff sameDiff() { return sd; }

    public DataType dataType() { return dataType; }

    /** The generator used for parameter initialisation. */
    public Random random() { return rng; }

    /** {@code base} plus this context's instance suffix. */
    public String activationName(String base) { return base + instanceSuffix; }

    /** The scalar training-flag placeholder, created on first use. */
    public SDVariable trainingFlag() {
        if (sd.hasVariable(TRAINING_FLAG)) return sd.getVariable(TRAINING_FLAG);
        return sd.placeHolder(TRAINING_FLAG, dataType);
    }

    /** Whether a layer has asked for the training flag. */
    public boolean hasTrainingFlag() { return sd.hasVariable(TRAINING_FLAG); }

    /** Running statistics registered so far, in registration order. */
    public List<StatisticUpdate> statisticUpdates() { return Collections.unmodifiableList(statisticUpdates); }

    void addStatisticUpdate(StatisticUpdate update) { statisticUpdates.add(update); }

    /**
     * The trainable variable {@code name}: created with {@code value} (or, when {@code value} is null, from
     * {@code init}) on first use, returned unchanged afterwards.
     *
     * @throws IllegalArgumentException if {@code value} has the wrong shape or non-finite entries, or if a
     *                                  variable of that name exists with another shape or kind
     */
    SDVariable parameter(String name, long[] shape, INDArray value, WeightInit init, long fanIn, long fanOut) {
        if (sd.hasVariable(name)) return existing(name, shape, VariableType.VARIABLE);
        INDArray arr = value != null ? checked(name, shape, value) : init.create(dataType, fanIn, fanOut, shape, rng);
        return sd.var(name, arr);
    }

    /** A non-trainable state array (running statistic), created from {@code initial} on first use. */
    SDVariable state(String name, long[] shape, INDArray initial) {
        if (sd.hasVariable(name)) return existing(name, shape, VariableType.CONSTANT);
        return sd.constant(name, checked(name, shape, initial));
    }

    /** A constant that no other layer shares (interpolation matrices and the like). */
    SDVariable constant(String name, INDArray value) {
        if (sd.hasVariable(name)) throw new IllegalArgumentException("a variable named '" + name + "' already exists in the graph");
        return sd.constant(name, value.castTo(dataType));
    }

    private SDVariable existing(String name, long[] shape, VariableType kind) {
        SDVariable v = sd.getVariable(name);
        if (v.getVariableType() != kind)
            throw new IllegalArgumentException("variable '" + name + "' exists as " + v.getVariableType() + ", expected " + kind);
        long[] have = v.getArr().shape();
        if (!Arrays.equals(have, shape))
            throw new IllegalArgumentException("variable '" + name + "' exists with shape " + Arrays.toString(have) + ", expected " + Arrays.toString(shape));
        return v;
    }

    private INDArray checked(String name, long[] shape, INDArray value) {
        if (!Arrays.equals(value.shape(), shape))
            throw new IllegalArgumentException("array for '" + name + "' has shape " + Arrays.toString(value.shape()) + ", expected " + Arrays.toString(shape));
        if (!value.dataType().isFPType())
            throw new IllegalArgumentException("array for '" + name + "' has non-floating type " + value.dataType());
        INDArray cast = value.castTo(dataType).dup('c');
        if (cast.isNaN().any() || cast.isInfinite().any())
            throw new IllegalArgumentException("array for '" + name + "' contains NaN or infinite values");
        return cast;
    }
}
