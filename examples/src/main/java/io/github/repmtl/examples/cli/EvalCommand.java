package io.github.repmtl.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.metrics.DeltaP;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code repmtl eval}: the metrics of every task of a saved model ({@link MultiTaskModelFiles}) on one split of
 * a benchmark, and its Delta-p against the baselines. The data flags must describe the data the model was trained
 * with (same seed and sizes give the same splits); the image size defaults to the model's input size.
 */
@Command(mixinStandardHelpOptions = true, name = "eval", sortOptions = false, description = "Metrics and Delta-p of a saved model on a benchmark split.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = {"--model-dir", "--load_path"}, required = true, paramLabel = "DIR", description = "A saved model folder (model.fb + model.json), e.g. <train --out>/model.")
    Path modelDir;

    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT", description = "val or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Mixin DataOptions data;

    @Option(names = "--baselines", paramLabel = "bundled|FILE", description = "Delta-p reference (default: bundled where shipped, else no Delta-p).")
    String baselines;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the metrics and Delta-p as JSON.")
    Path json;

    @Override
    public Integer call() {
        Split s = split(split);
        Benchmark benchmark = Benchmark.of(data.benchmark);
        Baselines reference = BaselineChoice.forSavedModel(baselines, benchmark, "eval").orElse(null);
        MultiTaskModel model = MultiTaskModelFiles.load(modelDir);
        if (data.imageSize == null && benchmark != Benchmark.MULTIFASHION && benchmark != Benchmark.MULTIMNIST) {
            long[] shape = model.sameDiff().getVariable(model.inputs().get(0)).getShape();
            if (shape != null && shape.length == 4 && shape[2] > 0 && shape[3] > 0) data.imageSize = shape[2] + "x" + shape[3];
        }
        BenchmarkData dataset = BenchmarkData.open(data);
        Map<String, TaskResult> results = dataset.evaluate(model, s, data.evaluationBatchSize());
        DeltaP deltaP = reference == null ? null : DeltaP.compute(results.values(), reference);
        System.out.println("eval " + modelDir + " on " + dataset.description() + ", split " + BenchmarkData.splitName(s) + " (" + dataset.size(s)
                + " samples" + (benchmark.multiInput() ? " in the smallest domain" : "") + "), Delta-p vs "
                + (reference == null ? "nothing (no bundled baselines; give --baselines FILE)" : reference.name()));
        System.out.print(table(BenchmarkData.splitName(s), results, deltaP));
        if (json != null) writeJson(results, deltaP, reference);
        return 0;
    }

    static Split split(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "val", "validation" -> Split.VALIDATION;
            case "test" -> Split.TEST;
            case "train" -> Split.TRAIN;
            default -> throw new IllegalArgumentException("unknown split '" + name + "'; valid: val, test, train");
        };
    }

    /** A metrics table: one line per task and metric, then Delta-p when given. */
    static String table(String title, Map<String, TaskResult> results, DeltaP deltaP) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s%n  %-14s %-13s %12s%n", title, "task", "metric", "value"));
        results.forEach((task, r) -> r.values().forEach((metric, v) -> sb.append(String.format(Locale.ROOT, "  %-14s %-13s %12.4f%n", task, metric, v))));
        if (deltaP != null) {
            sb.append(String.format(Locale.ROOT, "  Delta-p: %+.2f %% (task-averaged), %+.2f %% (metric-averaged); per task", deltaP.taskAveraged(), deltaP.metricAveraged()));
            deltaP.perTask().forEach((t, v) -> sb.append(String.format(Locale.ROOT, " %s %+.2f", t, v)));
            sb.append(String.format("%n"));
        }
        return sb.toString();
    }

    private void writeJson(Map<String, TaskResult> results, DeltaP deltaP, Baselines reference) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("modelDir", modelDir.toString());
        root.put("benchmark", Benchmark.of(data.benchmark).cliName());
        root.put("split", BenchmarkData.splitName(split(split)));
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        results.forEach((t, r) -> metrics.put(t, r.values()));
        root.put("metrics", metrics);
        if (deltaP != null) {
            root.put("baselines", reference.name());
            root.put("deltaP", Map.of("taskAveraged", deltaP.taskAveraged(), "metricAveraged", deltaP.metricAveraged(), "perTask", deltaP.perTask()));
        }
        try {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + json, e);
        }
    }
}
