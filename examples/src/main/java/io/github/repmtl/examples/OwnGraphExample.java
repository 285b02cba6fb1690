package io.github.repmtl.examples;

import io.github.repmtl.samediff.loss.TaskLosses;
import io.github.repmtl.samediff.regularizer.NonFiniteLossGuard;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.regularizer.RepMtlGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/** Example 1: add Rep-MTL to your own SameDiff graph and train it with {@code sd.fit}. */
public final class OwnGraphExample {
    public static void main(String[] args) {
        SameDiff sd = SameDiff.create();
        // your network: a shared encoder producing Z, two heads, one scalar loss per task
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 16);
        SDVariable yA = sd.placeHolder("y_a", DataType.INT64, -1);
        SDVariable yB = sd.placeHolder("y_b", DataType.FLOAT, -1, 1);
        SDVariable z = sd.math.tanh("Z", x.mmul(sd.var("enc_W", Nd4j.randn(DataType.FLOAT, 16, 32).muli(0.2))));
        SDVariable logits = z.mmul(sd.var("a_W", Nd4j.randn(DataType.FLOAT, 32, 4).muli(0.2)));
        SDVariable pred = z.mmul(sd.var("b_W", Nd4j.randn(DataType.FLOAT, 32, 1).muli(0.2)));
        // losses from forward ops (M2.1's sd.loss.* ignore the incoming gradient, and Rep-MTL differentiates these)
        TaskLosses.softmaxCrossEntropy(sd, "loss_a", logits, yA, 4);
        TaskLosses.meanSquaredError(sd, "loss_b", pred, yB);

        // attach Rep-MTL: saliencies, TSR, CSA and the objective J become part of the graph
        RepMtl repMtl = RepMtl.builder().sharedActivation("Z").task("a", "loss_a").task("b", "loss_b")
                .lambdaTsr(0.9).lambdaCsa(0.9).tau(0.5).build();
        repMtl.attachTo(sd);

        // train J with SameDiff's own fit; the guard stops before a NaN loss reaches the weights
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2)).dataSetFeatureMapping("x")
                .dataSetLabelMapping("y_a", "y_b").build());
        sd.setListeners(new NonFiniteLossGuard(repMtl));
        INDArray features = Nd4j.randn(DataType.FLOAT, 64, 16);
        INDArray labelA = features.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4)).argMax(1).castTo(DataType.INT64);
        INDArray labelB = features.sum(true, 1).muli(0.1);
        MultiDataSet batch = new MultiDataSet(new INDArray[]{features}, new INDArray[]{labelA, labelB});
        for (int i = 0; i < 50; i++) sd.fit(batch);
        var feed = java.util.Map.of("x", batch.getFeatures(0), "y_a", batch.getLabels(0), "y_b", batch.getLabels(1));
        System.out.println("J = " + sd.output(feed, RepMtlGraph.OBJECTIVE).get(RepMtlGraph.OBJECTIVE)
                + ", L_tsr = " + sd.output(feed, RepMtlGraph.TSR).get(RepMtlGraph.TSR));
    }
}
