package io.github.repmtl.onnx;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Sample inputs of an exported model and the outputs the exporting framework computed for them (PyTorch, in eval
 * mode): an import whose graph disagrees is rejected. The error of an output is
 * {@code max |imported - expected| / max(max |expected|, 1e-12)}; it must not exceed the tolerance (default
 * {@value #DEFAULT_TOLERANCE}, float32 noise of small nets).
 */
public final class ForwardCheck {
    /** The default largest relative error of an output. */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    private final Map<String, INDArray> inputs, expected;
    private final double tolerance;

    private ForwardCheck(Map<String, INDArray> inputs, Map<String, INDArray> expected, double tolerance) {
        if (inputs.isEmpty() || expected.isEmpty()) throw new IllegalArgumentException("a forward check needs at least one input and one expected output");
        if (!(tolerance > 0) || Double.isInfinite(tolerance)) throw new IllegalArgumentException("forward check tolerance must be finite and > 0, got " + tolerance);
        this.inputs = Map.copyOf(inputs);
        this.expected = Map.copyOf(expected);
        this.tolerance = tolerance;
    }

    /** Inputs by graph input name, expected outputs by graph output name. */
    public static ForwardCheck of(Map<String, INDArray> inputs, Map<String, INDArray> expectedOutputs) {
        return new ForwardCheck(Objects.requireNonNull(inputs, "inputs"), Objects.requireNonNull(expectedOutputs, "expectedOutputs"), DEFAULT_TOLERANCE);
    }

    /**
     * The samples written beside {@code model.onnx} by the export script: {@code model.input.NAME.npy} and
     * {@code model.output.NAME.npy} (C order, little endian).
     */
    public static ForwardCheck fromNpyFiles(Path onnxFile) {
        String stem = stem(onnxFile);
        Map<String, INDArray> in = new LinkedHashMap<>(), out = new LinkedHashMap<>();
        for (Path f : npyFiles(onnxFile)) {
            String name = f.getFileName().toString();
            if (name.startsWith(stem + ".input.")) in.put(name.substring(stem.length() + 7, name.length() - 4), Nd4j.createFromNpyFile(f.toFile()));
            else out.put(name.substring(stem.length() + 8, name.length() - 4), Nd4j.createFromNpyFile(f.toFile()));
        }
        if (in.isEmpty() || out.isEmpty())
            throw new OnnxImportException("no forward-check samples beside " + onnxFile + " (expected " + stem + ".input.NAME.npy and " + stem + ".output.NAME.npy)");
        return of(in, out);
    }

    /** Whether sample inputs of the export script ({@code STEM.input.NAME.npy}, see {@link #fromNpyFiles}) lie beside {@code onnxFile}. */
    public static boolean hasNpyFiles(Path onnxFile) {
        String stem = stem(onnxFile);
        return npyFiles(onnxFile).stream().anyMatch(f -> f.getFileName().toString().startsWith(stem + ".input."));
    }

    private static String stem(Path onnxFile) { return onnxFile.getFileName().toString().replaceFirst("\\.onnx$", ""); }

    /** The {@code STEM.input.*.npy} and {@code STEM.output.*.npy} files beside {@code onnxFile}, sorted. */
    private static List<Path> npyFiles(Path onnxFile) {
        String stem = stem(onnxFile);
        Path dir = onnxFile.toAbsolutePath().getParent();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                String name = f.getFileName().toString();
                return name.endsWith(".npy") && (name.startsWith(stem + ".input.") || name.startsWith(stem + ".output."));
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The same samples with another tolerance. */
    public ForwardCheck tolerance(double tolerance) { return new ForwardCheck(inputs, expected, tolerance); }

    public double tolerance() { return tolerance; }

    /**
     * Runs {@code sd} on the inputs (with {@code flag = 0} when a training flag is given) and throws
     * {@link OnnxImportException} naming every output that differs.
     *
     * @param renamed ONNX value names the import renamed ({@code old -> new})
     */
    void verify(SameDiff sd, String trainingFlag, DataType dataType, Map<String, String> renamed) {
        Map<String, INDArray> feed = new LinkedHashMap<>();
        inputs.forEach((k, v) -> {
            String name = renamed.getOrDefault(k, k);
            if (!sd.hasVariable(name)) throw new OnnxImportException("forward check: the graph has no input '" + k + "'");
            feed.put(name, v.castTo(dataType));
        });
        if (trainingFlag != null) feed.put(trainingFlag, Nd4j.scalar(dataType, 0.0));
        StringBuilder wrong = new StringBuilder();
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            String name = renamed.getOrDefault(e.getKey(), e.getKey());
            if (!sd.hasVariable(name)) throw new OnnxImportException("forward check: the graph has no output '" + e.getKey() + "'");
            INDArray actual = sd.output(feed, name).get(name).castTo(DataType.DOUBLE);
            INDArray want = e.getValue().castTo(DataType.DOUBLE);
            if (!Arrays.equals(actual.shape(), want.shape())) {
                wrong.append(String.format(Locale.ROOT, "%n  '%s': shape %s, expected %s", e.getKey(), Arrays.toString(actual.shape()), Arrays.toString(want.shape())));
                continue;
            }
            double scale = Math.max(want.amaxNumber().doubleValue(), 1e-12);
            double err = actual.sub(want).amaxNumber().doubleValue() / scale;
            if (!(err <= tolerance))
                wrong.append(String.format(Locale.ROOT, "%n  '%s': relative error %.3e (largest |expected| %.3e), tolerance %.1e", e.getKey(), err, scale, tolerance));
        }
        if (!wrong.isEmpty())
            throw new OnnxImportException("forward check failed: the imported graph disagrees with the exported model's outputs on the sample inputs:" + wrong);
    }
}
