package io.github.repmtl.zoo.pretrained;

import io.github.repmtl.zoo.ResNetTrunk;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How ResNet-50 layers are named in the files we read, mapped from {@link ResNetTrunk} layer names
 * ({@code trunk/layerL.B/convK}, {@code .../bnK}, {@code .../downsample.0|1}, {@code trunk/conv1},
 * {@code trunk/bn1}).
 */
enum ResNet50LayerNames {
    /** DL4J zoo {@code ResNet50}: {@code stem-cnn1}, {@code res2a_branch2a}, {@code bn2a_branch2a}, {@code res2a_branch1}. */
    DL4J_ZOO("stem-cnn1", "stem-batch1", ResNetTrunk.Variant.DL4J_ZOO),
    /** Keras applications 2.x: {@code conv1}, {@code bn_conv1}, then as DL4J's zoo. */
    KERAS("conv1", "bn_conv1", ResNetTrunk.Variant.KERAS),
    /** tf.keras applications: {@code conv1_conv}, {@code conv2_block1_1_conv}, {@code conv2_block1_0_bn}. */
    TF_KERAS("conv1_conv", "conv1_bn", ResNetTrunk.Variant.KERAS);

    private static final Pattern BLOCK = Pattern.compile("trunk/layer(\\d)\\.(\\d+)/(conv|bn)(\\d)");
    private static final Pattern SHORTCUT = Pattern.compile("trunk/layer(\\d)\\.(\\d+)/downsample\\.(\\d)");

    private final String stemConv, stemBn;
    private final ResNetTrunk.Variant variant;

    ResNet50LayerNames(String stemConv, String stemBn, ResNetTrunk.Variant variant) {
        this.stemConv = stemConv;
        this.stemBn = stemBn;
        this.variant = variant;
    }

    /** The architecture variant files with this naming use. */
    ResNetTrunk.Variant variant() { return variant; }

    /** The naming whose stem convolution is among {@code layerNames}, or null. */
    static ResNet50LayerNames detect(Set<String> layerNames) {
        for (ResNet50LayerNames n : values()) if (layerNames.contains(n.stemConv) && layerNames.contains(n.stemBn)) return n;
        return null;
    }

    /** The source layer holding the weights of trunk layer {@code trunkLayer}. */
    String sourceName(String trunkLayer) {
        if (trunkLayer.equals(ResNetTrunk.PREFIX + "conv1")) return stemConv;
        if (trunkLayer.equals(ResNetTrunk.PREFIX + "bn1")) return stemBn;
        Matcher m = BLOCK.matcher(trunkLayer);
        if (m.matches()) {
            int stage = Integer.parseInt(m.group(1)) + 1, block = Integer.parseInt(m.group(2)), k = Integer.parseInt(m.group(4));
            return name(stage, block, String.valueOf((char) ('a' + k - 1)), k, m.group(3).equals("bn"));
        }
        m = SHORTCUT.matcher(trunkLayer);
        if (m.matches()) {
            int stage = Integer.parseInt(m.group(1)) + 1, block = Integer.parseInt(m.group(2));
            return name(stage, block, null, 0, m.group(3).equals("1"));
        }
        throw new IllegalArgumentException("not a ResNet-50 trunk layer: " + trunkLayer);
    }

    /** {@code branch} is a, b, c for the main branch or null for the shortcut; {@code k} the tf.keras index. */
    private String name(int stage, int block, String branch, int k, boolean bn) {
        if (this == TF_KERAS) return "conv" + stage + "_block" + (block + 1) + "_" + k + (bn ? "_bn" : "_conv");
        String suffix = stage + String.valueOf((char) ('a' + block)) + (branch == null ? "_branch1" : "_branch2" + branch);
        return (bn ? "bn" : "res") + suffix;
    }
}
