package io.github.repmtl.datavec.fashion;

import io.github.repmtl.datavec.Split;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.XavierInitScheme;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MultiFashion iterator plugs straight into {@code SameDiff.fit}: INT64 class labels, one per task. */
class SameDiffFitTest {

    @Test
    void twoHeadSoftmaxModelLearnsFromTheIterator() {
        MultiItemDataset data = MultiFashion.builder().seed(3).trainSize(256).validationSize(0).testSize(0).build();
        Nd4j.getRandom().setSeed(11);                       // the Xavier initialisation below draws from ND4J's generator
        SameDiff sd = SameDiff.create();
        SDVariable input = sd.placeHolder("input", DataType.FLOAT, -1, 1, 36, 36);
        SDVariable left = sd.placeHolder("left", DataType.INT64, -1);
        SDVariable right = sd.placeHolder("right", DataType.INT64, -1);
        SDVariable flat = input.reshape(-1, 36 * 36);
        SDVariable leftLogits = flat.mmul(sd.var("wLeft", new XavierInitScheme('c', 1296, 10), DataType.FLOAT, 1296, 10));
        SDVariable rightLogits = flat.mmul(sd.var("wRight", new XavierInitScheme('c', 1296, 10), DataType.FLOAT, 1296, 10));
        sd.loss().sparseSoftmaxCrossEntropy("leftLoss", leftLogits, left);
        sd.loss().sparseSoftmaxCrossEntropy("rightLoss", rightLogits, right);
        sd.setLossVariables("leftLoss", "rightLoss");
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(0.01))
                .dataSetFeatureMapping("input").dataSetLabelMapping("left", "right").build());

        MultiDataSetIterator train = data.iterator(Split.TRAIN, 32, true);
        double before = loss(sd, data);
        sd.fit(train, 5);
        double after = loss(sd, data);
        assertTrue(after < 0.8 * before, "loss " + before + " -> " + after);
    }

    private static double loss(SameDiff sd, MultiItemDataset data) {
        MultiDataSet all = data.iterator(Split.TRAIN, 256, false).next();
        Map<String, INDArray> out = sd.output(Map.of("input", all.getFeatures(0), "left", all.getLabels(0),
                "right", all.getLabels(1)), "leftLoss", "rightLoss");
        return out.get("leftLoss").getDouble(0) + out.get("rightLoss").getDouble(0);
    }
}
