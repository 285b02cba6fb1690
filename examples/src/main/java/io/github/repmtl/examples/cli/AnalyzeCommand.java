package io.github.repmtl.examples.cli;

import io.github.repmtl.examples.analysis.WeightGroups;
import io.github.repmtl.examples.plots.SpectralDensityPlots;
import io.github.repmtl.samediff.analysis.ConvWeightLayout;
import io.github.repmtl.samediff.analysis.GroupPowerLaw;
import io.github.repmtl.samediff.analysis.LayerPowerLaw;
import io.github.repmtl.samediff.analysis.PowerLawAnalysis;
import io.github.repmtl.samediff.analysis.PowerLawAnalyzer;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code repmtl analyze}: heavy-tailed self-regularisation analysis ({@link PowerLawAnalyzer}) of a saved model's
 * weights: the power-law exponent alpha of every weight matrix and kernel, averaged over the shared backbone and
 * over each task head ({@link WeightGroups}); a table on stdout, {@code powerlaw-layers.csv},
 * {@code powerlaw-groups.csv} and {@code spectral-density.png} (the spectra of a few layers with their fits).
 */
@Command(mixinStandardHelpOptions = true, name = "analyze", sortOptions = false, description = "Power-law (heavy-tail) analysis of a saved model's weights: backbone vs heads.")
final class AnalyzeCommand implements Callable<Integer> {
    static final ConvWeightLayout LAYOUT = ConvWeightLayout.YXIO;

    @Option(names = {"--model-dir", "--load_path"}, required = true, paramLabel = "DIR", description = "A saved model folder (model.fb + model.json).")
    Path modelDir;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: analysis/ next to the model folder).")
    Path out;

    @Option(names = "--plot-layers", defaultValue = "4", paramLabel = "N", description = "Layers in the spectral-density figure (default: ${DEFAULT-VALUE}).")
    int plotLayers;

    @Override
    public Integer call() {
        if (plotLayers < 1) throw new IllegalArgumentException("--plot-layers must be >= 1, got " + plotLayers);
        System.setProperty("shut.up.ojAlgo", "true");       // ojAlgo's hardware-profile notice on stdout at first use
        MultiTaskModel model = MultiTaskModelFiles.load(modelDir);
        Path outDir = out != null ? out : modelDir.toAbsolutePath().normalize().resolveSibling("analysis");
        Map<String, INDArray> weights = WeightGroups.weights(model);
        Map<String, String> groups = WeightGroups.of(model, weights.keySet());
        PowerLawAnalysis analysis = PowerLawAnalyzer.builder().convLayout(LAYOUT).build().analyze(weights, groups);
        if (analysis.layers().isEmpty())
            throw new IllegalArgumentException("no layer of " + modelDir + " has enough eigenvalues for a power-law fit: " + analysis.skipped());
        System.out.print(table(analysis, weights));
        try {
            Files.createDirectories(outDir);
            Files.writeString(outDir.resolve("powerlaw-layers.csv"), layersCsv(analysis, weights), StandardCharsets.UTF_8);
            Files.writeString(outDir.resolve("powerlaw-groups.csv"), groupsCsv(analysis), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the analysis into " + outDir, e);
        }
        Path png = SpectralDensityPlots.write(weights, plotted(analysis, plotLayers), LAYOUT, outDir.resolve("spectral-density.png"));
        System.out.println("output: " + outDir + " (powerlaw-layers.csv, powerlaw-groups.csv, " + png.getFileName() + ")");
        return 0;
    }

    /** The largest fitted layer of each group, then the next largest ones, up to {@code n} layers. */
    static List<LayerPowerLaw> plotted(PowerLawAnalysis analysis, int n) {
        Map<String, List<LayerPowerLaw>> byGroup = analysis.layers().stream()
                .sorted(Comparator.comparingInt(LayerPowerLaw::eigenvalues).reversed())
                .collect(Collectors.groupingBy(LayerPowerLaw::group, LinkedHashMap::new, Collectors.toList()));
        List<LayerPowerLaw> chosen = new ArrayList<>();
        for (int round = 0; chosen.size() < n; round++) {
            boolean any = false;
            for (List<LayerPowerLaw> members : byGroup.values()) {
                if (round < members.size() && chosen.size() < n) {
                    chosen.add(members.get(round));
                    any = true;
                }
            }
            if (!any) break;
        }
        return chosen;
    }

    static String table(PowerLawAnalysis analysis, Map<String, INDArray> weights) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-34s %-20s %-16s %6s %11s %8s %10s %7s %6s%n",
                "layer", "group", "shape", "eigs", "lambda_max", "alpha", "xmin", "KS", "tail"));
        for (LayerPowerLaw l : analysis.layers()) {
            sb.append(String.format(Locale.ROOT, "%-34s %-20s %-16s %6d %11.4g %8.3f %10.4g %7.4f %6d%n", l.layer(), l.group(),
                    shape(weights.get(l.layer())), l.eigenvalues(), l.lambdaMax(), l.fit().alpha(), l.fit().xMin(), l.fit().ksDistance(), l.fit().tailSize()));
        }
        analysis.skipped().forEach((layer, reason) -> sb.append(String.format(Locale.ROOT, "%-34s skipped: %s%n", layer, reason)));
        sb.append(String.format(Locale.ROOT, "%n%-22s %6s %11s %9s %10s%n", "group", "layers", "mean alpha", "mean KS", "mean tail"));
        for (GroupPowerLaw g : analysis.groups().values())
            sb.append(String.format(Locale.ROOT, "%-22s %6d %11.3f %9.4f %10.1f%n", g.group(), g.layers(), g.meanAlpha(), g.meanKsDistance(), g.meanTailSize()));
        return sb.toString();
    }

    private static String layersCsv(PowerLawAnalysis analysis, Map<String, INDArray> weights) {
        StringBuilder sb = new StringBuilder("layer,group,shape,matrices,rows,columns,eigenvalues,lambda_max,alpha,xmin,ks_distance,tail_size\n");
        for (LayerPowerLaw l : analysis.layers()) {
            sb.append(String.join(",", l.layer(), l.group(), shape(weights.get(l.layer())), String.valueOf(l.matrices()), String.valueOf(l.rows()),
                    String.valueOf(l.columns()), String.valueOf(l.eigenvalues()), num(l.lambdaMax()), num(l.fit().alpha()), num(l.fit().xMin()),
                    num(l.fit().ksDistance()), String.valueOf(l.fit().tailSize()))).append('\n');
        }
        return sb.toString();
    }

    private static String groupsCsv(PowerLawAnalysis analysis) {
        StringBuilder sb = new StringBuilder("group,layers,mean_alpha,mean_xmin,mean_ks_distance,mean_tail_size\n");
        for (GroupPowerLaw g : analysis.groups().values())
            sb.append(String.join(",", g.group(), String.valueOf(g.layers()), num(g.meanAlpha()), num(g.meanXMin()), num(g.meanKsDistance()),
                    num(g.meanTailSize()))).append('\n');
        return sb.toString();
    }

    private static String shape(INDArray a) {
        return Arrays.stream(a.shape()).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }

    private static String num(double v) { return String.format(Locale.ROOT, "%.6g", v); }
}
