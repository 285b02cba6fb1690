package io.github.repmtl.samediff.analysis;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of {@link PowerLawAnalyzer#analyze}: one fit per analysed layer, the averages per group, and
 * the layers that could not be fitted with the reason.
 *
 * @param layers  the analysed layers in input order
 * @param groups  the group averages, in order of first appearance
 * @param skipped layer name to the reason it was not fitted (too few eigenvalues)
 */
public record PowerLawAnalysis(List<LayerPowerLaw> layers, Map<String, GroupPowerLaw> groups, Map<String, String> skipped) {
    public PowerLawAnalysis {
        layers = List.copyOf(layers);
        groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    }

    /** The analysis of one layer; an unknown or skipped name raises an exception naming it. */
    public LayerPowerLaw layer(String name) {
        for (LayerPowerLaw layer : layers) {
            if (layer.layer().equals(name)) return layer;
        }
        String reason = skipped.get(name);
        throw new IllegalArgumentException(reason != null
                ? "layer '" + name + "' was not fitted: " + reason
                : "no layer '" + name + "' in the analysis");
    }

    /** The averages of one group; an unknown name raises an exception naming it. */
    public GroupPowerLaw group(String name) {
        GroupPowerLaw group = groups.get(name);
        if (group == null) throw new IllegalArgumentException("no analysed layer in group '" + name + "'; groups are " + groups.keySet());
        return group;
    }
}
