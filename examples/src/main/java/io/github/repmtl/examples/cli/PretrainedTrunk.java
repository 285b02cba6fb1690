package io.github.repmtl.examples.cli;

import io.github.repmtl.examples.weights.NpzWeights;
import io.github.repmtl.zoo.ResNetTrunk;
import io.github.repmtl.zoo.pretrained.PretrainedResNet50;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code --pretrained FILE} flag: a ResNet trunk initialised from a local file, by extension: {@code .npz}
 * arrays keyed by the trunk's variable names ({@link NpzWeights}; any depth), or, for ResNet-50 only, a DL4J zoo
 * {@code ResNet50} zip ({@code .zip}) or a Keras HDF5 file ({@code .h5}) mapped by {@link PretrainedResNet50}.
 */
final class PretrainedTrunk {
    private PretrainedTrunk() {}

    static ResNetTrunk load(Path file, ResNetTrunk.Depth depth, int outputStride) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npz")) return ResNetTrunk.builder(depth).outputStride(outputStride).weights(NpzWeights.load(file)).build();
        if (!name.endsWith(".zip") && !name.endsWith(".h5"))
            throw new IllegalArgumentException("pretrained weights file " + file + ": expected .npz (trunk arrays), .zip (DL4J zoo ResNet50) or .h5 (Keras ResNet50)");
        if (depth != ResNetTrunk.Depth.RESNET50)
            throw new IllegalArgumentException("pretrained weights file " + file + " holds a ResNet-50; the model's trunk is " + depth + ": give an .npz file");
        try {
            ResNetTrunk.Builder b = name.endsWith(".zip") ? PretrainedResNet50.fromDl4jZoo(file) : PretrainedResNet50.fromKeras(file);
            return b.outputStride(outputStride).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
