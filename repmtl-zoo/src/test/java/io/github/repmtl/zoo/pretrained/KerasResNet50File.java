package io.github.repmtl.zoo.pretrained;

import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Keras 2.2 HDF5 file of {@code ResNet50} without its top (Keras applications' layer names, channels
 * last, batch-norm epsilon 1e-3), with random weights, in the layout {@code model.save()} produces: the
 * {@code model_config} JSON and {@code keras_version}/{@code backend} attributes at the root, and under
 * {@code model_weights} one group per layer with a {@code weight_names} attribute and its arrays.
 */
final class KerasResNet50File {
    private final List<Map<String, Object>> layers = new ArrayList<>();
    private final Map<String, List<String>> weightNames = new LinkedHashMap<>();
    private final Map<String, INDArray> arrays = new LinkedHashMap<>();
    private final Random rng;
    private int activations;

    private KerasResNet50File(long seed) { this.rng = Nd4j.getRandomFactory().getNewRandomInstance(seed); }

    /** The name of the network's last activation (the trunk output). */
    static final String OUTPUT = "activation_49";

    static void write(Path file, int height, int width, long seed) {
        KerasResNet50File k = new KerasResNet50File(seed);
        k.build(height, width);
        k.save(file);
    }

    private void build(int h, int w) {
        layer("input_1", "InputLayer", Map.of("batch_input_shape", java.util.Arrays.asList(null, h, w, 3), "dtype", "float32", "sparse", false));
        String x = layer("conv1_pad", "ZeroPadding2D", pad(3), "input_1");
        x = conv("conv1", 64, 7, 2, "valid", x);
        x = activation(bn("bn_conv1", 64, x));
        x = layer("pool1_pad", "ZeroPadding2D", pad(1), x);
        x = layer("max_pooling2d_1", "MaxPooling2D", Map.of("pool_size", List.of(3, 3), "strides", List.of(2, 2), "padding", "valid", "data_format", "channels_last"), x);
        int[][] stages = {{64, 3}, {128, 4}, {256, 6}, {512, 3}};
        for (int s = 0; s < 4; s++) {
            int f = stages[s][0];
            for (int b = 0; b < stages[s][1]; b++) x = block(s + 2, (char) ('a' + b), f, b == 0 ? (s == 0 ? 1 : 2) : 0, x);
        }
    }

    /** {@code stride} 0 for an identity block. */
    private String block(int stage, char b, int filters, int stride, String in) {
        String base = stage + String.valueOf(b);
        String y = activation(bn("bn" + base + "_branch2a", filters, conv("res" + base + "_branch2a", filters, 1, Math.max(stride, 1), "valid", in)));
        y = activation(bn("bn" + base + "_branch2b", filters, conv("res" + base + "_branch2b", filters, 3, 1, "same", y)));
        y = bn("bn" + base + "_branch2c", 4 * filters, conv("res" + base + "_branch2c", 4 * filters, 1, 1, "valid", y));
        String shortcut = in;
        if (stride > 0) shortcut = bn("bn" + base + "_branch1", 4 * filters, conv("res" + base + "_branch1", 4 * filters, 1, stride, "valid", in));
        return activation(layer("add_" + base, "Add", Map.of(), y, shortcut));
    }

