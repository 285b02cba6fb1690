package io.github.repmtl.samediff.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.repmtl.samediff.regularizer.CsaVariant;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A golden-value fixture ({@code shared/golden/README.md}): the network as data ({@code model.graph}; null in
 * fixtures of imported models, whose network is a model file), its parameters and data as float64/int64 arrays, and
 * one expected result per Rep-MTL configuration.
 */
public record GoldenFixture(Path file, JsonNode graph, Map<String, INDArray> params, Map<String, INDArray> data,
                            List<Expected> results) {

    /** Rep-MTL configuration of one result. */
    public record Config(boolean logTransform, double lambdaTsr, double lambdaCsa, double tau, CsaVariant csaVariant) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "{logTransform=%s, lambdaTsr=%s, lambdaCsa=%s, tau=%s, csaVariant=%s}",
                    logTransform, lambdaTsr, lambdaCsa, tau, csaVariant.name().toLowerCase(Locale.ROOT));
        }
    }

    /** Expected values of one configuration; saliencies are in task order. */
    public record Expected(Config config, double[] taskLosses, double[] objectiveTerms, List<INDArray> saliency,
                           double tsr, double csa, double objective, Map<String, INDArray> gradients) {}

    public static GoldenFixture load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read golden fixture " + file + ": " + e.getMessage(), e);
        }
        JsonNode graph = root.path("model").get("graph");                  // null for fixtures of imported (ONNX) models
        Map<String, INDArray> params = arrays(required(root, file, "params"), file, "params");
        Map<String, INDArray> data = arrays(required(root, file, "data"), file, "data");
        List<Expected> results = new ArrayList<>();
        int i = 0;
        for (JsonNode r : required(root, file, "results")) {
            String where = "results[" + i++ + "]";
            JsonNode c = required(r, file, "config");
            String variant = c.path("csaVariant").asText("paper").toUpperCase(Locale.ROOT);
            CsaVariant v;
            try {
                v = CsaVariant.valueOf(variant);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + where + " has unknown csaVariant '" + variant + "'");
            }
            Config config = new Config(c.path("logTransform").asBoolean(), c.path("lambdaTsr").asDouble(),
                    c.path("lambdaCsa").asDouble(), c.path("tau").asDouble(0.5), v);
            List<INDArray> saliency = new ArrayList<>();
            for (JsonNode s : required(r, file, "saliency")) saliency.add(array(s, file, where + ".saliency"));
            results.add(new Expected(config, doubles(required(r, file, "taskLosses")), doubles(required(r, file, "objectiveTerms")),
                    saliency, required(r, file, "tsr").asDouble(), required(r, file, "csa").asDouble(),
                    required(r, file, "objective").asDouble(), arrays(required(r, file, "gradients"), file, where + ".gradients")));
        }
        if (results.isEmpty()) throw new IllegalArgumentException(file + ": no results");
        return new GoldenFixture(file, graph, params, data, results);
    }

    private static JsonNode required(JsonNode node, Path file, String... path) {
        JsonNode n = node;
        for (String p : path) {
            n = n.get(p);
            if (n == null) throw new IllegalArgumentException(file + ": missing field '" + String.join(".", path) + "'");
        }
        return n;
    }

    private static double[] doubles(JsonNode list) {
        double[] d = new double[list.size()];
        for (int i = 0; i < d.length; i++) d[i] = list.get(i).asDouble();
        return d;
    }

    private static Map<String, INDArray> arrays(JsonNode obj, Path file, String where) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        obj.fields().forEachRemaining(e -> m.put(e.getKey(), array(e.getValue(), file, where + "." + e.getKey())));
        return m;
    }

    /** {@code {shape, dtype?, values}} with row-major nested lists. */
    static INDArray array(JsonNode node, Path file, String where) {
        JsonNode shapeNode = node.get("shape"), values = node.get("values");
        if (shapeNode == null || values == null) throw new IllegalArgumentException(file + ": " + where + " needs 'shape' and 'values'");
        long[] shape = new long[shapeNode.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
            n *= shape[i];
        }
        double[] flat = new double[(int) n];
        int[] pos = {0};
        flatten(values, flat, pos, file, where);
        if (pos[0] != n) throw new IllegalArgumentException(file + ": " + where + " has " + pos[0] + " values for shape " + java.util.Arrays.toString(shape));
        String dtype = node.path("dtype").asText("float64");
        INDArray arr = Nd4j.create(flat, shape, DataType.DOUBLE);
        return switch (dtype) {
            case "float64" -> arr;
            case "int64" -> arr.castTo(DataType.INT64);
            case "int32" -> arr.castTo(DataType.INT32);
            case "float32" -> arr;
            default -> throw new IllegalArgumentException(file + ": " + where + " has unsupported dtype '" + dtype + "'");
        };
    }

    private static void flatten(JsonNode v, double[] out, int[] pos, Path file, String where) {
        if (v.isArray()) {
            for (JsonNode c : v) flatten(c, out, pos, file, where);
        } else {
            if (!v.isNumber()) throw new IllegalArgumentException(file + ": " + where + " holds a non-number '" + v + "'");
            if (pos[0] >= out.length) throw new IllegalArgumentException(file + ": " + where + " has more values than its shape");
            out[pos[0]++] = v.asDouble();
        }
    }
}
