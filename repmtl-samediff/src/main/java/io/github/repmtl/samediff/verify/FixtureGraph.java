package io.github.repmtl.samediff.verify;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.repmtl.samediff.loss.TaskLosses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds, in float64, the SameDiff network a golden fixture describes in {@code model.graph}. Convolution
 * weights arrive in OIHW and are stored in SameDiff's YXIO layout (their gradients are mapped back).
 */
public final class FixtureGraph {
    /** The ops a fixture may use (shared/golden/README.md). */
    public static final Set<String> NODE_OPS = Set.of("conv2d", "matmul_bias", "tanh", "relu", "batchnorm_train", "upsample_bilinear");
    public static final Set<String> LOSS_OPS = Set.of("softmax_ce", "masked_l1", "masked_cosine");

    private final SameDiff sd = SameDiff.create();
    private final Map<String, String> lossOfTask = new LinkedHashMap<>();
    private final Map<String, String> sharedOfTask = new LinkedHashMap<>();
    private final Set<String> oihwParams = new java.util.HashSet<>();
    private final Map<String, INDArray> feed = new HashMap<>();

    public FixtureGraph(GoldenFixture fx) {
        JsonNode graph = fx.graph();
        if (graph == null) throw new IllegalArgumentException(fx.file() + ": no model.graph (the network of a fixture of an imported model is its model file)");
        Set<String> inputs = new java.util.HashSet<>();
        for (JsonNode n : graph.path("inputs")) inputs.add(n.asText());
        for (Map.Entry<String, INDArray> e : fx.data().entrySet()) {
            INDArray v = e.getValue().dataType() == DataType.INT64 || e.getValue().dataType() == DataType.INT32 ? e.getValue() : e.getValue().castTo(DataType.DOUBLE);
            long[] shape = v.shape().clone();
            shape[0] = -1;
            sd.placeHolder(e.getKey(), v.dataType(), shape);
            feed.put(e.getKey(), v);
        }
        for (String in : inputs) if (!fx.data().containsKey(in)) throw new IllegalArgumentException(fx.file() + ": input '" + in + "' has no data");
        Map<String, INDArray> params = fx.params();
        int index = 0;
        for (JsonNode node : graph.path("nodes")) {
            String op = node.path("op").asText();
            String where = "model.graph.nodes[" + index++ + "] (op '" + op + "')";
            if (!NODE_OPS.contains(op)) throw new IllegalArgumentException(fx.file() + ": unknown op '" + op + "' in " + where + "; supported: " + NODE_OPS);
            SDVariable in = variable(text(node, "in", where), where);
            String out = text(node, "out", where);
            SDVariable result = switch (op) {
                case "conv2d" -> conv2d(node, in, params, out, where);
                case "matmul_bias" -> in.mmul(param(params, text(node, "W", where), where)).add(out, param(params, text(node, "b", where), where));
                case "tanh" -> sd.math.tanh(out, in);
                case "relu" -> sd.nn.relu(out, in, 0.0);
                case "batchnorm_train" -> sd.identity(out, FixtureOps.batchNormTraining(sd, in,
                        param(params, text(node, "gamma", where), where), param(params, text(node, "beta", where), where),
                        node.path("eps").asDouble(1e-5), shapeOf(in).length));
                case "upsample_bilinear" -> {
                    long[] s = shapeOf(in);
                    yield sd.identity(out, FixtureOps.bilinearUpsample(sd, in, s[1], s[2], s[3], node.path("height").asInt(),
                            node.path("width").asInt(), node.path("alignCorners").asBoolean()));
                }
                default -> throw new IllegalStateException(op);
            };
            if (!result.name().equals(out)) throw new IllegalStateException("variable name clash at " + where + ": '" + out + "'");
        }
        JsonNode losses = graph.path("losses");
        JsonNode shared = graph.path("shared");
        losses.fields().forEachRemaining(e -> {
            String task = e.getKey();
            JsonNode l = e.getValue();
            String op = l.path("op").asText();
            String where = "model.graph.losses." + task + " (op '" + op + "')";
            if (!LOSS_OPS.contains(op)) throw new IllegalArgumentException(fx.file() + ": unknown loss op '" + op + "' in " + where + "; supported: " + LOSS_OPS);
            SDVariable pred = variable(text(l, "in", where), where);
            String name = "loss_" + task;
            SDVariable loss = switch (op) {
                case "softmax_ce" -> {
                    int ignore = l.path("ignoreIndex").asInt(-1);
                    long classes = outputChannels(pred.name());
                    if (ignore >= 0 && ignore < classes)
                        throw new IllegalArgumentException(fx.file() + ": " + where + " ignoreIndex " + ignore + " is a valid class index");
                    yield TaskLosses.softmaxCrossEntropy(sd, name, pred, variable(text(l, "labels", where), where), (int) classes);
                }
                case "masked_l1" -> TaskLosses.maskedL1(sd, name, pred, variable(text(l, "target", where), where));
                case "masked_cosine" -> TaskLosses.maskedCosine(sd, name, pred, variable(text(l, "target", where), where));
                default -> throw new IllegalStateException(op);
            };
            lossOfTask.put(task, loss.name());
            JsonNode z = shared.get(task);
            if (z == null) throw new IllegalArgumentException(fx.file() + ": model.graph.shared has no entry for task '" + task + "'");
            variable(z.asText(), "model.graph.shared." + task);
            sharedOfTask.put(task, z.asText());
        });
        if (lossOfTask.size() < 2) throw new IllegalArgumentException(fx.file() + ": a fixture needs at least 2 task losses");
    }

