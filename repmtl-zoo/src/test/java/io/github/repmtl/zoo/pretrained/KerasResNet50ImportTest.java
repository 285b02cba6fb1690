package io.github.repmtl.zoo.pretrained;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.nn.LayerContext;
import io.github.repmtl.zoo.HpsResNet;
import io.github.repmtl.zoo.ModelNames;
import io.github.repmtl.zoo.ResNetTrunk;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KerasResNet50ImportTest {

    @Test
    void trunkReproducesAKerasResNet50(@TempDir Path dir) throws Exception {
        Path h5 = dir.resolve("resnet50_notop.h5");
        KerasResNet50File.write(h5, 64, 64, 21);

        ResNetTrunk trunk = PretrainedResNet50.fromKeras(h5).build();
        assertEquals(ResNetTrunk.Variant.KERAS, trunk.variant());
        assertEquals(1e-3, trunk.batchNormEpsilon(), 1e-12);
        MultiTaskModel model = HpsResNet.builder().depth(ResNetTrunk.Depth.RESNET50).trunk(trunk).inputShape(3, 64, 64).init();

        INDArray x = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(8), 2, 3, 64, 64).castTo(DataType.FLOAT);
        ComputationGraph keras = KerasModelImport.importKerasModelAndWeights(h5.toString(), false);
        INDArray nhwc = x.permute(0, 2, 3, 1).dup('c');
        INDArray expected = keras.feedForward(new INDArray[]{nhwc}, false).get(KerasResNet50File.OUTPUT).permute(0, 3, 1, 2);
        INDArray got = model.sameDiff().output(Map.of(ModelNames.INPUT, x, LayerContext.TRAINING_FLAG, Nd4j.scalar(DataType.FLOAT, 0.0)),
                ModelNames.TRUNK_OUTPUT).get(ModelNames.TRUNK_OUTPUT);
        PretrainedTestWeights.assertClose(expected, got, 1e-5);
    }
}
