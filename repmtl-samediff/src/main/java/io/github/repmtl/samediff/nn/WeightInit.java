package io.github.repmtl.samediff.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.ops.random.impl.UniformDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a parameter array is initialised, given its fan-in and fan-out (PyTorch's definitions: for a
 * convolution {@code in * kH * kW} and {@code out * kH * kW}, for a dense layer {@code in} and {@code out}).
 * The factories cover the schemes of the reference architectures (torchvision, LibMTL, MTAN).
 */
@FunctionalInterface
public interface WeightInit {

    /** Creates a new array of the given shape and type, drawing from {@code rng}. */
    INDArray create(DataType dataType, long fanIn, long fanOut, long[] shape, Random rng);

    /** {@code N(0, 2 / fanOut)}: torchvision's ResNet convolutions ({@code kaiming_normal_, mode=fan_out, relu}). */
    static WeightInit kaimingNormalFanOut() {
        return (dt, fanIn, fanOut, shape, rng) -> gaussian(dt, shape, 0.0, Math.sqrt(2.0 / fanOut), rng);
    }

    /**
     * {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}: PyTorch's default for the weights ({@code kaiming_uniform_} with
     * {@code a = sqrt(5)}) and the biases of {@code nn.Conv2d} and {@code nn.Linear}.
     */
    static WeightInit pytorchDefault() {
        return (dt, fanIn, fanOut, shape, rng) -> {
            double bound = 1.0 / Math.sqrt(fanIn);
            return uniform(dt, shape, -bound, bound, rng);
        };
    }

    /** {@code N(0, 2 / (fanIn + fanOut))}: {@code xavier_normal_} (MTAN's SegNet). */
    static WeightInit xavierNormal() {
        return (dt, fanIn, fanOut, shape, rng) -> gaussian(dt, shape, 0.0, Math.sqrt(2.0 / (fanIn + fanOut)), rng);
    }

    /** {@code N(mean, std^2)}. */
    static WeightInit normal(double mean, double std) {
        if (!(std >= 0)) throw new IllegalArgumentException("standard deviation must be >= 0, got " + std);
        return (dt, fanIn, fanOut, shape, rng) -> gaussian(dt, shape, mean, std, rng);
    }

    /** {@code U(low, high)}. */
    static WeightInit uniform(double low, double high) {
        if (!(high >= low)) throw new IllegalArgumentException("uniform bounds must satisfy low <= high, got [" + low + ", " + high + "]");
        return (dt, fanIn, fanOut, shape, rng) -> uniform(dt, shape, low, high, rng);
    }

    /** Every entry equal to {@code value}. */
    static WeightInit constant(double value) {
        return (dt, fanIn, fanOut, shape, rng) -> Nd4j.valueArrayOf(shape, value, dt);
    }

    private static INDArray gaussian(DataType dt, long[] shape, double mean, double std, Random rng) {
        INDArray a = Nd4j.createUninitialized(dt, shape);
        Nd4j.getExecutioner().exec(new GaussianDistribution(a, mean, std), rng);
        return a;
    }

    private static INDArray uniform(DataType dt, long[] shape, double low, double high, Random rng) {
        INDArray a = Nd4j.createUninitialized(dt, shape);
        Nd4j.getExecutioner().exec(new UniformDistribution(a, low, high), rng);
        return a;
    }
}
