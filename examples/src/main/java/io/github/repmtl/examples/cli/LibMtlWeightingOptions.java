package io.github.repmtl.examples.cli;

import io.github.repmtl.samediff.strategy.Strategies;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LibMTL's per-method flags ({@code LibMTL/config.py}) as a picocli mixin: each one is the strategy option of
 * the same meaning ({@code --calpha 0.4} is {@code --strategy-option c=0.4} with {@code --strategy cagrad}). A flag
 * given for a strategy other than its own is an error rather than silently ignored.
 */
final class LibMtlWeightingOptions {
    /** One LibMTL flag: its name, the strategy it belongs to and that strategy's option. */
    record Alias(String flag, String strategy, String option) {}

    /** The flags in the order of LibMTL's {@code config.py}. */
    static final List<Alias> ALIASES = List.of(
            new Alias("--T", "dwa", "temperature"),
            new Alias("--mgda_gn", "mgda", "normalization"),
            new Alias("--beta", "gradvac", "beta"),
            new Alias("--alpha", "gradnorm", "alpha"),
            new Alias("--leak", "graddrop", "leak"),
            new Alias("--calpha", "cagrad", "c"),
            new Alias("--rescale", "cagrad", "rescale"),
            new Alias("--update_weights_every", "nash-mtl", "updateWeightsEvery"),
            new Alias("--optim_niter", "nash-mtl", "maxIterations"),
            new Alias("--max_norm", "nash-mtl", "maxNorm"));

    @Option(names = "--T", paramLabel = "T", description = "LibMTL: DWA temperature (= --strategy-option temperature=T).") String dwaTemperature;
    @Option(names = "--mgda_gn", paramLabel = "NORM", description = "LibMTL: MGDA gradient normalisation none|l2|loss|loss+.") String mgdaNormalization;
    @Option(names = "--beta", paramLabel = "B", description = "LibMTL: GradVac beta.") String gradVacBeta;
    @Option(names = "--alpha", paramLabel = "A", description = "LibMTL: GradNorm alpha.") String gradNormAlpha;
    @Option(names = "--leak", paramLabel = "L", description = "LibMTL: GradDrop leak.") String gradDropLeak;
    @Option(names = "--calpha", paramLabel = "C", description = "LibMTL: CAGrad c.") String caGradC;
    @Option(names = "--rescale", paramLabel = "R", description = "LibMTL: CAGrad rescale 0|1|2.") String caGradRescale;
    @Option(names = "--update_weights_every", paramLabel = "N", description = "LibMTL: Nash-MTL weight update interval.") String nashUpdateEvery;
    @Option(names = "--optim_niter", paramLabel = "N", description = "LibMTL: Nash-MTL iterations.") String nashIterations;
    @Option(names = "--max_norm", paramLabel = "X", description = "LibMTL: Nash-MTL direction norm limit.") String nashMaxNorm;

    private List<String> values() {
        return java.util.Arrays.asList(dwaTemperature, mgdaNormalization, gradVacBeta, gradNormAlpha, gradDropLeak, caGradC, caGradRescale,
                nashUpdateEvery, nashIterations, nashMaxNorm);
    }

    /**
     * The strategy options these flags set for {@code strategy}; a flag that belongs to another strategy raises an
     * exception naming both.
     */
    Map<String, String> options(String strategy) {
        String canonical = Strategies.descriptor(strategy).name();
        Map<String, String> out = new LinkedHashMap<>();
        List<String> values = values();
        for (int i = 0; i < ALIASES.size(); i++) {
            String value = values.get(i);
            if (value == null) continue;
            Alias a = ALIASES.get(i);
            if (!a.strategy().equals(canonical))
                throw new IllegalArgumentException(a.flag() + " is an option of strategy " + a.strategy() + ", but the strategy is " + canonical);
            out.put(a.option(), value);
        }
        return out;
    }
}
