package io.github.repmtl.examples.cli;

import io.github.repmtl.onnx.ForwardCheck;
import io.github.repmtl.onnx.ImportedModel;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --onnx FILE --shared NAME --task TASK=OUTPUT ...}: a model imported from ONNX (for example exported from
 * PyTorch by {@code examples/src/main/python/export_hps_to_onnx.py}) instead of a zoo model. The benchmark's data
 * decides each task's kind and classes; {@code --task} says which ONNX output predicts it.
 */
final class OnnxModelOptions {
    @Option(names = "--onnx", paramLabel = "FILE", description = "Train a model imported from this ONNX file (e.g. exported from PyTorch) instead of a zoo model.")
    Path file;

    @Option(names = "--shared", paramLabel = "NAME", defaultValue = "Z", description = "With --onnx: the ONNX value of the shared representation (default: ${DEFAULT-VALUE}).")
    String shared;

    @Option(names = "--task", paramLabel = "TASK=OUTPUT", description = "With --onnx: the ONNX output that predicts a benchmark task (once per task), e.g. --task left=logits_a.")
    Map<String, String> outputs = new LinkedHashMap<>();

    @Option(names = "--forward-check", paramLabel = "auto|on|off", defaultValue = "auto",
            description = "With --onnx: compare the import with the sample FILE-stem.input.*.npy / .output.*.npy the export wrote (auto: when they exist; default: ${DEFAULT-VALUE}).")
    String forwardCheck;

    boolean isSet() { return file != null; }

    /** A short model name for logs and output folders: {@code onnx-<file stem>}. */
    String modelName() { return "onnx-" + file.getFileName().toString().replaceFirst("\\.onnx$", ""); }

    /** Checks the flags alone (before any data is read). */
    void validate() {
        if (file == null) {
            if (!outputs.isEmpty()) throw new IllegalArgumentException("--task applies to --onnx models only");
            return;
        }
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--onnx " + file + ": no such file");
        if (!List.of("auto", "on", "off").contains(forwardCheck)) throw new IllegalArgumentException("--forward-check must be auto, on or off, got '" + forwardCheck + "'");
        if (outputs.isEmpty()) throw new IllegalArgumentException("--onnx needs --task TASK=OUTPUT for each task of the benchmark");
    }

    /** Imports the model for the benchmark's tasks and input shape. */
    MultiTaskModel create(BenchmarkData data) {
        if (data.benchmark().multiInput())
            throw new IllegalArgumentException("--onnx: " + data.benchmark().cliName() + " gives each task its own input; an imported model has one input");
        List<String> taskNames = data.tasks().stream().map(TaskSpec::name).toList();
        for (String t : outputs.keySet())
            if (!taskNames.contains(t)) throw new IllegalArgumentException("--task " + t + "=...: " + data.benchmark().cliName() + " has no task '" + t + "'; its tasks: " + taskNames);
        for (String t : taskNames)
            if (!outputs.containsKey(t)) throw new IllegalArgumentException("--task " + t + "=OUTPUT is missing: give the ONNX output of each task of " + taskNames);
        ImportedModel.Builder b = ImportedModel.fromOnnx(file).sharedActivation(shared);
        for (TaskSpec t : data.tasks()) b.task(t, outputs.get(t.name()));
        if (forwardCheck.equals("on") || forwardCheck.equals("auto") && ForwardCheck.hasNpyFiles(file)) b.forwardCheck(ForwardCheck.fromNpyFiles(file));
        MultiTaskModel m = b.build();
        String input = m.inputs().get(0);
        long[] shape = m.sameDiff().getVariable(input).placeholderShape();
        long[] want = {data.channels(), data.height(), data.width()};
        if (shape == null || shape.length != 4 || !Arrays.equals(Arrays.copyOfRange(shape, 1, 4), want) && !Arrays.stream(shape).skip(1).allMatch(d -> d < 0))
            throw new IllegalArgumentException("--onnx " + file.getFileName() + ": its input '" + input + "' has shape " + Arrays.toString(shape)
                    + ", the data of " + data.benchmark().cliName() + " is [B, " + want[0] + ", " + want[1] + ", " + want[2] + "]");
        return m;
    }
}