    private String conv(String name, int filters, int k, int stride, String padding, String in) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("filters", filters);
        cfg.put("kernel_size", List.of(k, k));
        cfg.put("strides", List.of(stride, stride));
        cfg.put("padding", padding);
        cfg.put("data_format", "channels_last");
        cfg.put("dilation_rate", List.of(1, 1));
        cfg.put("activation", "linear");
        cfg.put("use_bias", true);
        cfg.put("kernel_initializer", Map.of("class_name", "VarianceScaling", "config", Map.of("scale", 2.0, "mode", "fan_in", "distribution", "normal")));
        cfg.put("bias_initializer", Map.of("class_name", "Zeros", "config", Map.of()));
        String x = layer(name, "Conv2D", cfg, in);
        long inC = channelsOf(in);
        weights(name, "kernel", Nd4j.randn(rng, new long[]{k, k, inC, filters}).muli(Math.sqrt(2.0 / (k * k * inC))));
        weights(name, "bias", Nd4j.rand(rng, filters).subi(0.5).muli(0.2));
        channels.put(name, (long) filters);
        return x;
    }

    private final Map<String, Long> channels = new LinkedHashMap<>();

    private long channelsOf(String layer) {
        Long c = channels.get(layer);
        return c == null ? 3 : c;
    }

    private String bn(String name, int c, String in) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("axis", 3);
        cfg.put("momentum", 0.99);
        cfg.put("epsilon", 0.001);
        cfg.put("center", true);
        cfg.put("scale", true);
        for (String i : new String[]{"beta_initializer", "moving_mean_initializer"}) cfg.put(i, Map.of("class_name", "Zeros", "config", Map.of()));
        for (String i : new String[]{"gamma_initializer", "moving_variance_initializer"}) cfg.put(i, Map.of("class_name", "Ones", "config", Map.of()));
        String x = layer(name, "BatchNormalization", cfg, in);
        weights(name, "gamma", Nd4j.rand(rng, c).addi(0.5));
        weights(name, "beta", Nd4j.rand(rng, c).subi(0.5).muli(0.2));
        weights(name, "moving_mean", Nd4j.rand(rng, c).subi(0.5).muli(0.2));
        weights(name, "moving_variance", Nd4j.rand(rng, c).addi(0.5));
        channels.put(name, (long) c);
        return x;
    }

    private String activation(String in) {
        String name = "activation_" + (++activations);
        channels.put(name, channelsOf(in));
        return layer(name, "Activation", Map.of("activation", "relu"), in);
    }

    private static Map<String, Object> pad(int p) {
        return Map.of("padding", List.of(List.of(p, p), List.of(p, p)), "data_format", "channels_last");
    }

    private String layer(String name, String cls, Map<String, Object> config, String... inputs) {
        Map<String, Object> cfg = new LinkedHashMap<>(config);
        cfg.put("name", name);
        cfg.put("trainable", true);
        List<Object> inbound = new ArrayList<>();
        for (String in : inputs) inbound.add(List.of(in, 0, 0, Map.of()));
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("name", name);
        l.put("class_name", cls);
        l.put("config", cfg);
        l.put("inbound_nodes", inputs.length == 0 ? List.of() : List.of(inbound));
        layers.add(l);
        if (inputs.length > 0 && !channels.containsKey(name)) channels.put(name, channelsOf(inputs[0]));
        return name;
    }

    private void weights(String layer, String param, INDArray value) {
        weightNames.computeIfAbsent(layer, k -> new ArrayList<>()).add(layer + "/" + param + ":0");
        arrays.put(layer + "/" + param + ":0", value.castTo(DataType.FLOAT));
    }

    private void save(Path file) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", "resnet50");
        config.put("layers", layers);
        config.put("input_layers", List.of(List.of("input_1", 0, 0)));
        config.put("output_layers", List.of(List.of(OUTPUT, 0, 0)));
        String json;
        try {
            json = new ObjectMapper().writeValueAsString(Map.of("class_name", "Model", "config", config, "keras_version", "2.2.4", "backend", "tensorflow"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // every HDF5 object is closed here, in this thread: HDF5 is not thread-safe, and objects left to JavaCPP's
        // garbage-collection deallocator get closed concurrently with later writes (flaky H5Dwrite errors)
        H5File f = new H5File(file.toString(), hdf5.H5F_ACC_TRUNC);
        try {
            Group top = f.openGroup("/");
            stringAttribute(top, "keras_version", "2.2.4");
            stringAttribute(top, "backend", "tensorflow");
            stringAttribute(top, "model_config", json);
            top.close();
            Group root = f.createGroup("model_weights");
            List<String> names = new ArrayList<>();
            for (Map<String, Object> l : layers) names.add((String) l.get("name"));
            stringArrayAttribute(root, "layer_names", names);
            stringAttribute(root, "keras_version", "2.2.4");
            stringAttribute(root, "backend", "tensorflow");
            for (String name : names) {
                Group g = root.createGroup(name);
                List<String> wn = weightNames.getOrDefault(name, List.of());
                stringArrayAttribute(g, "weight_names", wn);
                if (!wn.isEmpty()) {
                    Group inner = g.createGroup(name);
                    for (String w : wn) {
                        INDArray a = arrays.get(w);
                        DataSpace space = new DataSpace(a.rank(), a.shape());
                        DataSet ds = inner.createDataSet(w.substring(name.length() + 1), PredType.NATIVE_FLOAT(), space);
                        FloatPointer values = new FloatPointer(a.dup('c').data().asFloat());
                        ds.write(values, PredType.NATIVE_FLOAT());
                        values.close();
                        ds.close();
                        space.close();
                    }
                    inner.close();
                }
                g.close();
            }
            root.close();
        } finally {
            f.close();
        }
    }

    private static void stringAttribute(Group g, String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StrType type = new StrType(PredType.C_S1(), bytes.length);
        DataSpace space = new DataSpace(hdf5.H5S_SCALAR);
        Attribute a = g.createAttribute(name, type, space);
        BytePointer text = new BytePointer(bytes);
        a.write(type, text);
        text.close();
        a.close();
        space.close();
        type.close();
    }

    /** An array of fixed-length strings, as h5py writes a numpy bytes array (empty: a zero-length array). */
    private static void stringArrayAttribute(Group g, String name, List<String> values) {
        int len = 1;
        for (String v : values) len = Math.max(len, v.getBytes(StandardCharsets.UTF_8).length);
        byte[] buf = new byte[Math.max(1, values.size() * len)];
        for (int i = 0; i < values.size(); i++) {
            byte[] b = values.get(i).getBytes(StandardCharsets.UTF_8);
            System.arraycopy(b, 0, buf, i * len, b.length);
        }
        StrType type = new StrType(PredType.C_S1(), len);
        type.setStrpad(hdf5.H5T_STR_NULLPAD);
        DataSpace space = new DataSpace(1, new long[]{values.size()});
        Attribute a = g.createAttribute(name, type, space);
        if (!values.isEmpty()) {
            BytePointer value = new BytePointer(buf);
            a.write(type, value);
            value.close();
        }
        a.close();
        space.close();
        type.close();
    }
}
