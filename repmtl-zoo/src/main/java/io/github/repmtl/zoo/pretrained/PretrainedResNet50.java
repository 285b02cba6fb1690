package io.github.repmtl.zoo.pretrained;

import io.github.repmtl.samediff.nn.Conv2d;
import io.github.repmtl.zoo.ResNetTrunk;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Pretrained ResNet-50 weights from a local file, mapped onto a {@link ResNetTrunk} (nothing is downloaded):
 * DL4J zoo {@code ResNet50} model zips (as {@code ModelSerializer} writes them) and Keras HDF5 files of
 * {@code ResNet50} (Keras applications or tf.keras naming; with or without the top) through
 * {@code deeplearning4j-modelimport}.
 *
 * <p>The result is a trunk builder already set to the file's {@link ResNetTrunk.Variant} and batch-norm epsilon;
 * its output equals the source network's last block activation. Convolution biases, which these files have
 * and torchvision's ResNet has not, are folded into the following batch norm's running mean (exact: a batch
 * norm removes any constant shift in training mode, and {@code (z + b - m)} equals {@code z - (m - b)} at
 * inference). A file that does not fit raises an {@link IncompatibleWeightsException} naming the first layer,
 * in forward order, that does not fit.
 */
public final class PretrainedResNet50 {
    private static final Logger log = LoggerFactory.getLogger(PretrainedResNet50.class);

    private PretrainedResNet50() {}

    /** Reads a DL4J zoo {@code ResNet50} {@link ComputationGraph} zip. */
    public static ResNetTrunk.Builder fromDl4jZoo(Path zip) throws IOException {
        requireFile(zip);
        ComputationGraph graph;
        try {
            graph = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        } catch (RuntimeException e) {
            throw new IOException("cannot read " + zip + " as a DL4J ComputationGraph zip: " + e.getMessage(), e);
        }
        return fromComputationGraph(graph, zip.toString());
    }

    /** Reads a Keras HDF5 {@code ResNet50} (model and weights) through DL4J's Keras import. */
    public static ResNetTrunk.Builder fromKeras(Path h5) throws IOException {
        requireFile(h5);
        ComputationGraph graph;
        try {
            graph = KerasModelImport.importKerasModelAndWeights(h5.toString(), false);
        } catch (Exception e) {
            throw new IOException("cannot import " + h5 + " as a Keras functional model: " + e.getMessage(), e);
        }
        return fromComputationGraph(graph, h5.toString());
    }

    /**
     * Maps a ResNet-50 {@link ComputationGraph} (DL4J zoo, Keras or tf.keras layer names) onto a trunk.
     *
     * @param source what to call the graph in error messages (e.g. its file)
     */
    public static ResNetTrunk.Builder fromComputationGraph(ComputationGraph graph, String source) {
        Objects.requireNonNull(graph, "graph");
        Set<String> names = new HashSet<>(graph.getConfiguration().getVertices().keySet());
        ResNet50LayerNames naming = ResNet50LayerNames.detect(names);
        if (naming == null)
            throw new IncompatibleWeightsException(source, "stem-cnn1 / conv1 / conv1_conv", ResNetTrunk.PREFIX + "conv1",
                    "the graph has no ResNet-50 stem convolution under any known naming");
        ResNetTrunk reference = ResNetTrunk.builder(ResNetTrunk.Depth.RESNET50).variant(naming.variant()).build();
        Map<String, INDArray> weights = new HashMap<>();
        INDArray pendingBias = null;
        Double eps = null;
        for (ResNetTrunk.Layer layer : reference.layers()) {
            String src = naming.sourceName(layer.name());
            if (!names.contains(src)) throw new IncompatibleWeightsException(source, src, layer.name(), "the file has no such layer");
            Layer l = graph.getLayer(src);
            if (layer.convolution()) {
                pendingBias = convolution(source, src, layer, l, weights);
            } else {
                double e = batchNorm(source, src, layer, l, pendingBias, weights);
                if (eps != null && e != eps)
                    throw new IncompatibleWeightsException(source, src, layer.name(), "batch-norm epsilon " + e + " differs from the other layers' " + eps);
                eps = e;
                pendingBias = null;
            }
        }
        log.info("mapped {} ({} naming, batch-norm epsilon {}) onto a ResNet-50 trunk", source, naming, eps);
        return ResNetTrunk.builder(ResNetTrunk.Depth.RESNET50).variant(naming.variant()).batchNormEpsilon(eps).weights(weights);
    }

