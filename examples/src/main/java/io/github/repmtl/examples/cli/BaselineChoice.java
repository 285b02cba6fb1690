package io.github.repmtl.examples.cli;

import io.github.repmtl.samediff.metrics.Baselines;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code --baselines} flag: {@code bundled} (the paper's single-task results shipped for nyuv2, cityscapes,
 * office-31 and office-home), {@code first-epoch} (LibMTL's default: Delta-p against the run's own first
 * evaluation) or the path of a baseline JSON file (format of {@link Baselines}).
 */
final class BaselineChoice {
    static final String BUNDLED = "bundled";
    static final String FIRST_EPOCH = "first-epoch";

    private BaselineChoice() {}

    /**
     * The baselines of a training run; empty means the first evaluation. Without a flag: bundled where the
     * benchmark has them, else the first evaluation.
     */
    static Optional<Baselines> forTraining(String flag, Benchmark benchmark) {
        if (flag == null) return benchmark.bundledBaseline().map(Baselines::bundled);
        if (flag.equalsIgnoreCase(FIRST_EPOCH)) return Optional.empty();
        return Optional.of(resolve(flag, benchmark));
    }

    /** The baselines of an evaluation or a search; empty (no Delta-p) only when no flag is given and none are bundled. */
    static Optional<Baselines> forSavedModel(String flag, Benchmark benchmark, String command) {
        if (flag == null) return benchmark.bundledBaseline().map(Baselines::bundled);
        if (flag.equalsIgnoreCase(FIRST_EPOCH))
            throw new IllegalArgumentException("--baselines first-epoch needs a training run; " + command + " takes 'bundled' or a baseline FILE");
        return Optional.of(resolve(flag, benchmark));
    }

    private static Baselines resolve(String flag, Benchmark benchmark) {
        if (flag.equalsIgnoreCase(BUNDLED)) {
            String name = benchmark.bundledBaseline().orElseThrow(() -> new IllegalArgumentException(
                    "no bundled baselines for " + benchmark + " (bundled: " + Baselines.bundledNames() + "); use first-epoch or a baseline FILE"));
            return Baselines.bundled(name);
        }
        return Baselines.load(Path.of(flag));
    }
}
