package io.github.repmtl.examples.weights;

import io.github.repmtl.datavec.npy.NpyReader;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads pretrained weights from a NumPy {@code .npz} archive ({@code numpy.savez}, uncompressed or compressed): one
 * {@code .npy} entry per array, named by the variable it initialises, e.g. {@code trunk/conv1/W.npy} or
 * {@code trunk/layer1.0/bn1/running_mean.npy} (see {@link io.github.repmtl.zoo.ResNetTrunk#layers()}; convolutions
 * in SameDiff's {@code [kH, kW, in, out]}). A torchvision ResNet converts with a few lines of Python:
 * <pre>{@code
 * sd = torchvision.models.resnet18(weights="IMAGENET1K_V1").state_dict(); out = {}
 * for k, v in sd.items():
 *     if k.startswith("fc.") or k.endswith("num_batches_tracked"): continue
 *     layer, p = k.rsplit(".", 1)
 *     name = "trunk/" + layer.replace(".conv", "/conv").replace(".bn", "/bn").replace(".downsample", "/downsample")
 *     v = v.numpy()
 *     if v.ndim == 4: out[name + "/W"] = v.transpose(2, 3, 1, 0)          # OIHW -> HWIO
 *     else: out[name + "/" + {"weight": "gamma", "bias": "beta"}.get(p, p)] = v
 * numpy.savez("resnet18.npz", **out)
 * }</pre>
 */
public final class NpzWeights {
    private NpzWeights() {}

    /** The arrays of an {@code .npz} file keyed by entry name without {@code .npy}; errors name the file and entry. */
    public static Map<String, INDArray> load(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("pretrained weights file " + file + " does not exist");
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.isDirectory()) continue;
                String name = e.getName();
                if (!name.endsWith(".npy"))
                    throw new IllegalArgumentException("pretrained weights file " + file + ": entry '" + name + "' is not an .npy array");
                String key = name.substring(0, name.length() - 4);
                arrays.put(key, NpyReader.read(file + ":" + name, zip.readAllBytes()).toINDArray());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read pretrained weights file " + file + " as an .npz archive: " + e.getMessage(), e);
        }
        if (arrays.isEmpty()) throw new IllegalArgumentException("pretrained weights file " + file + " holds no array (is it an .npz archive?)");
        return arrays;
    }
}
