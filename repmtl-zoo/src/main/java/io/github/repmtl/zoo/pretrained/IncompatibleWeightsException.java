package io.github.repmtl.zoo.pretrained;

/**
 * A pretrained-weights file does not fit the trunk it should initialise; {@link #sourceLayer()} names the first
 * layer of the file (in forward order) that does not fit, {@link #trunkLayer()} the trunk layer it should map to.
 */
public final class IncompatibleWeightsException extends IllegalArgumentException {
    private final String sourceLayer;
    private final String trunkLayer;

    public IncompatibleWeightsException(String source, String sourceLayer, String trunkLayer, String problem) {
        super(source + ": layer '" + sourceLayer + "' does not fit trunk layer '" + trunkLayer + "': " + problem);
        this.sourceLayer = sourceLayer;
        this.trunkLayer = trunkLayer;
    }

    public String sourceLayer() { return sourceLayer; }

    public String trunkLayer() { return trunkLayer; }
}
