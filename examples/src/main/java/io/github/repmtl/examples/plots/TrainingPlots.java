package io.github.repmtl.examples.plots;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PNG charts (XChart) of a training run, read from the logs the trainer writes ({@code epochs.jsonl},
 * {@code steps.csv}): training loss per task, the main metric per task on validation and test, Delta-p over
 * epochs, and task weights over steps.
 */
public final class TrainingPlots {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingPlots() {}

    /** Writes the charts of one or more runs (label -> log directory) into {@code out}; returns the files written. */
    public static List<Path> write(Map<String, Path> runs, Path out) {
        return write(runs, runs.keySet(), out);
    }

    /**
     * As {@link #write(Map, Path)}, with Delta-p drawn only for {@code deltaPRuns} (runs measured against the same
     * baselines; a single-task run's Delta-p is against its own first evaluation and would not compare).
     */
    public static List<Path> write(Map<String, Path> runs, java.util.Collection<String> deltaPRuns, Path out) {
        System.setProperty("java.awt.headless", "true");
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(out);
            XYChart loss = chart("Training loss per task", "epoch", "loss");
            XYChart metric = chart("Main metric per task", "epoch", "metric");
            XYChart delta = chart("Delta-p (task-averaged, %)", "epoch", "Delta-p");
            XYChart weights = chart("Task weights", "step", "weight");
            for (Map.Entry<String, Path> run : runs.entrySet()) {
                List<JsonNode> epochs = readJsonLines(run.getValue().resolve("epochs.jsonl"));
                addEpochSeries(loss, run.getKey(), epochs, e -> e.path("trainLoss"), null);
                for (String split : List.of("validation", "test"))
                    addEpochSeries(metric, run.getKey() + " " + split, epochs, e -> e.path(split), "first");
                for (String split : deltaPRuns.contains(run.getKey()) ? List.of("validation", "test") : List.<String>of()) {
                    List<Double> x = new ArrayList<>(), y = new ArrayList<>();
                    for (JsonNode e : epochs) {
                        JsonNode d = e.path(split + "DeltaP");
                        if (d.isMissingNode() || d.isNull()) continue;
                        x.add(e.path("epoch").asDouble());
                        y.add(d.path("task").asDouble());
                    }
                    if (!x.isEmpty()) delta.addSeries(run.getKey() + " " + split, x, y).setMarker(SeriesMarkers.CIRCLE);
                }
                addWeightSeries(weights, run.getKey(), run.getValue().resolve("steps.csv"));
            }
            for (Map.Entry<String, XYChart> c : Map.of("loss.png", loss, "metric.png", metric, "delta_p.png", delta, "task_weights.png", weights).entrySet()) {
                if (c.getValue().getSeriesMap().isEmpty()) continue;
                Path f = out.resolve(c.getKey());
                BitmapEncoder.saveBitmap(c.getValue(), f.toString(), BitmapEncoder.BitmapFormat.PNG);
                files.add(f);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plots into " + out, e);
        }
    }

    static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setMarkerSize(5);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return c;
    }

    /** One series per task: {@code pick(epoch)} gives a task -> value (or task -> {metric: value}) object. */
    private static void addEpochSeries(XYChart chart, String label, List<JsonNode> epochs, java.util.function.Function<JsonNode, JsonNode> pick, String metricChoice) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (JsonNode e : epochs) {
            JsonNode tasks = pick.apply(e);
            if (tasks == null || tasks.isNull() || tasks.isMissingNode()) continue;
            for (Iterator<Map.Entry<String, JsonNode>> it = tasks.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> t = it.next();
                JsonNode v = t.getValue();
                String name = t.getKey();
                if (metricChoice != null) {
                    Map.Entry<String, JsonNode> first = v.fields().next();      // the task's main (first) metric
                    name = name + " " + first.getKey();
                    v = first.getValue();
                }
                series.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[]{e.path("epoch").asDouble(), v.asDouble()});
            }
        }
        series.forEach((name, pts) -> chart.addSeries(label + " " + name, pts.stream().mapToDouble(p -> p[0]).toArray(),
                pts.stream().mapToDouble(p -> p[1]).toArray()).setMarker(SeriesMarkers.CIRCLE));
    }

    private static void addWeightSeries(XYChart chart, String label, Path stepsCsv) throws IOException {
        if (!Files.exists(stepsCsv)) return;
        List<String> lines = Files.readAllLines(stepsCsv, StandardCharsets.UTF_8);
        if (lines.size() < 2) return;
        String[] header = lines.get(0).split(",");
        for (int col = 0; col < header.length; col++) {
            if (!header[col].startsWith("weight_")) continue;
            double[] x = new double[lines.size() - 1], y = new double[lines.size() - 1];
            for (int i = 1; i < lines.size(); i++) {
                String[] cells = lines.get(i).split(",", -1);
                x[i - 1] = Double.parseDouble(cells[1]);
                y[i - 1] = Double.parseDouble(cells[col]);
            }
            chart.addSeries(label + " " + header[col].substring(7), x, y).setMarker(SeriesMarkers.NONE);
        }
    }

    private static List<JsonNode> readJsonLines(Path file) throws IOException {
        if (!Files.exists(file)) throw new IllegalArgumentException("no training log at " + file);
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) if (!l.isBlank()) out.add(JSON.readTree(l));
        return out;
    }
}
