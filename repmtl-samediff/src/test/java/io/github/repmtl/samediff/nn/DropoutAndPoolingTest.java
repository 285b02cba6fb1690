package io.github.repmtl.samediff.nn;

import io.github.repmtl.samediff.util.QuietConsole;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropoutAndPoolingTest {

    @Test
    void dropoutMasksInTrainingAndIsTheIdentityInInference() {
        SameDiff sd = SameDiff.create();
        LayerContext ctx = LayerContext.create(sd, DataType.DOUBLE, 1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 40, 50).addi(1);
        SDVariable xv = sd.var("x", x.dup());
        SDVariable y = sd.identity("y", Dropout.switched(0.5).apply(ctx, "drop", xv));
        sd.identity("loss", y.mul(y).sum());
        Nd4j.getRandom().setSeed(42);
        Map<String, INDArray> train = sd.output(Map.of(LayerContext.TRAINING_FLAG, Nd4j.scalar(1.0)), "y", "drop/mask");
        INDArray mask = train.get("drop/mask");
        double kept = mask.gt(0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        assertEquals(0.5, kept, 0.05, "fraction kept");
        assertTrue(mask.mul(mask.sub(2)).eq(0).all(), "mask entries are 0 or 1/keep = 2");
        assertTrue(x.mul(mask).equalsWithEps(train.get("y"), 0));
        assertTrue(x.equalsWithEps(sd.output(Map.of(LayerContext.TRAINING_FLAG, Nd4j.scalar(0.0)), "y").get("y"), 0), "identity at inference");

        // the backward pass sees the forward pass's mask: d(sum y^2)/dx = 2 x mask^2
        sd.setLossVariables("loss");
        var r = QuietConsole.call(() -> sd.calculateGradientsAndOutputs(Map.of(LayerContext.TRAINING_FLAG, Nd4j.scalar(1.0)),
                java.util.List.of("drop/mask"), java.util.List.of("x")));
        INDArray m = r.getOutputs().get("drop/mask");
        assertTrue(x.mul(m).mul(m).mul(2).equalsWithEps(r.getGradients().get("x"), 1e-12));
    }

    @Test
    void maxAndAveragePoolingFollowPyTorch() {
        SameDiff sd = SameDiff.create();
        INDArray x = Nd4j.linspace(1, 16, 16, DataType.DOUBLE).reshape(1, 1, 4, 4).neg();     // all negative
        SDVariable xv = sd.var("x", x);
        sd.identity("max", Pooling.max(3, 2, 1).apply(xv));
        sd.identity("avg", Pooling.average(2, 2, 0).apply(xv));
        sd.identity("gap", Pooling.globalAverage().apply(xv));
        Map<String, INDArray> out = sd.output(Map.of(), "max", "avg", "gap");
        // padded positions must never win even though every value is negative
        assertTrue(Nd4j.createFromArray(new double[]{-1, -2, -5, -6}).reshape(1, 1, 2, 2).equalsWithEps(out.get("max"), 0), out.get("max").toString());
        assertTrue(Nd4j.createFromArray(new double[]{-3.5, -5.5, -11.5, -13.5}).reshape(1, 1, 2, 2).equalsWithEps(out.get("avg"), 1e-12));
        assertEquals(-8.5, out.get("gap").getDouble(0), 1e-12);
        assertEquals(2, Pooling.max(3, 2, 1).outputSize(4));
    }
}
