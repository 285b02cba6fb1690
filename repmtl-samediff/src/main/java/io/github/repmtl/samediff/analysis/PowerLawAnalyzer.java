package io.github.repmtl.samediff.analysis;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Heavy-tailed self-regularisation analysis of a network's weights (Martin and Mahoney; WeightWatcher):
 * the eigenvalue spectrum of {@code W^T W} of every weight matrix and a power-law fit of its tail, per layer
 * and averaged per group of layers.
 *
 * <p>Dense weights (rank 2) are analysed as they are. Convolution kernels (rank 4) are cut into their
 * {@code kH * kW} tap matrices {@code in x out} according to the configured {@link ConvWeightLayout}, and the
 * eigenvalues of all taps are pooled into one spectrum (WeightWatcher's combined eigenvalues). Other ranks
 * are rejected; pass only the weights to analyse (no biases or normalisation parameters).
 *
 * <pre>{@code
 * PowerLawAnalysis analysis = PowerLawAnalyzer.builder().convLayout(ConvWeightLayout.YXIO).build()
 *         .analyze(weightsByName, name -> name.startsWith("seg") ? "head:seg" : "backbone");
 * double backboneAlpha = analysis.group("backbone").meanAlpha();
 * }</pre>
 */
public final class PowerLawAnalyzer {
    private static final Logger log = LoggerFactory.getLogger(PowerLawAnalyzer.class);

    private final ConvWeightLayout convLayout;
    private final PowerLawFitter fitter;

    private PowerLawAnalyzer(Builder builder) {
        this.convLayout = builder.convLayout;
        this.fitter = builder.fitter;
    }

    public static Builder builder() { return new Builder(); }

    /** Analyses each weight array; {@code groups} maps every layer name to its group. */
    public PowerLawAnalysis analyze(Map<String, INDArray> weights, Map<String, String> groups) {
        return analyze(weights, name -> {
            String group = groups.get(name);
            if (group == null) throw new IllegalArgumentException("layer '" + name + "' has no group; groups are given for " + groups.keySet());
            return group;
        });
    }

    /** Analyses each weight array; {@code grouping} names the group of a layer. */
    public PowerLawAnalysis analyze(Map<String, INDArray> weights, Function<String, String> grouping) {
        if (weights.isEmpty()) throw new IllegalArgumentException("no weight array to analyse");
        List<LayerPowerLaw> layers = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> entry : weights.entrySet()) {
            String name = entry.getKey();
            INDArray weight = entry.getValue();
            String group = grouping.apply(name);
            if (group == null) throw new IllegalArgumentException("the grouping gives no group for layer '" + name + "'");
            List<INDArray> matrices = matrices(name, weight);
            double[] spectrum = EigenSpectrum.pooled(matrices);
            String reason = unfittableReason(spectrum);
            if (reason != null) {
                log.debug("layer {} skipped: {}", name, reason);
                skipped.put(name, reason);
                continue;
            }
            PowerLawFit fit = fitter.fit(spectrum);
            log.debug("layer {} ({}): alpha {} xMin {} KS {} tail {}/{}", name, group, fit.alpha(), fit.xMin(), fit.ksDistance(), fit.tailSize(), fit.sampleSize());
            layers.add(new LayerPowerLaw(name, group, matrices.size(), matrices.get(0).rows(), matrices.get(0).columns(),
                    spectrum.length, spectrum[spectrum.length - 1], fit));
        }
        return new PowerLawAnalysis(layers, groupAverages(layers), skipped);
    }

    private List<INDArray> matrices(String name, INDArray weight) {
        if (weight == null) throw new IllegalArgumentException("weight array of layer '" + name + "' is null");
        if (weight.dataType().isFPType() && BooleanIndexing.or(weight, Conditions.notFinite())) {
            throw new IllegalArgumentException("weight array of layer '" + name + "' contains NaN or infinite values");
        }
        return switch (weight.rank()) {
            case 2 -> List.of(weight);
            case 4 -> convLayout.taps(weight);
            default -> throw new IllegalArgumentException("layer '" + name + "' has shape " + Arrays.toString(weight.shape())
                    + "; expected a dense weight (rank 2) or a " + convLayout + " convolution kernel (rank 4)");
        };
    }

    private String unfittableReason(double[] spectrum) {
        if (spectrum.length < fitter.minTailSize()) {
            return "only " + spectrum.length + " positive eigenvalues; the fit needs at least " + fitter.minTailSize();
        }
        if (spectrum[0] == spectrum[spectrum.length - 1]) {
            return "all " + spectrum.length + " eigenvalues equal " + spectrum[0] + " (e.g. an orthogonal matrix): no tail";
        }
        return null;
    }

    private static Map<String, GroupPowerLaw> groupAverages(List<LayerPowerLaw> layers) {
        Map<String, List<LayerPowerLaw>> byGroup = new LinkedHashMap<>();
        for (LayerPowerLaw layer : layers) byGroup.computeIfAbsent(layer.group(), g -> new ArrayList<>()).add(layer);
        Map<String, GroupPowerLaw> averages = new LinkedHashMap<>();
        byGroup.forEach((group, members) -> averages.put(group, new GroupPowerLaw(group, members.size(),
                members.stream().mapToDouble(l -> l.fit().alpha()).average().orElseThrow(),
                members.stream().mapToDouble(l -> l.fit().xMin()).average().orElseThrow(),
                members.stream().mapToDouble(l -> l.fit().ksDistance()).average().orElseThrow(),
                members.stream().mapToDouble(l -> l.fit().tailSize()).average().orElseThrow())));
        return averages;
    }

    /** Configuration of a {@link PowerLawAnalyzer}. */
    public static final class Builder {
        private ConvWeightLayout convLayout = ConvWeightLayout.YXIO;
        private PowerLawFitter fitter = PowerLawFitter.builder().build();

        private Builder() {}

        /** Layout of rank-4 kernels (default {@link ConvWeightLayout#YXIO}, SameDiff's). */
        public Builder convLayout(ConvWeightLayout convLayout) {
            if (convLayout == null) throw new IllegalArgumentException("convLayout must not be null");
            this.convLayout = convLayout;
            return this;
        }

        /** The tail fitter (default {@link PowerLawFitter.Builder} settings). */
        public Builder fitter(PowerLawFitter fitter) {
            if (fitter == null) throw new IllegalArgumentException("fitter must not be null");
            this.fitter = fitter;
            return this;
        }

        public PowerLawAnalyzer build() { return new PowerLawAnalyzer(this); }
    }
}
