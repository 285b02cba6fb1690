package example;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/** Rep-MTL on a two-head SameDiff graph: shared activation "Z", one loss per task. */
public final class MyRepMtl {
    public static void main(String[] args) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 8);
        SDVariable z = sd.math.tanh("Z", x.mmul(sd.var("W", Nd4j.randn(DataType.FLOAT, 8, 16).muli(0.3))));
        TaskLosses.softmaxCrossEntropy(sd, "loss_a", z.mmul(sd.var("Wa", Nd4j.randn(DataType.FLOAT, 16, 3))), sd.placeHolder("y_a", DataType.INT64, -1), 3);
        TaskLosses.meanSquaredError(sd, "loss_b", z.mmul(sd.var("Wb", Nd4j.randn(DataType.FLOAT, 16, 1))), sd.placeHolder("y_b", DataType.FLOAT, -1, 1));
        RepMtl.builder().sharedActivation("Z").task("a", "loss_a").task("b", "loss_b").lambdaTsr(0.1).lambdaCsa(0.1).build().attachTo(sd);
        INDArray features = Nd4j.randn(DataType.FLOAT, 4, 8);
        Map<String, INDArray> feed = Map.of("x", features, "y_a", Nd4j.createFromArray(0L, 1L, 2L, 0L), "y_b", Nd4j.zeros(DataType.FLOAT, 4, 1));
        System.out.println("J = " + sd.output(feed, RepMtlGraph.OBJECTIVE).get(RepMtlGraph.OBJECTIVE));
    }
}
