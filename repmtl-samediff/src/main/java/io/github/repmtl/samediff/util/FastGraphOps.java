package io.github.repmtl.samediff.util;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forms of common graph operations that SameDiff 1.0.0-M2.1 executes and differentiates fast; the losses, the
 * Rep-MTL regularizer and the input-gradient rules build their graphs with them.
 */
public final class FastGraphOps {
    private FastGraphOps() {}

    /** A scalar constant created in {@code dt}: no cast op in the graph. */
    public static SDVariable scalar(SameDiff sd, double value, DataType dt) {
        return sd.constant(Nd4j.scalar(dt, value));
    }

    /** {@code x * x}: M2.1's {@code square} differentiates through a slow {@code pow} derivative. */
    public static SDVariable square(SDVariable x) {
        return x.mul(x);
    }

    /**
     * {@code small} broadcast to the shape of {@code zeros} by an addition, so that it meets full-size operands in
     * same-shape products: in M2.1 the backward op of a broadcasting multiply or divide is several times slower
     * than that of a same-shape product plus the addition's (a plain sum over the broadcast axes).
     */
    public static SDVariable spread(SDVariable small, SDVariable zeros) {
        return small.add(zeros);
    }
}
