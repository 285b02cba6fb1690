package io.github.repmtl.samediff.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A training checkpoint: model arrays (weights and running statistics), optimiser state, strategy state,
 * counters and the run's log so far, plus a metadata map (configuration and model fingerprint). Stored as a
 * zip ({@code checkpoint-epoch-NNNN.zip}) written to a temporary file and renamed atomically, so an
 * interrupted write never leaves a truncated checkpoint under the final name.
 */
public record Checkpoint(Map<String, Object> meta, Map<String, INDArray> arrays) {
    private static final Pattern NAME = Pattern.compile("checkpoint-epoch-(\\d+)\\.zip");
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    public static String fileName(int epoch) { return String.format("checkpoint-epoch-%04d.zip", epoch); }

    /** Writes atomically into {@code dir}, then deletes all but the newest {@code keepLast} checkpoints. */
    public Path save(Path dir, int epoch, int keepLast) {
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve(fileName(epoch));
            Path tmp = Files.createTempFile(dir, ".checkpoint-", ".tmp");
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp)); ZipOutputStream zip = new ZipOutputStream(os)) {
                List<String> names = new ArrayList<>(arrays.keySet());
                Map<String, Object> m = new LinkedHashMap<>(meta);
                m.put("arrays", names);
                zip.putNextEntry(new ZipEntry("meta.json"));
                zip.write(JSON.writeValueAsBytes(m));
                zip.closeEntry();
                for (int i = 0; i < names.size(); i++) {
                    zip.putNextEntry(new ZipEntry("arrays/" + i + ".bin"));
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    try (DataOutputStream out = new DataOutputStream(buf)) {
                        Nd4j.write(arrays.get(names.get(i)), out);
                    }
                    zip.write(buf.toByteArray());
                    zip.closeEntry();
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            List<Path> all = list(dir);
            for (int i = 0; i < all.size() - keepLast; i++) Files.deleteIfExists(all.get(i));
            return target;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write checkpoint into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Checkpoints in {@code dir}, oldest first. */
    public static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(Checkpoint::epochOf)).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    static int epochOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException("not a checkpoint file name: " + p);
        return Integer.parseInt(m.group(1));
    }

    @SuppressWarnings("unchecked")
    public static Checkpoint load(Path file) {
        Map<String, Object> meta = null;
        Map<Integer, INDArray> byIndex = new LinkedHashMap<>();
        try (InputStream is = new BufferedInputStream(Files.newInputStream(file)); ZipInputStream zip = new ZipInputStream(is)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                byte[] bytes = zip.readAllBytes();
                if (e.getName().equals("meta.json")) meta = JSON.readValue(bytes, Map.class);
                else if (e.getName().startsWith("arrays/")) {
                    int i = Integer.parseInt(e.getName().substring(7, e.getName().length() - 4));
                    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
                        byIndex.put(i, Nd4j.read(in));
                    }
                }
            }
        } catch (IOException | RuntimeException ex) {
            throw new IllegalArgumentException("checkpoint " + file + " is truncated or corrupt: " + ex.getMessage(), ex);
        }
        if (meta == null) throw new IllegalArgumentException("checkpoint " + file + " is truncated or corrupt: no meta.json");
        List<String> names = (List<String>) meta.get("arrays");
        if (names == null || names.size() != byIndex.size())
            throw new IllegalArgumentException("checkpoint " + file + " is truncated or corrupt: expected " + (names == null ? "?" : names.size())
                    + " arrays, found " + byIndex.size());
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            INDArray a = byIndex.get(i);
            if (a == null) throw new IllegalArgumentException("checkpoint " + file + " is truncated or corrupt: array " + names.get(i) + " missing");
            arrays.put(names.get(i), a);
        }
        return new Checkpoint(meta, arrays);
    }

    static ObjectMapper json() { return JSON; }
}
