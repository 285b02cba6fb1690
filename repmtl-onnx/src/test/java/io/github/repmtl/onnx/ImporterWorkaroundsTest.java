package io.github.repmtl.onnx;

import io.github.repmtl.samediff.model.MultiTaskModel;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What ND4J's importer gets wrong on its own, and that the import path puts right: Gemm's dropped bias, Resize,
 * names with ':' and Identity of an initializer; and the forward check that catches a graph that disagrees.
 */
class ImporterWorkaroundsTest {
    private static final OnnxFixtures RICH = OnnxFixtures.load(OnnxFixtures.DIR.resolve("rich-opset13.json"));

    @Test
    void theImporterAloneDropsGemmsBiasAndFailsOnResizeWhileTheImportPathMatchesPyTorch() throws IOException {
        // the stock importer fails on the Resize node
        assertThrows(RuntimeException.class, () -> new OnnxFrameworkImporter().runImport(RICH.onnx().toString(), Map.of(), false));
        // with Resize cut out, the stock import of Gemm gives logits without the bias: they differ from PyTorch's
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(RICH.onnx()));
        Onnx.ModelProto onlyHeadA = proto.toBuilder().setGraph(proto.getGraph().toBuilder().clearOutput()
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("logits_a"))
                .clearNode().addAllNode(proto.getGraph().getNodeList().stream().filter(n -> !n.getName().startsWith("/head_b")).toList())).build();
        Path file = Files.createTempFile("repmtl-head-a-", ".onnx");
        try {
            Files.write(file, onlyHeadA.toByteArray());
            SameDiff stock = new OnnxFrameworkImporter().runImport(file.toString(), Map.of(), false);
            INDArray x = OnnxFixtures.array(RICH.json().path("data").path("x")).castTo(DataType.FLOAT);
            INDArray stockLogits = stock.output(Map.of("x", x), "logits_a").get("logits_a").castTo(DataType.DOUBLE);
            INDArray pytorch = OnnxFixtures.array(RICH.json().path("forward").path("eval").path("logits_a"));
            INDArray bias = OnnxFixtures.array(RICH.json().path("params").path("head_a.fc.bias"));
            // exactly the bias is missing
            assertTrue(stockLogits.addRowVector(bias).sub(pytorch).amaxNumber().doubleValue() < 1e-5, "stock import is off by more than the bias");
            assertTrue(stockLogits.sub(pytorch).amaxNumber().doubleValue() > 1e-2, "the stock import was expected to drop Gemm's bias");
        } finally {
            Files.deleteIfExists(file);
        }
        // the import path: Gemm's bias and the bilinear Resize reproduce PyTorch (eval mode) to float32 noise
        MultiTaskModel m = RICH.importer(DataType.FLOAT).forwardCheck(RICH.forwardCheck().tolerance(1e-5)).build();
        assertEquals(2, m.numTasks());
    }

    @Test
    void theForwardCheckRejectsAGraphThatDisagrees(@TempDir Path dir) throws IOException {
        // same model, the Linear layer's bias doubled in the file: PyTorch's outputs no longer hold
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(RICH.onnx()));
        Onnx.GraphProto.Builder g = proto.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            Onnx.TensorProto t = g.getInitializer(i);
            if (!t.getName().equals("head_a.fc.bias")) continue;
            Onnx.TensorProto.Builder doubled = t.toBuilder().clearRawData().clearFloatData();
            for (double v : OnnxModelRewriter.values(t)) doubled.addFloatData((float) (2 * v));
            g.setInitializer(i, doubled);
        }
        Path wrong = dir.resolve("wrong.onnx");
        Files.write(wrong, proto.toBuilder().setGraph(g).build().toByteArray());
        ImportedModel.Builder b = ImportedModel.fromOnnx(wrong).sharedActivation("Z");
        RICH.tasks().forEach(t -> b.task(t, RICH.output(t.name())));
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> b.forwardCheck(RICH.forwardCheck()).build());
        assertTrue(e.getMessage().contains("forward check failed") && e.getMessage().contains("'logits_a': relative error"), e.getMessage());
        assertTrue(!e.getMessage().contains("'pred_b'"), "head b is unchanged: " + e.getMessage());
    }

    @Test
    void namesWithColonsAndIdentitiesOfInitializersImport(@TempDir Path dir) throws IOException {
        // PyTorch's eval export fuses the batch norm into initializers named onnx::Conv_NN
        OnnxFixtures fused = OnnxFixtures.load(OnnxFixtures.DIR.resolve("rich-opset13-evalfused.json"));
        assertTrue(fused.json().path("model").path("nonParameterInitializers").toString().contains("onnx::"), "fixture lost its onnx:: names");
        fused.importer(DataType.DOUBLE).forwardCheck(fused.forwardCheck().tolerance(1e-6)).build();     // fused weights are float32 roundings

        // an initializer reached through Identity, as PyTorch writes equal initializers
        OnnxFixtures basic = OnnxFixtures.load(OnnxFixtures.DIR.resolve("basic-opset13-fold.json"));
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(basic.onnx()));
        Onnx.GraphProto.Builder g = proto.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++)
            if (g.getInitializer(i).getName().equals("head_b.conv.bias")) g.setInitializer(i, g.getInitializer(i).toBuilder().setName("shared_bias_source"));
        g.addNode(0, Onnx.NodeProto.newBuilder().setOpType("Identity").setName("dedup").addInput("shared_bias_source").addOutput("head_b.conv.bias"));
        Path file = dir.resolve("identity.onnx");
        Files.write(file, proto.toBuilder().setGraph(g).build().toByteArray());
        ImportedModel.Builder b = ImportedModel.fromOnnx(file).sharedActivation("Z").dataType(DataType.DOUBLE);
        basic.tasks().forEach(t -> b.task(t, basic.output(t.name())));
        b.forwardCheck(basic.forwardCheck().tolerance(1e-9)).build();
    }
    @Test
    void aDropoutOfATrainingModeExportFollowsTheTrainingFlag(@TempDir Path dir) throws IOException {
        // PyTorch's training-mode export keeps Dropout (ratio and training_mode as inputs, opset 13): one after head a's convolution
        OnnxFixtures basic = OnnxFixtures.load(OnnxFixtures.DIR.resolve("basic-opset13-fold.json"));
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(basic.onnx()));
        Onnx.GraphProto.Builder g = proto.getGraph().toBuilder();
        int at = -1;
        for (int i = 0; i < g.getNodeCount(); i++) if (g.getNode(i).getOpType().equals("Conv") && g.getNode(i).getName().contains("head_a")) at = i;
        String conv = g.getNode(at).getOutput(0);
        for (int i = at + 1; i < g.getNodeCount(); i++) {
            Onnx.NodeProto.Builder n = g.getNode(i).toBuilder();
            for (int k = 0; k < n.getInputCount(); k++) if (n.getInput(k).equals(conv)) n.setInput(k, "dropped");
            g.setNode(i, n);
        }
        g.addInitializer(Onnx.TensorProto.newBuilder().setName("ratio").setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addFloatData(0.3f));
        g.addInitializer(Onnx.TensorProto.newBuilder().setName("training_mode").setDataType(Onnx.TensorProto.DataType.BOOL_VALUE).addInt32Data(1));
        g.addNode(at + 1, Onnx.NodeProto.newBuilder().setOpType("Dropout").setName("/head_a/dropout/Dropout")
                .addInput(conv).addInput("ratio").addInput("training_mode").addOutput("dropped"));
        Path file = dir.resolve("dropout.onnx");
        Files.write(file, proto.toBuilder().setGraph(g).build().toByteArray());
        ImportedModel.Builder b = ImportedModel.fromOnnx(file).sharedActivation("Z").dataType(DataType.DOUBLE);
        basic.tasks().forEach(t -> b.task(t, basic.output(t.name())));
        // in evaluation (flag 0) dropout is the identity: PyTorch's eval outputs hold
        MultiTaskModel m = b.forwardCheck(basic.forwardCheck().tolerance(1e-9)).build();
        assertEquals("training", m.trainingFlag());
        Map<String, INDArray> feed = new java.util.HashMap<>(Map.of("x", OnnxFixtures.array(basic.json().path("data").path("x"))));
        feed.put(m.trainingFlag(), Nd4j.scalar(DataType.DOUBLE, 1.0));
        String mask = m.sameDiff().variables().stream().map(v -> v.name()).filter(n -> n.endsWith("/dropout/mask")).findFirst().orElseThrow();
        Map<String, INDArray> on = m.sameDiff().output(feed, mask, "logits_a");
        INDArray eval = OnnxFixtures.array(basic.json().path("forward").path("eval").path("logits_a"));
        double kept = on.get(mask).neq(0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        assertTrue(kept > 0.5 && kept < 0.9, "about 70% of the entries kept, got " + kept);
        assertEquals(1 / 0.7, on.get(mask).maxNumber().doubleValue(), 1e-6, "inverted dropout scales the kept entries by 1 / (1 - p)");
        assertTrue(on.get("logits_a").sub(eval).amaxNumber().doubleValue() > 1e-3, "training-mode logits differ from the eval ones");
    }
}
