package io.github.repmtl.onnx;

import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.nn.BatchNorm;
import io.github.repmtl.samediff.nn.BilinearUpsampling;
import io.github.repmtl.samediff.nn.Dropout;
import io.github.repmtl.samediff.nn.LayerContext;
import io.github.repmtl.samediff.saliency.ShapeProbe;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the graph ND4J's importer returns into one the trainer and Rep-MTL can use:
 * <ol>
 *   <li>a FlatBuffers round trip drops the consumer names of ops the importer removed (they make graph walks and
 *       SameDiff's own {@code calculateGradients} fail) and its eager-mode state;</li>
 *   <li>each bilinear Resize marker ({@link OnnxModelRewriter}) becomes the project's {@link BilinearUpsampling};</li>
 *   <li>each cut Dropout becomes the project's {@link Dropout}, switched by the training flag;</li>
 *   <li>each native {@code batchnorm} op becomes the project's forward-op {@link BatchNorm} with the same scale,
 *       shift, running statistics and epsilon, switched by a training flag (batch statistics when training, running
 *       statistics otherwise, PyTorch's running-average update): SameDiff M2.1 cannot differentiate the native op;</li>
 *   <li>the ONNX initializers that are parameters (floating point, not running statistics) become trainable
 *       variables under their ONNX names (the importer makes them constants);</li>
 *   <li>whatever none of the kept variables depends on is dropped, the ops are put in topological order again (the
 *       replacements were appended after their consumers), and the graph is copied once more.</li>
 * </ol>
 */
final class ImportedGraphRepair {
    /** The repaired graph, its training flag (null without batch norm) and the running statistics to update. */
    record Result(SameDiff sameDiff, String trainingFlag, List<StatisticUpdate> statisticUpdates, List<String> parameters) {}

    private ImportedGraphRepair() {}

    static Result repair(SameDiff imported, OnnxModelRewriter.Result rewritten, Set<String> keep, DataType dataType) {
        SameDiff sd = GraphSurgery.roundTrip(withoutStaleConsumers(imported));
        LayerContext ctx = LayerContext.create(sd, dataType, 0);
        Map<String, String> renames = new LinkedHashMap<>();
        requireRank4(sd, rewritten.globalPoolInputs());
        replaceResizes(sd, ctx, rewritten.resizes());
        for (OnnxModelRewriter.DropoutCut cut : rewritten.dropouts()) {
            Dropout dropout = Dropout.switched(cut.rate());
            GraphSurgery.replace(sd, cut.output(), g -> dropout.apply(ctx, cut.output() + "/dropout", g.getVariable(cut.input())));
        }
        replaceBatchNorms(sd, ctx, rewritten.batchNormMomenta(), renames);

        List<String> keepAll = new ArrayList<>(keep);
        for (StatisticUpdate u : ctx.statisticUpdates()) keepAll.add(u.batchValue());
        GraphSurgery.keepOnly(sd, keepAll);
        GraphSurgery.sortOps(sd);
        renames.forEach(sd::renameVariable);
        List<StatisticUpdate> updates = new ArrayList<>();
        for (StatisticUpdate u : ctx.statisticUpdates())
            updates.add(new StatisticUpdate(renames.getOrDefault(u.variable(), u.variable()), u.batchValue(), u.momentum()));

        List<SDVariable> parameters = new ArrayList<>();
        Set<String> runningStatistics = new java.util.HashSet<>();
        for (StatisticUpdate u : updates) runningStatistics.add(u.variable());
        for (String name : rewritten.initializers()) {
            SDVariable v = sd.getVariable(name);
            if (v == null || runningStatistics.contains(name) || v.getVariableType() != VariableType.CONSTANT || !v.dataType().isFPType()) continue;
            if (v.getArr().rank() == 0) continue;
            parameters.add(v);
        }
        if (!parameters.isEmpty()) sd.convertToVariables(parameters);
        SameDiff clean = GraphSurgery.roundTrip(sd);
        String flag = ctx.hasTrainingFlag() ? LayerContext.TRAINING_FLAG : null;
        return new Result(clean, flag, List.copyOf(updates), parameters.stream().map(SDVariable::name).toList());
    }

    private static SameDiff withoutStaleConsumers(SameDiff sd) {
        GraphSurgery.dropStaleConsumers(sd);
        return sd;
    }

    private static void requireRank4(SameDiff sd, List<String> globalPoolInputs) {
        if (globalPoolInputs.isEmpty()) return;
        ShapeProbe.probe(sd, globalPoolInputs, ShapeProbe.PROBE_BATCH, Map.of()).forEach((name, shape) -> {
            if (shape.length != 4) throw new OnnxImportException("global pooling of '" + name + "': rank " + shape.length + " input (NCHW rank 4 only)");
        });
    }

    private static void replaceResizes(SameDiff sd, LayerContext ctx, List<OnnxModelRewriter.ResizeCut> cuts) {
        if (cuts.isEmpty()) return;
        Map<String, long[]> shapes = ShapeProbe.probe(sd, cuts.stream().map(OnnxModelRewriter.ResizeCut::input).toList(), ShapeProbe.PROBE_BATCH, Map.of());
        for (OnnxModelRewriter.ResizeCut cut : cuts) {
            long[] in = shapes.get(cut.input());
            if (in == null || in.length != 4)
                throw new OnnxImportException("Resize node '" + cut.node() + "': its input '" + cut.input() + "' must be NCHW (rank 4), its shape is " + java.util.Arrays.toString(in));
            long outH = cut.outHeight() > 0 ? cut.outHeight() : (long) (in[2] * cut.scaleHeight());
            long outW = cut.outWidth() > 0 ? cut.outWidth() : (long) (in[3] * cut.scaleWidth());
            BilinearUpsampling up = BilinearUpsampling.of((int) in[1], (int) in[2], (int) in[3], (int) outH, (int) outW, cut.alignCorners());
            GraphSurgery.replace(sd, cut.output(), g -> up.apply(ctx, cut.output() + "/bilinear", g.getVariable(cut.input())));
        }
    }

    private static void replaceBatchNorms(SameDiff sd, LayerContext ctx, Map<String, Double> momenta, Map<String, String> renames) {
        List<SameDiffOp> norms = sd.getOps().values().stream().filter(o -> o.getOp().opName().equals("batchnorm")).toList();
        if (norms.isEmpty()) return;
        Map<String, long[]> shapes = ShapeProbe.probe(sd, norms.stream().map(o -> o.getInputsToOp().get(0)).toList(), ShapeProbe.PROBE_BATCH, Map.of());
        for (SameDiffOp op : norms) {
            DynamicCustomOp bn = (DynamicCustomOp) op.getOp();
            List<String> in = op.getInputsToOp();
            String output = op.getOutputsOfOp().get(0);
            long[] iArgs = bn.iArgs();
            boolean applyGamma = iArgs.length > 0 && iArgs[0] != 0, applyBeta = iArgs.length > 1 && iArgs[1] != 0;
            long[] shape = shapes.get(in.get(0));
            int rank = shape.length;
            long axis = iArgs.length > 2 ? iArgs[2] : rank - 1;
            if (axis < 0) axis += rank;
            if (axis != 1 || (rank != 2 && rank != 4))
                throw new OnnxImportException("batch norm '" + output + "': axis " + axis + " of a rank-" + rank + " input is not supported (channels on axis 1 of NCHW or [B, C])");
            int channels = (int) shape[1];
            double eps = bn.tArgs().length > 0 ? bn.tArgs()[0] : 1e-5;
            int next = 3;
            String gamma = applyGamma ? in.get(next++) : null, beta = applyBeta ? in.get(next) : null;
            BatchNorm.Builder b = BatchNorm.builder(channels).epsilon(eps).momentum(momenta.getOrDefault(output, 0.1))
                    .runningMean(array(sd, in.get(1), output)).runningVar(array(sd, in.get(2), output));
            if (gamma != null) b.gamma(array(sd, gamma, output));
            if (beta != null) b.beta(array(sd, beta, output));
            BatchNorm norm = b.build();
            String layer = output + "/bn";
            GraphSurgery.replace(sd, output, g -> norm.apply(ctx, layer, g.getVariable(in.get(0)), rank));
            renames.put(layer + "/running_mean", in.get(1));
            renames.put(layer + "/running_var", in.get(2));
            if (gamma != null) renames.put(layer + "/gamma", gamma);
            if (beta != null) renames.put(layer + "/beta", beta);
        }
    }

    private static INDArray array(SameDiff sd, String name, String where) {
        SDVariable v = sd.getVariable(name);
        if (v == null || v.getVariableType() == VariableType.ARRAY || v.getArr() == null)
            throw new OnnxImportException("batch norm '" + where + "': '" + name + "' must be an initializer (a constant), it is computed in the graph");
        return v.getArr().dup();
    }
}
