package io.github.repmtl.onnx;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskHeads;
import io.github.repmtl.samediff.model.TaskKind;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.saliency.GraphPaths;
import io.github.repmtl.samediff.saliency.ShapeProbe;
import io.github.repmtl.samediff.saliency.UnsupportedHeadOpException;
import io.github.repmtl.samediff.saliency.VjpRules;
import io.github.repmtl.samediff.util.QuietConsole;
import onnx.Onnx;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A hard-parameter-sharing multi-task model from an ONNX file (for example exported from PyTorch with
 * {@code torch.onnx.export(..., output_names=["Z", "logits_a", ...])}), ready for the trainer, Rep-MTL and every
 * strategy:
 * <pre>{@code
 * MultiTaskModel model = ImportedModel.fromOnnx(Path.of("hps.onnx"))
 *         .sharedActivation("Z")
 *         .task(TaskSpec.classification("a", 10), "logits_a")
 *         .task(TaskSpec.classification("b", 10), "logits_b")
 *         .forwardCheck(ForwardCheck.fromNpyFiles(Path.of("hps.onnx")))
 *         .build();
 * }</pre>
 * The model is imported with ND4J's importer around its faults ({@link OnnxModelRewriter}), repaired for training
 * ({@link ImportedGraphRepair}: parameters become variables, batch norm follows a training flag), and each task gets
 * the project's output, label placeholder and loss for its kind ({@link TaskHeads}). Every op between the shared
 * activation and a task output must have an exact input-gradient rule ({@link VjpRules}); one that has none is
 * reported with its ONNX node.
 */
public final class ImportedModel {
    private ImportedModel() {}

    /** Starts an import of {@code onnxFile}. */
    public static Builder fromOnnx(Path onnxFile) { return new Builder(onnxFile); }

    /** Configures an import; {@link #build()} does it. */
    public static final class Builder {
        private final Path file;
        private String shared;
        private final Map<TaskSpec, String> tasks = new LinkedHashMap<>();
        private DataType dataType;
        private ForwardCheck forwardCheck;

        private Builder(Path file) { this.file = Objects.requireNonNull(file, "onnxFile"); }

        /** The ONNX value all task heads read (the shared representation Z); export it as a graph output. */
        public Builder sharedActivation(String name) {
            this.shared = Objects.requireNonNull(name, "shared activation");
            return this;
        }

        /** A task whose prediction is the ONNX value {@code output}: logits {@code [B, K]} or dense {@code [B, K, H, W]}. */
        public Builder task(TaskSpec spec, String output) {
            Objects.requireNonNull(spec, "task");
            Objects.requireNonNull(output, "output");
            if (tasks.keySet().stream().anyMatch(t -> t.name().equals(spec.name()))) throw new IllegalArgumentException("task '" + spec.name() + "' declared twice");
            tasks.put(spec, output);
            return this;
        }

        /** Floating-point type the imported graph computes in: FLOAT (default) or DOUBLE (float32 weights widened exactly). */
        public Builder dataType(DataType dataType) {
            if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) throw new IllegalArgumentException("data type must be FLOAT or DOUBLE, got " + dataType);
            this.dataType = dataType;
            return this;
        }

        /** Rejects the import when the imported graph's outputs differ from these reference outputs. */
        public Builder forwardCheck(ForwardCheck check) {
            this.forwardCheck = Objects.requireNonNull(check, "forwardCheck");
            return this;
        }

