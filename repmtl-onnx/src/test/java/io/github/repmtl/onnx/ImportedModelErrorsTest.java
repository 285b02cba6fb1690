package io.github.repmtl.onnx;

import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.saliency.UnsupportedHeadOpException;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to {@link ImportedModel}: each failure names the problem. */
class ImportedModelErrorsTest {
    static final OnnxFixtures BASIC = OnnxFixtures.load(OnnxFixtures.DIR.resolve("basic-opset13-fold.json"));

    private static void assertMessage(RuntimeException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }

    @Test
    void aSharedActivationNotInTheGraphListsCloseNames() {
        ImportedModel.Builder b = ImportedModel.fromOnnx(BASIC.onnx()).sharedActivation("Zz");
        BASIC.tasks().forEach(t -> b.task(t, BASIC.output(t.name())));
        OnnxImportException e = assertThrows(OnnxImportException.class, b::build);
        assertMessage(e, "shared activation 'Zz' is not a value of basic-opset13-fold.onnx", "closest names: [Z,");
    }

    @Test
    void anOutputNotInTheGraphListsCloseNames() {
        ImportedModel.Builder b = ImportedModel.fromOnnx(BASIC.onnx()).sharedActivation("Z")
                .task(TaskSpec.classification("a", 5), "logits_c").task(TaskSpec.classification("b", 3), "logits_b");
        assertMessage(assertThrows(OnnxImportException.class, b::build), "output of task 'a' 'logits_c'", "closest names: [logits_a, logits_b");
    }

    @Test
    void anOutputThatDoesNotDependOnTheSharedActivation() {
        // the trunk's convolution lies upstream of Z
        ImportedModel.Builder b = ImportedModel.fromOnnx(BASIC.onnx()).sharedActivation("Z")
                .task(TaskSpec.classification("a", 5), "logits_a").task(new TaskSpec("trunk", io.github.repmtl.samediff.model.TaskKind.DEPTH, 4), trunkConvOutput());
        assertMessage(assertThrows(OnnxImportException.class, b::build), "of task 'trunk' does not depend on the shared activation 'Z'");
    }

    @Test
    void anOutputOfTheWrongShapeForItsTask() {
        ImportedModel.Builder b = ImportedModel.fromOnnx(BASIC.onnx()).sharedActivation("Z")
                .task(TaskSpec.classification("a", 7), "logits_a").task(TaskSpec.classification("b", 3), "logits_b");
        assertMessage(assertThrows(OnnxImportException.class, b::build), "task 'a' (CLASSIFICATION, 7 outputs): its output 'logits_a' has shape [2, 5]");
    }

    @Test
    void anOpWithoutARuleNamesTheOpAndItsOnnxNode(@TempDir Path dir) throws IOException {
        // an Erf (GELU's core) inserted in head a, after its convolution
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(BASIC.onnx()));
        Onnx.GraphProto.Builder g = proto.getGraph().toBuilder();
        String conv = null;
        int at = -1;
        for (int i = 0; i < g.getNodeCount(); i++) {
            Onnx.NodeProto n = g.getNode(i);
            if (n.getOpType().equals("Conv") && n.getInput(0).equals("Z") && n.getName().contains("head_a")) {
                conv = n.getOutput(0);
                at = i;
            }
        }
        assertTrue(at >= 0, "fixture lost head a's convolution");
        for (int i = at + 1; i < g.getNodeCount(); i++) {
            Onnx.NodeProto.Builder n = g.getNode(i).toBuilder();
            for (int k = 0; k < n.getInputCount(); k++) if (n.getInput(k).equals(conv)) n.setInput(k, "erf_out");
            g.setNode(i, n);
        }
        g.addNode(at + 1, Onnx.NodeProto.newBuilder().setOpType("Erf").setName("/head_a/InsertedErf").addInput(conv).addOutput("erf_out"));
        Path file = dir.resolve("erf.onnx");
        Files.write(file, proto.toBuilder().setGraph(g).build().toByteArray());
        ImportedModel.Builder b = ImportedModel.fromOnnx(file).sharedActivation("Z");
        BASIC.tasks().forEach(t -> b.task(t, BASIC.output(t.name())));
        UnsupportedHeadOpException e = assertThrows(UnsupportedHeadOpException.class, b::build);
        assertMessage(e, "op 'erf'", "from ONNX node '/head_a/InsertedErf'", "task 'a'", "has no exact input-gradient rule");
    }

    @Test
    void missingGarbageAndMisconfiguredFiles(@TempDir Path dir) throws IOException {
        assertMessage(assertThrows(OnnxImportException.class, () -> ImportedModel.fromOnnx(dir.resolve("none.onnx")).sharedActivation("Z")
                .task(TaskSpec.classification("a", 5), "logits_a").build()), "ONNX file not found", "none.onnx");
        Path garbage = Files.write(dir.resolve("garbage.onnx"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9});
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> ImportedModel.fromOnnx(garbage).sharedActivation("Z")
                .task(TaskSpec.classification("a", 5), "logits_a").build());
        assertTrue(e.getMessage().contains("garbage.onnx"), e.getMessage());
        assertMessage(assertThrows(IllegalStateException.class, () -> ImportedModel.fromOnnx(BASIC.onnx()).task(TaskSpec.classification("a", 5), "logits_a").build()),
                "sharedActivation(...) is required");
        assertMessage(assertThrows(IllegalStateException.class, () -> ImportedModel.fromOnnx(BASIC.onnx()).sharedActivation("Z").build()),
                "at least one task(...) is required");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ImportedModel.fromOnnx(BASIC.onnx()).sharedActivation("Z")
                .task(TaskSpec.classification("a", 5), "logits_a").task(TaskSpec.classification("a", 3), "logits_b")), "task 'a' declared twice");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ImportedModel.fromOnnx(BASIC.onnx()).dataType(DataType.HALF)),
                "data type must be FLOAT or DOUBLE");
    }

    private static String trunkConvOutput() {
        try {
            Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(BASIC.onnx()));
            for (Onnx.NodeProto n : proto.getGraph().getNodeList()) if (n.getOutputList().contains("Z")) return n.getInput(0);
            throw new AssertionError("no producer of Z");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