    /** Copies the weights; returns the bias (or null) to fold into the next batch norm. */
    private static INDArray convolution(String source, String src, ResNetTrunk.Layer layer, Layer l, Map<String, INDArray> weights) {
        if (!(l.conf().getLayer() instanceof ConvolutionLayer conf))
            throw new IncompatibleWeightsException(source, src, layer.name(), "expected a convolution, found " + l.conf().getLayer().getClass().getSimpleName());
        long[] yxio = layer.shape();
        long[] expected = {yxio[3], yxio[2], yxio[0], yxio[1]};
        INDArray w = l.getParam("W");
        if (w == null || !Arrays.equals(w.shape(), expected))
            throw new IncompatibleWeightsException(source, src, layer.name(), "weights " + (w == null ? "missing" : Arrays.toString(w.shape()))
                    + ", expected [out, in, kH, kW] = " + Arrays.toString(expected));
        int[] stride = conf.getStride();
        if (stride[0] != layer.stride() || stride[1] != layer.stride())
            throw new IncompatibleWeightsException(source, src, layer.name(), "stride " + Arrays.toString(stride) + ", expected " + layer.stride());
        weights.put(layer.name() + "/W", Conv2d.oihwToYxio(w.castTo(Nd4j.defaultFloatingPointType())));
        INDArray b = conf.hasBias() ? l.getParam("b") : null;
        return b == null ? null : b.reshape(b.length());
    }

    /** Copies scale, shift and running statistics, folding {@code bias}; returns the layer's epsilon. */
    private static double batchNorm(String source, String src, ResNetTrunk.Layer layer, Layer l, INDArray bias, Map<String, INDArray> weights) {
        if (!(l.conf().getLayer() instanceof BatchNormalization conf))
            throw new IncompatibleWeightsException(source, src, layer.name(), "expected a batch normalization, found " + l.conf().getLayer().getClass().getSimpleName());
        if (conf.isLockGammaBeta()) throw new IncompatibleWeightsException(source, src, layer.name(), "batch norm with locked gamma/beta is not supported");
        long c = layer.shape()[0];
        INDArray gamma = vector(source, src, layer, l, "gamma", c);
        INDArray beta = vector(source, src, layer, l, "beta", c);
        INDArray mean = vector(source, src, layer, l, "mean", c);
        INDArray var;
        if (l.paramTable().containsKey("var")) var = vector(source, src, layer, l, "var", c);
        else {
            INDArray log10Std = vector(source, src, layer, l, "log10stdev", c);
            var = Transforms.pow(Nd4j.valueArrayOf(log10Std.shape(), 10.0, log10Std.dataType()), log10Std.mul(2), false);
        }
        if (bias != null) {
            if (bias.length() != c) throw new IncompatibleWeightsException(source, src, layer.name(), "the preceding convolution's bias has " + bias.length() + " entries, expected " + c);
            mean = mean.sub(bias.castTo(mean.dataType()));
        }
        String n = layer.name();
        weights.put(n + "/gamma", gamma);
        weights.put(n + "/beta", beta);
        weights.put(n + "/running_mean", mean);
        weights.put(n + "/running_var", var);
        return conf.getEps();
    }

    private static INDArray vector(String source, String src, ResNetTrunk.Layer layer, Layer l, String param, long c) {
        INDArray p = l.paramTable().get(param);
        if (p == null) throw new IncompatibleWeightsException(source, src, layer.name(), "no parameter '" + param + "'");
        if (p.length() != c) throw new IncompatibleWeightsException(source, src, layer.name(), "'" + param + "' has " + p.length() + " entries, expected " + c);
        return p.reshape(c).castTo(Nd4j.defaultFloatingPointType()).dup();
    }

    private static void requireFile(Path p) throws IOException {
        if (!Files.isRegularFile(p)) throw new IOException("pretrained weights file not found: " + p);
    }
}
