package io.github.repmtl.zoo.pretrained;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sane random weights for imported test networks and the comparison of activations. */
final class PretrainedTestWeights {
    private PretrainedTestWeights() {}

    /**
     * Replaces every convolution and batch-norm parameter of {@code cg} (whose default initialisation explodes
     * activations) with He-normal weights, small biases and non-trivial batch-norm statistics.
     */
    static void randomise(ComputationGraph cg, long seed) {
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        for (Layer l : cg.getLayers()) {
            Map<String, INDArray> params = l.paramTable();
            for (Map.Entry<String, INDArray> e : params.entrySet()) {
                INDArray p = e.getValue();
                INDArray u = Nd4j.rand(rng, p.shape()).castTo(p.dataType());
                switch (e.getKey()) {
                    case "W" -> {
                        long fanIn = p.rank() == 4 ? p.size(1) * p.size(2) * p.size(3) : p.size(0);
                        p.assign(Nd4j.randn(rng, p.shape()).castTo(p.dataType()).muli(Math.sqrt(2.0 / fanIn)));
                    }
                    case "b", "beta", "mean" -> p.assign(u.subi(0.5).muli(0.2));
                    case "gamma" -> p.assign(u.addi(0.5));
                    case "var" -> p.assign(u.addi(0.5));
                    case "log10stdev" -> p.assign(Transforms.log(u.addi(0.5), 10).muli(0.5));
                    default -> throw new IllegalStateException("unexpected parameter " + e.getKey() + " of " + l.conf().getLayer().getLayerName());
                }
            }
        }
    }

    /** {@code max |got - expected| / max |expected| < tolerance}. */
    static void assertClose(INDArray expected, INDArray got, double tolerance) {
        assertArrayEquals(expected.shape(), got.shape(), "shape");
        double scale = expected.amaxNumber().doubleValue();
        double err = got.sub(expected).amaxNumber().doubleValue() / scale;
        assertTrue(scale > 1e-3, "degenerate activations, max " + scale);
        assertTrue(err < tolerance, "relative error " + err + " (max |activation| " + scale + ") shape " + Arrays.toString(got.shape()));
    }
}