        /** Imports, repairs, checks and wraps the graph. */
        public MultiTaskModel build() {
            if (shared == null) throw new IllegalStateException("sharedActivation(...) is required");
            if (tasks.isEmpty()) throw new IllegalStateException("at least one task(...) is required");
            if (!Files.isRegularFile(file)) throw new OnnxImportException("ONNX file not found: " + file);
            Onnx.ModelProto proto;
            try {
                proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new OnnxImportException("cannot read ONNX model " + file + ": " + e.getMessage(), e);
            }
            if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0) throw new OnnxImportException(file + " is not an ONNX model (no graph nodes)");
            DataType dt = dataType != null ? dataType : DataType.FLOAT;
            OnnxModelRewriter.Result rewritten = OnnxModelRewriter.rewrite(proto, dt == DataType.DOUBLE
                    ? Onnx.TensorProto.DataType.DOUBLE_VALUE : Onnx.TensorProto.DataType.FLOAT_VALUE);
            Map<String, String> renamed = rewritten.renamed();
            Onnx.GraphProto graph = rewritten.model().getGraph();
            List<String> inputs = graphInputs(graph);
            if (inputs.size() != 1) throw new OnnxImportException(file + ": exactly one graph input is supported, the model has " + inputs);
            String input = inputs.get(0);
            String sharedName = renamed.getOrDefault(shared, shared);
            Map<String, String> nodeOfValue = new HashMap<>();
            for (Onnx.NodeProto n : graph.getNodeList()) for (String o : n.getOutputList()) nodeOfValue.put(o, n.getName().isEmpty() ? n.getOpType() : n.getName());
            requireValue(graph, nodeOfValue, sharedName, "shared activation");
            Map<TaskSpec, String> outputs = new LinkedHashMap<>();
            tasks.forEach((t, o) -> {
                String name = renamed.getOrDefault(o, o);
                requireValue(graph, nodeOfValue, name, "output of task '" + t.name() + "'");
                outputs.put(t, name);
            });

            SameDiff imported = importGraph(rewritten.model());
            Set<String> keep = new HashSet<>(outputs.values());
            keep.add(sharedName);
            ImportedGraphRepair.Result repaired = ImportedGraphRepair.repair(imported, rewritten, keep, dt);
            SameDiff sd = repaired.sameDiff();
            if (forwardCheck != null) forwardCheck.verify(sd, repaired.trainingFlag(), dt, renamed);
            Map<TaskSpec, Set<String>> heads = new LinkedHashMap<>();
            for (Map.Entry<TaskSpec, String> e : outputs.entrySet()) heads.put(e.getKey(), head(sd, sharedName, e.getKey(), e.getValue()));
            Map<String, long[]> shapes = ShapeProbe.probe(sd, outputs.values(), ShapeProbe.PROBE_BATCH, Map.of());
            for (Map.Entry<TaskSpec, String> e : outputs.entrySet()) requireShape(e.getKey(), e.getValue(), shapes.get(e.getValue()));
            heads.forEach((t, between) -> requireDifferentiableHead(sd, sharedName, t, outputs.get(t), between, nodeOfValue));

