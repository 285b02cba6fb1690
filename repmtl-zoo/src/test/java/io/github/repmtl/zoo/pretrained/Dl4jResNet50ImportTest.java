package io.github.repmtl.zoo.pretrained;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.nn.LayerContext;
import io.github.repmtl.zoo.HpsResNet;
import io.github.repmtl.zoo.ModelNames;
import io.github.repmtl.zoo.ResNetTrunk;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.model.ResNet50;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Dl4jResNet50ImportTest {

    @Test
    void trunkReproducesTheDl4jZooResNet50(@TempDir Path dir) throws Exception {
        ComputationGraph cg = ResNet50.builder().numClasses(5).inputShape(new int[]{3, 160, 160}).build().init();
        PretrainedTestWeights.randomise(cg, 11);
        File zip = dir.resolve("resnet50.zip").toFile();
        ModelSerializer.writeModel(cg, zip, false);

        ResNetTrunk trunk = PretrainedResNet50.fromDl4jZoo(zip.toPath()).build();
        assertEquals(ResNetTrunk.Variant.DL4J_ZOO, trunk.variant());
        MultiTaskModel model = HpsResNet.builder().depth(ResNetTrunk.Depth.RESNET50).trunk(trunk).inputShape(3, 160, 160).init();

        INDArray x = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(5), 2, 3, 160, 160).castTo(DataType.FLOAT);
        INDArray expected = cg.feedForward(new INDArray[]{x}, false).get("res5c_branch");
        INDArray got = model.sameDiff().output(Map.of(ModelNames.INPUT, x, LayerContext.TRAINING_FLAG, Nd4j.scalar(DataType.FLOAT, 0.0)),
                ModelNames.TRUNK_OUTPUT).get(ModelNames.TRUNK_OUTPUT);
        PretrainedTestWeights.assertClose(expected, got, 1e-5);
    }

    @Test
    void aMismatchingFileNamesTheFirstLayerThatDoesNotFit(@TempDir Path dir) throws IOException {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(32, 32, 3))
                .addLayer("stem-cnn1", new ConvolutionLayer.Builder(7, 7).stride(2, 2).nOut(64).build(), "input")
                .addLayer("stem-batch1", new BatchNormalization.Builder().build(), "stem-cnn1")
                .addLayer("res2a_branch2a", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(64).build(), "stem-batch1")
                .addLayer("pool", new GlobalPoolingLayer.Builder().build(), "res2a_branch2a")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph cg = new ComputationGraph(conf);
        cg.init();
        File zip = dir.resolve("not-resnet.zip").toFile();
        ModelSerializer.writeModel(cg, zip, false);
        IncompatibleWeightsException e = assertThrows(IncompatibleWeightsException.class, () -> PretrainedResNet50.fromDl4jZoo(zip.toPath()));
        assertEquals("res2a_branch2a", e.sourceLayer());
        assertEquals("trunk/layer1.0/conv1", e.trunkLayer());
        assertTrue(e.getMessage().contains("[64, 64, 1, 1]"), e.getMessage());

        IOException missing = assertThrows(IOException.class, () -> PretrainedResNet50.fromDl4jZoo(dir.resolve("absent.zip")));
        assertTrue(missing.getMessage().contains("absent.zip"));
    }
}
