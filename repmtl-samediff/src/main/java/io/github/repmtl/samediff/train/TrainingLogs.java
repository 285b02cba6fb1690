package io.github.repmtl.samediff.train;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the trainer's statistics to {@code steps.jsonl}, {@code steps.csv}, {@code epochs.jsonl} and
 * {@code epochs.csv} in a directory. On resume, lines of epochs after the checkpoint are dropped, so the logs
 * of a resumed run equal those of an uninterrupted one (apart from the memory figures).
 *
 * <p>Each epoch row ends with the process's memory at the epoch's end ({@link MemoryUsage}, no collection forced):
 * {@code heap_after_gc_mb} (Java heap in use after the last GC), {@code physical_mb} (JavaCPP's
 * {@code Pointer.physicalBytes()}: resident memory of the process) and {@code native_total_mb} (JavaCPP's
 * {@code Pointer.totalBytes()}: off-heap arrays); in {@code epochs.jsonl} the same under {@code "memory"}. MB = 10^6 bytes.
 */
public final class TrainingLogs implements TrainingListener {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private List<String> tasks;

    public TrainingLogs(Path dir) { this.dir = dir; }

    public Path stepsJsonl() { return dir.resolve("steps.jsonl"); }
    public Path stepsCsv() { return dir.resolve("steps.csv"); }
    public Path epochsJsonl() { return dir.resolve("epochs.jsonl"); }
    public Path epochsCsv() { return dir.resolve("epochs.csv"); }

    @Override
    public void onTrainingStart(MultiTaskTrainer trainer, int firstEpoch, int epochs, int batchesPerEpoch) {
        tasks = trainer.model().taskNames();
        try {
            Files.createDirectories(dir);
            keepEpochsBefore(stepsJsonl(), firstEpoch, true, null);
            keepEpochsBefore(stepsCsv(), firstEpoch, false, stepsHeader());
            keepEpochsBefore(epochsJsonl(), firstEpoch, true, null);
            keepEpochsBefore(epochsCsv(), firstEpoch, false, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare training logs in " + dir, e);
        }
    }

    private String stepsHeader() {
        StringBuilder sb = new StringBuilder("epoch,step");
        for (String t : tasks) sb.append(",loss_").append(t);
        sb.append(",tsr,csa,objective");
        for (String t : tasks) sb.append(",weight_").append(t);
        return sb.append(",lr,forward_backward_ms,strategy_ms,update_ms").toString();
    }

    @Override
    public void onStep(StepStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", s.epoch());
        m.put("step", s.step());
        m.put("loss", s.taskLosses());
        m.put("tsr", finiteOrNull(s.tsr()));
        m.put("csa", finiteOrNull(s.csa()));
        m.put("objective", s.objective());
        m.put("weights", s.weights());
        m.put("lr", s.learningRate());
        m.put("forwardBackwardMs", s.forwardBackwardMs());
        m.put("strategyMs", s.strategyMs());
        m.put("updateMs", s.updateMs());
        StringBuilder csv = new StringBuilder(s.epoch() + "," + s.step());
        for (String t : tasks) csv.append(',').append(num(s.taskLosses().get(t)));
        csv.append(',').append(num(s.tsr())).append(',').append(num(s.csa())).append(',').append(num(s.objective()));
        for (double w : s.weights()) csv.append(',').append(num(w));
        csv.append(',').append(num(s.learningRate())).append(',').append(num(s.forwardBackwardMs())).append(',')
                .append(num(s.strategyMs())).append(',').append(num(s.updateMs()));
        append(stepsJsonl(), json(m), null);
        append(stepsCsv(), csv.toString(), stepsHeader());
    }

    @Override
    public void onEpochEnd(EpochSummary e) {
        MemoryUsage mem = MemoryUsage.now();
        Map<String, Object> row = EpochLog.toJson(e);
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("heapAfterGcMb", mem.heapAfterGcMb());
        memory.put("physicalMb", mem.physicalMb());
        memory.put("nativeTotalMb", mem.totalMb());
        row.put("memory", memory);
        append(epochsJsonl(), json(row), null);
        List<String> header = new ArrayList<>(List.of("epoch", "seconds"));
        List<String> values = new ArrayList<>(List.of(String.valueOf(e.epoch()), num(e.seconds())));
        e.trainLosses().forEach((t, v) -> { header.add("train_loss_" + t); values.add(num(v)); });
        addResults("val", e.validation(), header, values);
        if (e.validationDeltaP() != null) { header.add("val_delta_p"); values.add(num(e.validationDeltaP().taskAveraged())); }
        addResults("test", e.test(), header, values);
        if (e.testDeltaP() != null) { header.add("test_delta_p"); values.add(num(e.testDeltaP().taskAveraged())); }
        header.addAll(List.of("heap_after_gc_mb", "physical_mb", "native_total_mb"));
        values.addAll(List.of(num(mem.heapAfterGcMb()), num(mem.physicalMb()), num(mem.totalMb())));
        append(epochsCsv(), String.join(",", values), String.join(",", header));
    }

    private static void addResults(String split, Map<String, io.github.repmtl.samediff.metrics.TaskResult> r, List<String> header, List<String> values) {
        if (r == null) return;
        r.forEach((task, res) -> res.values().forEach((metric, v) -> { header.add(split + "_" + task + "_" + metric); values.add(num(v)); }));
    }

    private static Object finiteOrNull(double v) { return Double.isFinite(v) ? v : null; }

    private static String num(double v) { return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : ""; }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void append(Path file, String line, String header) {
        try {
            List<String> lines = new ArrayList<>();
            if (header != null && (!Files.exists(file) || Files.size(file) == 0)) lines.add(header);
            lines.add(line);
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                for (String l : lines) {
                    w.write(l);
                    w.newLine();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Drops lines of epochs >= {@code firstEpoch} (all lines when starting fresh). */
    private static void keepEpochsBefore(Path file, int firstEpoch, boolean json, String header) throws IOException {
        if (!Files.exists(file)) return;
        if (firstEpoch == 0) {
            Files.delete(file);
            return;
        }
        List<String> kept = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (!json && i == 0) {
                kept.add(l);
                continue;
            }
            int epoch = json ? JSON.readTree(l).get("epoch").asInt() : Integer.parseInt(l.substring(0, l.indexOf(',')));
            if (epoch < firstEpoch) kept.add(l);
        }
        Files.write(file, kept, StandardCharsets.UTF_8);
    }
}
