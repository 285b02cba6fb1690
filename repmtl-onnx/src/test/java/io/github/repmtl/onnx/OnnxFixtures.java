package io.github.repmtl.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskHeads;
import io.github.repmtl.samediff.model.TaskKind;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.verify.GoldenFixture;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The ONNX fixtures of {@code src/test/resources/onnx} (made by {@code tools/onnx/make_onnx_fixtures.py}): each
 * {@code NAME.onnx} with {@code NAME.json} holding its tasks, data, PyTorch's forward outputs and float64 Rep-MTL
 * references in the golden format.
 */
record OnnxFixtures(Path onnx, JsonNode json, GoldenFixture golden) {
    static final Path DIR = Path.of("src/test/resources/onnx");

    static List<OnnxFixtures> all() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().map(OnnxFixtures::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OnnxFixtures load(Path json) {
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(json));
            Path onnx = json.resolveSibling(root.path("model").path("onnx").asText());
            GoldenFixture golden = root.path("model").path("forwardOnly").asBoolean(false) ? null : GoldenFixture.load(json);
            return new OnnxFixtures(onnx, root, golden);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() { return onnx.getFileName().toString(); }

    boolean hasReferences() { return golden != null; }

    boolean hasBatchNorm() { return json.path("model").has("batchNormStatistics"); }

    List<TaskSpec> tasks() {
        List<TaskSpec> out = new java.util.ArrayList<>();
        for (JsonNode t : json.path("model").path("tasks")) {
            TaskKind kind = TaskKind.valueOf(t.path("kind").asText().toUpperCase(Locale.ROOT));
            out.add(new TaskSpec(t.path("name").asText(), kind, t.path("outputs").asInt()));
        }
        return out;
    }

    String output(String task) {
        for (JsonNode t : json.path("model").path("tasks")) if (t.path("name").asText().equals(task)) return t.path("output").asText();
        throw new IllegalArgumentException(task);
    }

    /** The sample input and PyTorch's eval-mode outputs. */
    ForwardCheck forwardCheck() {
        Map<String, INDArray> expected = new LinkedHashMap<>();
        json.path("forward").path("eval").fields().forEachRemaining(e -> expected.put(e.getKey(), array(e.getValue())));
        return ForwardCheck.of(Map.of("x", array(json.path("data").path("x"))), expected);
    }

    /** Imports the fixture's model with its tasks, in {@code dataType}. */
    ImportedModel.Builder importer(DataType dataType) {
        ImportedModel.Builder b = ImportedModel.fromOnnx(onnx).sharedActivation(json.path("model").path("shared").asText("Z")).dataType(dataType);
        for (TaskSpec t : tasks()) b.task(t, output(t.name()));
        return b;
    }

    /** Input, labels and (for training-mode batch norm) the training flag, in {@code dataType}. */
    Map<String, INDArray> feed(MultiTaskModel m, DataType dataType) {
        Map<String, INDArray> feed = new LinkedHashMap<>();
        JsonNode data = json.path("data");
        feed.put(m.inputs().get(0), array(data.path("x")).castTo(dataType));
        for (TaskSpec t : tasks()) {
            INDArray label = array(data.path(t.name()));
            feed.put(TaskHeads.label(t.name()), t.kind() == TaskKind.CLASSIFICATION || t.kind() == TaskKind.SEGMENTATION ? label.castTo(DataType.INT64) : label.castTo(dataType));
        }
        if (m.trainingFlag() != null) feed.put(m.trainingFlag(), Nd4j.scalar(dataType, 1.0));
        return feed;
    }

    static INDArray array(JsonNode t) {
        JsonNode shape = t.path("shape");
        long[] s = new long[shape.size()];
        for (int i = 0; i < s.length; i++) s[i] = shape.get(i).asLong();
        List<Double> values = new java.util.ArrayList<>();
        flatten(t.path("values"), values);
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        return s.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.createFromArray(v).reshape(s);
    }

    private static void flatten(JsonNode n, List<Double> out) {
        if (n.isArray()) for (JsonNode c : n) flatten(c, out);
        else out.add(n.asDouble());
    }
}
