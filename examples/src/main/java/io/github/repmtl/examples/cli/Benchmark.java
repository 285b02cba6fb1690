package io.github.repmtl.examples.cli;

import io.github.repmtl.samediff.metrics.Baselines;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The benchmarks the command line trains and evaluates: their command-line names (LibMTL's spellings), the zoo
 * models that fit them (the first is the default), whether each task has its own input, and the bundled
 * single-task baseline of Delta-p, where one ships with the library.
 */
enum Benchmark {
    MULTIFASHION("multifashion", List.of("lenet"), false, false, null),
    MULTIMNIST("multimnist", List.of("lenet"), false, false, null),
    NYUV2("nyuv2", List.of("deeplab", "segnet"), false, true, Baselines.NYUV2),
    CITYSCAPES("cityscapes", List.of("deeplab", "segnet"), false, true, Baselines.CITYSCAPES),
    OFFICE_31("office-31", List.of("resnet18", "resnet50"), true, false, Baselines.OFFICE_31),
    OFFICE_HOME("office-home", List.of("resnet18", "resnet50"), true, false, Baselines.OFFICE_HOME);

    private final String cliName;
    private final List<String> models;
    private final boolean multiInput;
    private final boolean dense;
    private final String bundledBaseline;

    Benchmark(String cliName, List<String> models, boolean multiInput, boolean dense, String bundledBaseline) {
        this.cliName = cliName;
        this.models = models;
        this.multiInput = multiInput;
        this.dense = dense;
        this.bundledBaseline = bundledBaseline;
    }

    /** The benchmark of a command-line name (case-insensitive; {@code _} reads as {@code -}, so {@code office_31} works). */
    static Benchmark of(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Benchmark b : values()) if (b.cliName.equals(key) || b.cliName.replace("-", "").equals(key)) return b;
        throw new IllegalArgumentException("unknown benchmark '" + name + "'; valid: " + names());
    }

    static List<String> names() { return Arrays.stream(values()).map(Benchmark::cliName).toList(); }

    String cliName() { return cliName; }

    /** Zoo models for this benchmark; the first is the default. */
    List<String> models() { return models; }

    String defaultModel() { return models.get(0); }

    /** The model to use: {@code requested} checked against {@link #models()}, or the default when null. */
    String model(String requested) {
        if (requested == null) return defaultModel();
        String key = requested.trim().toLowerCase(Locale.ROOT);
        if (!models.contains(key)) throw new IllegalArgumentException("model '" + requested + "' does not fit benchmark " + cliName + "; valid: " + models);
        return key;
    }

    /** One input per task (the Office benchmarks, as in LibMTL). */
    boolean multiInput() { return multiInput; }

    /** Per-pixel tasks (NYUv2, Cityscapes). */
    boolean dense() { return dense; }

    /** The name for {@link Baselines#bundled(String)}, if the library ships this benchmark's single-task results. */
    Optional<String> bundledBaseline() { return Optional.ofNullable(bundledBaseline); }

    @Override
    public String toString() { return cliName; }
}
