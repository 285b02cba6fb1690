package io.github.repmtl.onnx;

import onnx.Onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rewrites an ONNX model, before ND4J 1.0.0-M2.1's importer sees it, around the importer's own faults:
 * <ul>
 *   <li>value names with {@code ':'} (PyTorch's {@code onnx::Conv_39}) are renamed ({@code ':'} becomes {@code '_'}):
 *       SameDiff reads {@code name:0} as output 0 of {@code name} and the import fails;</li>
 *   <li>{@code Identity} of an initializer (PyTorch's exporter merges equal initializers that way, e.g. a fresh batch
 *       norm's running variance and its scale) becomes a copy of the initializer: the importer cannot resolve it;</li>
 *   <li>{@code Gemm} with a bias {@code C} becomes {@code Gemm} without it followed by {@code Add}: the importer turns
 *       Gemm into a matmul and silently drops {@code C} (a wrong forward pass, no error);</li>
 *   <li>{@code GlobalAveragePool} and {@code GlobalMaxPool} become {@code ReduceMean}/{@code ReduceMax} over axes 2
 *       and 3 (kept): the importer computes their axes at run time through rank/range/split_v, which crashes the
 *       native reduce in float64;</li>
 *   <li>{@code Resize} fails inside the importer ({@code Resize.outputSize}); a bilinear one becomes a marker of the
 *       same output shape ({@code Add(ReduceMean(x), zeros[1, 1, H', W'])}) and a {@link ResizeCut} that {@link ImportedGraphRepair}
 *       replaces after the import by the project's exact bilinear upsampling;</li>
 *   <li>{@code Pad} in reflect or edge mode is rejected: ND4J differentiates it as constant padding;</li>
 *   <li>{@code Dropout} (present when the model was exported in training mode) becomes {@code x + 0} and a
 *       {@link DropoutCut} that {@link ImportedGraphRepair} replaces by the project's dropout switched by the
 *       training flag.</li>
 * </ul>
 */
final class OnnxModelRewriter {
    /**
     * A bilinear {@code Resize} removed before the import: {@code output = resize(input)} to {@code outHeight x outWidth}
     * (or, when both are 0, by the scales {@code scaleHeight x scaleWidth}).
     */
    record ResizeCut(String node, String input, String output, long outHeight, long outWidth, double scaleHeight,
                     double scaleWidth, boolean alignCorners) {}

    /** A {@code Dropout} removed before the import: {@code output = dropout(input)} with drop probability {@code rate}. */
    record DropoutCut(String node, String input, String output, double rate) {}

    /**
     * The rewritten model, the Resize and Dropout nodes it cut, every renamed value ({@code old -> new}), the running-average
     * momentum of each BatchNormalization by output name (PyTorch's convention: {@code 1 - } ONNX's), the names
     * of the model's initializers, and the inputs of global poolings rewritten as reductions over axes 2 and 3
     * (which {@link ImportedGraphRepair} checks are of rank 4).
     */
    record Result(Onnx.ModelProto model, List<ResizeCut> resizes, List<DropoutCut> dropouts, Map<String, String> renamed, Map<String, Double> batchNormMomenta,
                  List<String> initializers, List<String> globalPoolInputs) {}

    private OnnxModelRewriter() {}

    /**
     * @param floatType the floating-point type the imported graph computes in: FLOAT, or DOUBLE (float32
     *                  initializers, inputs, outputs, constants and casts are widened before the import, exactly)
     */
    static Result rewrite(Onnx.ModelProto model, int floatType) {
        Map<String, String> renamed = new LinkedHashMap<>();
        Onnx.GraphProto g = sanitizeNames(model.getGraph(), renamed);
        if (floatType == Onnx.TensorProto.DataType.DOUBLE_VALUE) g = widened(g);
        else if (floatType != Onnx.TensorProto.DataType.FLOAT_VALUE) throw new IllegalArgumentException("float type must be FLOAT or DOUBLE, got " + floatType);
        Map<String, Onnx.TensorProto> initializers = new HashMap<>();
        for (Onnx.TensorProto t : g.getInitializerList()) initializers.put(t.getName(), t);
        Map<String, Onnx.NodeProto> producers = new HashMap<>();
        for (Onnx.NodeProto n : g.getNodeList()) for (String o : n.getOutputList()) producers.put(o, n);

        Onnx.GraphProto.Builder out = g.toBuilder().clearNode();
        List<ResizeCut> resizes = new ArrayList<>();
        List<DropoutCut> dropouts = new ArrayList<>();
        Map<String, Double> momenta = new HashMap<>();
        List<String> globalPools = new ArrayList<>();
        for (Onnx.NodeProto n : g.getNodeList()) {
            switch (n.getOpType()) {
                case "Identity" -> {
                    Onnx.TensorProto src = initializers.get(n.getInput(0));
                    if (src != null) {
                        Onnx.TensorProto copy = src.toBuilder().setName(n.getOutput(0)).build();
                        out.addInitializer(copy);
                        initializers.put(copy.getName(), copy);
                    } else {
                        out.addNode(n);
                    }
                }
                case "Gemm" -> {
                    if (n.getInputCount() < 3 || n.getInput(2).isEmpty()) {
                        out.addNode(n);
                        break;
                    }
                    double beta = floatAttribute(n, "beta", 1.0);
                    String bias = n.getInput(2);
                    if (beta != 1.0) {
                        Onnx.TensorProto c = initializers.get(bias);
                        if (c == null) throw new OnnxImportException("Gemm node '" + n.getName() + "': beta = " + beta + " with a bias that is not an initializer is not supported");
                        bias = bias + "_times_beta";
                        out.addInitializer(scaled(c, bias, beta));
                    }
                    String product = n.getOutput(0) + "_without_bias";
                    Onnx.NodeProto.Builder gemm = n.toBuilder().clearInput().addInput(n.getInput(0)).addInput(n.getInput(1)).setOutput(0, product);
                    List<Onnx.AttributeProto> attrs = new ArrayList<>(gemm.getAttributeList());
                    attrs.removeIf(a -> a.getName().equals("beta"));
                    gemm.clearAttribute().addAllAttribute(attrs);
                    out.addNode(gemm);
                    out.addNode(Onnx.NodeProto.newBuilder().setOpType("Add").setName(n.getName() + "_bias")
                            .addInput(product).addInput(bias).addOutput(n.getOutput(0)));
                }
                case "Resize" -> {
                    ResizeCut cut = resizeCut(n, initializers, producers);
                    resizes.add(cut);
                    out.addNode(marker(out, cut, floatType));
                }
                case "GlobalAveragePool", "GlobalMaxPool" -> {
                    globalPools.add(n.getInput(0));
                    out.addNode(Onnx.NodeProto.newBuilder().setOpType(n.getOpType().equals("GlobalAveragePool") ? "ReduceMean" : "ReduceMax")
                            .setName(n.getName()).addInput(n.getInput(0)).addOutput(n.getOutput(0))
                            .addAttribute(ints("axes", 2, 3)).addAttribute(Onnx.AttributeProto.newBuilder().setName("keepdims")
                                    .setType(Onnx.AttributeProto.AttributeType.INT).setI(1)));
                }
                case "Dropout" -> {
                    dropouts.add(dropoutCut(n, initializers, producers));
                    // a marker the importer keeps (it drops an Identity of a computed value): x + 0
                    String zero = n.getOutput(0) + "_marker_zero";
                    out.addInitializer(floats(zero, floatType, new long[0], new double[1]));
                    out.addNode(Onnx.NodeProto.newBuilder().setOpType("Add").setName(n.getName()).addInput(n.getInput(0)).addInput(zero).addOutput(n.getOutput(0)));
                }
                case "Pad" -> {
                    String mode = stringAttribute(n, "mode", "constant");
                    if (!mode.equals("constant"))
                        throw new OnnxImportException("Pad node '" + n.getName() + "': mode '" + mode + "' is not supported: ND4J 1.0.0-M2.1 differentiates "
                                + "mirror padding as constant padding (wrong weight gradients, and a native crash in the second-order step); "
                                + "export with padding_mode='zeros'");
                    out.addNode(n);
                }
                case "BatchNormalization" -> {
                    momenta.put(n.getOutput(0), 1 - floatAttribute(n, "momentum", 0.9));
                    out.addNode(n);
                }
                default -> out.addNode(n);
            }
        }
        Onnx.GraphProto graph = withoutDeadNodes(out).build();
        List<String> names = graph.getInitializerList().stream().map(Onnx.TensorProto::getName).toList();
        return new Result(model.toBuilder().setGraph(graph).build(), List.copyOf(resizes), List.copyOf(dropouts), Map.copyOf(renamed), Map.copyOf(momenta), names,
                List.copyOf(globalPools));
    }

    /**
     * A node of the resized shape that depends on the input and on constants only, so that the importer's eager
     * shape computations downstream see the right shapes and data type: {@code Add(ReduceMean(x, [2, 3]), zeros[1, 1, H', W'])}
     * for a given size (the importer's Expand gives float32 whatever its input), {@code Tile(x, [1, 1, sH, sW])} for
     * integer scales.
     */
    private static Onnx.NodeProto marker(Onnx.GraphProto.Builder out, ResizeCut cut, int floatType) {
        String p = cut.output() + "_marker";
        if (cut.outHeight() > 0) {
            out.addNode(Onnx.NodeProto.newBuilder().setOpType("ReduceMean").setName(p + "_pool").addInput(cut.input()).addOutput(p + "_pool")
                    .addAttribute(ints("axes", 2, 3)).addAttribute(Onnx.AttributeProto.newBuilder().setName("keepdims")
                            .setType(Onnx.AttributeProto.AttributeType.INT).setI(1)));
            out.addInitializer(floats(p + "_zeros", floatType, new long[]{1, 1, cut.outHeight(), cut.outWidth()},
                    new double[(int) (cut.outHeight() * cut.outWidth())]));
            return Onnx.NodeProto.newBuilder().setOpType("Add").setName(p).addInput(p + "_pool").addInput(p + "_zeros").addOutput(cut.output()).build();
        }
        out.addInitializer(int64s(p + "_repeats", 1, 1, (long) cut.scaleHeight(), (long) cut.scaleWidth()));
        return Onnx.NodeProto.newBuilder().setOpType("Tile").setName(p).addInput(cut.input()).addInput(p + "_repeats").addOutput(cut.output()).build();
    }

    private static Onnx.TensorProto int64s(String name, long... values) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addDims(values.length);
        for (long v : values) t.addInt64Data(v);
        return t.build();
    }

    private static DropoutCut dropoutCut(Onnx.NodeProto n, Map<String, Onnx.TensorProto> initializers, Map<String, Onnx.NodeProto> producers) {
        String what = "Dropout node '" + n.getName() + "' (output '" + n.getOutput(0) + "')";
        if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && producers.values().stream().anyMatch(o -> o.getInputList().contains(n.getOutput(1))))
            throw new OnnxImportException(what + ": its mask output '" + n.getOutput(1) + "' is used by the graph; that is not supported");
        double rate = floatAttribute(n, "ratio", 0.5);                    // opset < 12: an attribute
        if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {          // opset >= 12: an input
            double[] v = constantValues(n.getInput(1), initializers, producers)
                    .orElseThrow(() -> new OnnxImportException(what + ": its ratio is computed in the graph (a constant is required)"));
            rate = v[0];
        }
        if (!(rate >= 0 && rate < 1)) throw new OnnxImportException(what + ": ratio " + rate + " is outside [0, 1)");
        return new DropoutCut(n.getName(), n.getInput(0), n.getOutput(0), rate);
    }

    private static ResizeCut resizeCut(Onnx.NodeProto n, Map<String, Onnx.TensorProto> initializers, Map<String, Onnx.NodeProto> producers) {
        String what = "Resize node '" + n.getName() + "' (output '" + n.getOutput(0) + "')";
        String mode = stringAttribute(n, "mode", "nearest");
        if (!mode.equals("linear"))
            throw new OnnxImportException(what + ": mode '" + mode + "' is not supported (bilinear 'linear' only: the importer fails on Resize, and the project's replacement is bilinear)");
        String transform = stringAttribute(n, "coordinate_transformation_mode", "half_pixel");
        boolean alignCorners = switch (transform) {
            case "align_corners" -> true;
            case "half_pixel", "pytorch_half_pixel" -> false;
            default -> throw new OnnxImportException(what + ": coordinate_transformation_mode '" + transform + "' is not supported (half_pixel, pytorch_half_pixel, align_corners)");
        };
        if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) {
            long[] size = lastTwo(n.getInput(3), initializers, producers)
                    .orElseThrow(() -> new OnnxImportException(what + ": its output size is computed from values not known when the graph is imported"));
            return new ResizeCut(n.getName(), n.getInput(0), n.getOutput(0), size[0], size[1], 0, 0, alignCorners);
        }
        String scalesName = n.getInputCount() > 2 ? n.getInput(2) : "";
        double[] scales = constantValues(scalesName, initializers, producers)
                .orElseThrow(() -> new OnnxImportException(what + ": neither constant sizes nor constant scales"));
        if (scales.length != 4 || scales[0] != 1 || scales[1] != 1 || scales[2] < 1 || scales[3] < 1 || scales[2] != Math.rint(scales[2]) || scales[3] != Math.rint(scales[3]))
            throw new OnnxImportException(what + ": scales " + java.util.Arrays.toString(scales) + " are not supported (integer upsampling factors of H and W only; export with size=(H, W) otherwise)");
        return new ResizeCut(n.getName(), n.getInput(0), n.getOutput(0), 0, 0, scales[2], scales[3], alignCorners);
    }

    /** The last two values of a size tensor: a constant, or a Concat whose last operand is a constant of two values. */
    private static Optional<long[]> lastTwo(String name, Map<String, Onnx.TensorProto> initializers, Map<String, Onnx.NodeProto> producers) {
        Optional<double[]> direct = constantValues(name, initializers, producers);
        if (direct.isPresent()) {
            double[] v = direct.get();
            return v.length < 2 ? Optional.empty() : Optional.of(new long[]{(long) v[v.length - 2], (long) v[v.length - 1]});
        }
        Onnx.NodeProto p = producers.get(name);
        if (p == null) return Optional.empty();
        if (p.getOpType().equals("Cast")) return lastTwo(p.getInput(0), initializers, producers);
        if (p.getOpType().equals("Concat")) {
            Optional<double[]> tail = constantValues(p.getInput(p.getInputCount() - 1), initializers, producers);
            if (tail.isPresent() && tail.get().length >= 2) {
                double[] v = tail.get();
                return Optional.of(new long[]{(long) v[v.length - 2], (long) v[v.length - 1]});
            }
            if (tail.isEmpty()) {
                Onnx.NodeProto last = producers.get(p.getInput(p.getInputCount() - 1));
                if (last != null && last.getOpType().equals("Cast")) return lastTwo(last.getInput(0), initializers, producers);
            }
        }
        return Optional.empty();
    }

    /**
     * Drops nodes none of whose outputs is used (e.g. the size computation of a cut Resize): the importer would run
     * them eagerly on placeholder arrays and may fail on the values it invents.
     */
    private static Onnx.GraphProto.Builder withoutDeadNodes(Onnx.GraphProto.Builder g) {
        boolean changed = true;
        while (changed) {
            changed = false;
            Set<String> used = new HashSet<>();
            for (Onnx.ValueInfoProto o : g.getOutputList()) used.add(o.getName());
            for (Onnx.NodeProto n : g.getNodeList()) used.addAll(n.getInputList());
            for (int i = g.getNodeCount() - 1; i >= 0; i--) {
                if (g.getNode(i).getOutputList().stream().noneMatch(used::contains)) {
                    g.removeNode(i);
                    changed = true;
                }
            }
        }
        return g;
    }

    /** Values of an initializer or a {@code Constant} node's output (empty for anything computed). */
    static Optional<double[]> constantValues(String name, Map<String, Onnx.TensorProto> initializers, Map<String, Onnx.NodeProto> producers) {
        if (name == null || name.isEmpty()) return Optional.empty();
        Onnx.TensorProto t = initializers.get(name);
        if (t == null) {
            Onnx.NodeProto p = producers.get(name);
            if (p == null || !p.getOpType().equals("Constant")) return Optional.empty();
            for (Onnx.AttributeProto a : p.getAttributeList()) if (a.getName().equals("value")) t = a.getT();
            if (t == null) return Optional.empty();
        }
        double[] v = values(t);
        return v.length == 0 ? Optional.empty() : Optional.of(v);
    }

    /** The values of a float, double, int32 or int64 tensor (raw or typed data), as doubles. */
    static double[] values(Onnx.TensorProto t) {
        int type = t.getDataType();
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            return switch (type) {
                case Onnx.TensorProto.DataType.FLOAT_VALUE -> { double[] v = new double[b.remaining() / 4]; for (int i = 0; i < v.length; i++) v[i] = b.getFloat(); yield v; }
                case Onnx.TensorProto.DataType.DOUBLE_VALUE -> { double[] v = new double[b.remaining() / 8]; for (int i = 0; i < v.length; i++) v[i] = b.getDouble(); yield v; }
                case Onnx.TensorProto.DataType.INT64_VALUE -> { double[] v = new double[b.remaining() / 8]; for (int i = 0; i < v.length; i++) v[i] = b.getLong(); yield v; }
                case Onnx.TensorProto.DataType.INT32_VALUE -> { double[] v = new double[b.remaining() / 4]; for (int i = 0; i < v.length; i++) v[i] = b.getInt(); yield v; }
                default -> throw new OnnxImportException("tensor '" + t.getName() + "': data type " + type + " is not supported here");
            };
        }
        if (t.getFloatDataCount() > 0) { double[] v = new double[t.getFloatDataCount()]; for (int i = 0; i < v.length; i++) v[i] = t.getFloatData(i); return v; }
        if (t.getDoubleDataCount() > 0) { double[] v = new double[t.getDoubleDataCount()]; for (int i = 0; i < v.length; i++) v[i] = t.getDoubleData(i); return v; }
        if (t.getInt64DataCount() > 0) { double[] v = new double[t.getInt64DataCount()]; for (int i = 0; i < v.length; i++) v[i] = t.getInt64Data(i); return v; }
        if (t.getInt32DataCount() > 0) { double[] v = new double[t.getInt32DataCount()]; for (int i = 0; i < v.length; i++) v[i] = t.getInt32Data(i); return v; }
        return new double[0];
    }

    private static Onnx.TensorProto scaled(Onnx.TensorProto c, String name, double factor) {
        double[] v = values(c);
        for (int i = 0; i < v.length; i++) v[i] *= factor;
        return floats(name, c.getDataType(), c.getDimsList().stream().mapToLong(Long::longValue).toArray(), v);
    }

    /** A float32 or float64 tensor ({@code type}) of the given dimensions and values. */
    private static Onnx.TensorProto floats(String name, int type, long[] dims, double[] values) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(type);
        for (long d : dims) t.addDims(d);
        for (double v : values) {
            if (type == Onnx.TensorProto.DataType.DOUBLE_VALUE) t.addDoubleData(v);
            else t.addFloatData((float) v);
        }
        return t.build();
    }

    /** Renames every value whose name contains {@code ':'}, consistently in inputs, outputs, initializers and nodes. */
    private static Onnx.GraphProto sanitizeNames(Onnx.GraphProto g, Map<String, String> renamed) {
        Set<String> all = new HashSet<>();
        for (Onnx.TensorProto t : g.getInitializerList()) all.add(t.getName());
        for (Onnx.ValueInfoProto v : g.getInputList()) all.add(v.getName());
        for (Onnx.ValueInfoProto v : g.getOutputList()) all.add(v.getName());
        for (Onnx.NodeProto n : g.getNodeList()) {
            all.addAll(n.getInputList());
            all.addAll(n.getOutputList());
        }
        for (String name : all) {
            if (!name.contains(":")) continue;
            String candidate = name.replace(':', '_');
            while (all.contains(candidate) || renamed.containsValue(candidate)) candidate = candidate + "_";
            renamed.put(name, candidate);
        }
        if (renamed.isEmpty()) return g;
        Onnx.GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < b.getInitializerCount(); i++) b.setInitializer(i, b.getInitializer(i).toBuilder().setName(rename(b.getInitializer(i).getName(), renamed)));
        for (int i = 0; i < b.getInputCount(); i++) b.setInput(i, b.getInput(i).toBuilder().setName(rename(b.getInput(i).getName(), renamed)));
        for (int i = 0; i < b.getOutputCount(); i++) b.setOutput(i, b.getOutput(i).toBuilder().setName(rename(b.getOutput(i).getName(), renamed)));
        for (int i = 0; i < b.getValueInfoCount(); i++) b.setValueInfo(i, b.getValueInfo(i).toBuilder().setName(rename(b.getValueInfo(i).getName(), renamed)));
        for (int i = 0; i < b.getNodeCount(); i++) {
            Onnx.NodeProto.Builder n = b.getNode(i).toBuilder();
            for (int k = 0; k < n.getInputCount(); k++) n.setInput(k, rename(n.getInput(k), renamed));
            for (int k = 0; k < n.getOutputCount(); k++) n.setOutput(k, rename(n.getOutput(k), renamed));
            b.setNode(i, n);
        }
        return b.build();
    }

    /** The graph computing in float64: float32 tensors, value types, Constant values and Cast targets widened. */
    private static Onnx.GraphProto widened(Onnx.GraphProto g) {
        Onnx.GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < b.getInitializerCount(); i++) b.setInitializer(i, widened(b.getInitializer(i)));
        for (int i = 0; i < b.getInputCount(); i++) b.setInput(i, widened(b.getInput(i)));
        for (int i = 0; i < b.getOutputCount(); i++) b.setOutput(i, widened(b.getOutput(i)));
        for (int i = 0; i < b.getValueInfoCount(); i++) b.setValueInfo(i, widened(b.getValueInfo(i)));
        for (int i = 0; i < b.getNodeCount(); i++) {
            Onnx.NodeProto.Builder n = b.getNode(i).toBuilder();
            for (int k = 0; k < n.getAttributeCount(); k++) {
                Onnx.AttributeProto a = n.getAttribute(k);
                if (a.hasT()) n.setAttribute(k, a.toBuilder().setT(widened(a.getT())));
                if (n.getOpType().equals("Cast") && a.getName().equals("to") && a.getI() == Onnx.TensorProto.DataType.FLOAT_VALUE)
                    n.setAttribute(k, a.toBuilder().setI(Onnx.TensorProto.DataType.DOUBLE_VALUE));
            }
            b.setNode(i, n);
        }
        return b.build();
    }

    private static Onnx.TensorProto widened(Onnx.TensorProto t) {
        if (t.getDataType() != Onnx.TensorProto.DataType.FLOAT_VALUE) return t;
        Onnx.TensorProto.Builder w = t.toBuilder().clearRawData().clearFloatData().setDataType(Onnx.TensorProto.DataType.DOUBLE_VALUE);
        for (double v : values(t)) w.addDoubleData(v);
        return w.build();
    }

    private static Onnx.ValueInfoProto widened(Onnx.ValueInfoProto v) {
        if (!v.getType().hasTensorType() || v.getType().getTensorType().getElemType() != Onnx.TensorProto.DataType.FLOAT_VALUE) return v;
        Onnx.ValueInfoProto.Builder b = v.toBuilder();
        b.getTypeBuilder().getTensorTypeBuilder().setElemType(Onnx.TensorProto.DataType.DOUBLE_VALUE);
        return b.build();
    }

    private static String rename(String name, Map<String, String> renamed) { return renamed.getOrDefault(name, name); }

    private static Onnx.AttributeProto ints(String name, long... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    private static double floatAttribute(Onnx.NodeProto n, String name, double fallback) {
        for (Onnx.AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a.getF();
        return fallback;
    }

    private static String stringAttribute(Onnx.NodeProto n, String name, String fallback) {
        for (Onnx.AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a.getS().toStringUtf8();
        return fallback;
    }
}