            MultiTaskModel.Builder model = MultiTaskModel.builder(sd);
            for (Map.Entry<TaskSpec, String> e : outputs.entrySet()) {
                TaskSpec t = e.getKey();
                long[] shape = shapes.get(e.getValue());
                TaskHeads.attach(sd, t, sd.getVariable(e.getValue()), shape.length == 4 ? shape[2] : 0, shape.length == 4 ? shape[3] : 0);
                model.task(t, input, sharedName, TaskHeads.output(t.name()), TaskHeads.label(t.name()), TaskHeads.loss(t.name()));
            }
            if (repaired.trainingFlag() != null) model.trainingFlag(repaired.trainingFlag());
            for (StatisticUpdate u : repaired.statisticUpdates()) model.statisticUpdate(u);
            return model.build();
        }

        private SameDiff importGraph(Onnx.ModelProto model) {
            Path tmp = null;
            try {
                tmp = Files.createTempFile("repmtl-import-", ".onnx");
                Files.write(tmp, model.toByteArray());
                String path = tmp.toString();
                return QuietConsole.call(() -> new OnnxFrameworkImporter().runImport(path, Map.of(), false));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the rewritten model: " + e.getMessage(), e);
            } catch (OnnxImportException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new OnnxImportException("ND4J's ONNX importer failed on " + file + ": " + e, e);
            } finally {
                if (tmp != null) tmp.toFile().delete();
            }
        }

        private void requireValue(Onnx.GraphProto graph, Map<String, String> nodeOfValue, String name, String what) {
            Set<String> values = new HashSet<>(nodeOfValue.keySet());
            for (Onnx.ValueInfoProto v : graph.getInputList()) values.add(v.getName());
            if (values.contains(name)) return;
            List<String> close = values.stream().sorted(Comparator.comparingInt((String v) -> editDistance(v, name)).thenComparing(v -> v)).limit(5).toList();
            throw new OnnxImportException(what + " '" + name + "' is not a value of " + file.getFileName() + "; closest names: " + close
                    + " (export it as a graph output, e.g. output_names=[\"" + name + "\", ...] in torch.onnx.export)");
        }

        private static void requireShape(TaskSpec t, String output, long[] shape) {
            boolean dense = t.kind() != TaskKind.CLASSIFICATION;
            if (!dense && shape.length != 2 || dense && shape.length != 4 || shape[1] != t.outputs())
                throw new OnnxImportException("task '" + t.name() + "' (" + t.kind() + ", " + t.outputs() + " outputs): its output '" + output
                        + "' has shape " + java.util.Arrays.toString(shape) + " (batch " + ShapeProbe.PROBE_BATCH + "), expected "
                        + (dense ? "[B, " + t.outputs() + ", H, W]" : "[B, " + t.outputs() + "]"));
        }

        /** The variables between the shared activation and a task's output (the head). */
        private static Set<String> head(SameDiff sd, String sharedName, TaskSpec t, String output) {
            try {
                return GraphPaths.between(sd, sharedName, output);
            } catch (IllegalArgumentException e) {
                throw new OnnxImportException("output '" + output + "' of task '" + t.name() + "' does not depend on the shared activation '" + sharedName + "'");
            }
        }

        /** Every op between the shared activation and the task output must have an exact input-gradient rule. */
        private static void requireDifferentiableHead(SameDiff sd, String sharedName, TaskSpec t, String output, Set<String> between, Map<String, String> nodeOfValue) {
            for (String v : between) {
                if (v.equals(sharedName) || !sd.getVariable(v).dataType().isFPType()) continue;      // shape arithmetic needs no rule
                String opName = sd.getVariables().get(v).getOutputOfOp();
                if (opName == null) continue;
                SameDiffOp op = sd.getOps().get(opName);
                String type = op.getOp().opName();
                // as the input-gradient builder: an op that sees Z only through integers (shapes) has no gradient to pass
                boolean floatPath = op.getInputsToOp() != null && op.getInputsToOp().stream()
                        .anyMatch(in -> between.contains(in) && sd.getVariable(in).dataType().isFPType());
                if (floatPath && !VjpRules.supports(type))
                    throw new UnsupportedHeadOpException(type, "op '" + type + "' (" + opName + ", from ONNX node '" + onnxNode(sd, v, nodeOfValue)
                            + "') lies between the shared activation '" + sharedName + "' and the output '" + output + "' of task '" + t.name()
                            + "' and has no exact input-gradient rule. Supported ops: " + VjpRules.supportedOps());
            }
        }
    }

    /** The ONNX node a SameDiff variable came from: the first value downstream that an ONNX node produced. */
    private static String onnxNode(SameDiff sd, String variable, Map<String, String> nodeOfValue) {
        Deque<String> queue = new ArrayDeque<>(List.of(variable));
        Set<String> seen = new HashSet<>();
        while (!queue.isEmpty()) {
            String v = queue.poll();
            if (!seen.add(v)) continue;
            String base = v.endsWith("/imported") ? v.substring(0, v.length() - 9) : v;
            if (nodeOfValue.containsKey(base)) return nodeOfValue.get(base);
            List<String> consumers = sd.getVariables().get(v).getInputsForOp();
            if (consumers != null) for (String op : consumers) queue.addAll(sd.getOps().get(op).getOutputsOfOp());
        }
        return "unknown";
    }

    private static List<String> graphInputs(Onnx.GraphProto graph) {
        Set<String> init = new HashSet<>();
        for (Onnx.TensorProto t : graph.getInitializerList()) init.add(t.getName());
        List<String> inputs = new ArrayList<>();
        for (Onnx.ValueInfoProto v : graph.getInputList()) if (!init.contains(v.getName())) inputs.add(v.getName());
        return inputs;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++)
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