    public SameDiff sameDiff() { return sd; }
    public Map<String, String> lossOfTask() { return lossOfTask; }
    public Map<String, String> sharedOfTask() { return sharedOfTask; }
    public Map<String, INDArray> feed() { return feed; }
    public List<String> taskNames() { return new ArrayList<>(lossOfTask.keySet()); }

    /** Gradient of a fixture parameter in the fixture's own layout (OIHW for convolution weights). */
    public INDArray toFixtureLayout(String param, INDArray gradient) {
        return oihwParams.contains(param) ? gradient.permute(3, 2, 0, 1).dup() : gradient;
    }

    private SDVariable conv2d(JsonNode node, SDVariable in, Map<String, INDArray> params, String out, String where) {
        String wName = text(node, "W", where);
        INDArray oihw = params.get(wName);
        if (oihw == null) throw new IllegalArgumentException("unknown parameter '" + wName + "' in " + where);
        if (oihw.rank() != 4) throw new IllegalArgumentException("conv2d weight '" + wName + "' must be OIHW rank 4 in " + where);
        SDVariable w = sd.hasVariable(wName) ? sd.getVariable(wName) : sd.var(wName, oihw.castTo(DataType.DOUBLE).permute(2, 3, 1, 0).dup());
        oihwParams.add(wName);
        int stride = node.path("stride").asInt(1), pad = node.path("pad").asInt(0), dilation = node.path("dilation").asInt(1);
        Conv2DConfig cfg = Conv2DConfig.builder().kH(oihw.size(2)).kW(oihw.size(3)).sH(stride).sW(stride)
                .pH(pad).pW(pad).dH(dilation).dW(dilation).build();
        SDVariable b = node.hasNonNull("b") ? param(params, node.get("b").asText(), where) : null;
        return b == null ? sd.cnn.conv2d(out, in, w, cfg) : sd.cnn.conv2d(out, in, w, b, cfg);
    }

    private long outputChannels(String variable) {
        return shapeOf(sd.getVariable(variable))[1];
    }

    /** Concrete shape of a variable, from one forward pass on the fixture's data. */
    private long[] shapeOf(SDVariable v) {
        if (v.getArr() != null && v.getVariableType() != org.nd4j.autodiff.samediff.VariableType.ARRAY) return v.getArr().shape();
        return sd.output(feed, v.name()).get(v.name()).shape();
    }

    private SDVariable param(Map<String, INDArray> params, String name, String where) {
        if (sd.hasVariable(name)) return sd.getVariable(name);
        INDArray v = params.get(name);
        if (v == null) throw new IllegalArgumentException("unknown parameter '" + name + "' in " + where);
        return sd.var(name, v.castTo(DataType.DOUBLE).dup());
    }

    private SDVariable variable(String name, String where) {
        if (!sd.hasVariable(name)) throw new IllegalArgumentException("unknown variable '" + name + "' in " + where);
        return sd.getVariable(name);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.asText().isEmpty()) throw new IllegalArgumentException("missing field '" + field + "' in " + where);
        return v.asText();
    }
}
