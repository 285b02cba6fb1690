package io.github.repmtl.samediff.regularizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Rep-MTL's hyperparameters {@code lambda_tsr}, {@code lambda_csa} and {@code tau} as a piecewise constant function
 * of the epoch: segment {@code i} holds from its {@code fromEpoch} up to the next segment's (the last one for the rest
 * of training). The first segment starts at epoch 0; segments are strictly increasing in {@code fromEpoch}. A
 * {@link RepMtl} built with {@link RepMtl.Builder#schedule} uses epoch {@code e}'s values for every step of epoch
 * {@code e}; without one its schedule is {@link #constant}.
 *
 * <p>JSON form (what population-based training writes as {@code best-schedule.json} and {@code repmtl train
 * --lambda-schedule FILE} reads):
 * <pre>{@code
 * { "segments": [ { "fromEpoch": 0, "lambdaTsr": 0.9, "lambdaCsa": 0.9, "tau": 0.5 },
 *                 { "fromEpoch": 4, "lambdaTsr": 1.125, "lambdaCsa": 0.72, "tau": 0.5 } ] }
 * }</pre>
 */
public record RepMtlSchedule(List<Segment> segments) implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Set<String> TOP_KEYS = Set.of("segments");
    private static final List<String> SEGMENT_KEYS = List.of("fromEpoch", "lambdaTsr", "lambdaCsa", "tau");

    /** The values from epoch {@code fromEpoch} on. */
    public record Segment(int fromEpoch, double lambdaTsr, double lambdaCsa, double tau) implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Whether the hyperparameters (not the start) equal {@code other}'s, bit for bit. */
        public boolean sameValues(Segment other) {
            return Double.compare(lambdaTsr, other.lambdaTsr) == 0 && Double.compare(lambdaCsa, other.lambdaCsa) == 0
                    && Double.compare(tau, other.tau) == 0;
        }

        /** These values from epoch {@code epoch} on. */
        public Segment from(int epoch) { return new Segment(epoch, lambdaTsr, lambdaCsa, tau); }

        @Override
        public String toString() {
            return fromEpoch + ": lambdaTsr=" + lambdaTsr + ", lambdaCsa=" + lambdaCsa + ", tau=" + tau;
        }
    }

    /**
     * @throws IllegalArgumentException when there is no segment, the first does not start at epoch 0, starts are not
     *                                  strictly increasing, a lambda is negative or not finite, or a tau is not finite and > 0
     */
    public RepMtlSchedule {
        if (segments == null || segments.isEmpty()) throw new IllegalArgumentException("a Rep-MTL schedule needs at least one segment");
        segments = List.copyOf(segments);
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            String where = "schedule segment " + i + " (from epoch " + s.fromEpoch() + ")";
            if (i == 0 && s.fromEpoch() != 0)
                throw new IllegalArgumentException("the first schedule segment must start at epoch 0, got " + s.fromEpoch());
            if (i > 0 && s.fromEpoch() <= segments.get(i - 1).fromEpoch())
                throw new IllegalArgumentException(where + " does not start after segment " + (i - 1) + " (from epoch "
                        + segments.get(i - 1).fromEpoch() + "): segments must be sorted by fromEpoch without overlaps");
            nonNegative(where + ": lambdaTsr", s.lambdaTsr());
            nonNegative(where + ": lambdaCsa", s.lambdaCsa());
            if (!(s.tau() > 0) || !Double.isFinite(s.tau())) throw new IllegalArgumentException(where + ": tau must be finite and > 0, got " + s.tau());
        }
    }

    /** The same values for every epoch. */
    public static RepMtlSchedule constant(double lambdaTsr, double lambdaCsa, double tau) {
        return new RepMtlSchedule(List.of(new Segment(0, lambdaTsr, lambdaCsa, tau)));
    }

    /** The segment in force at {@code epoch} ({@code >= 0}). */
    public Segment at(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        Segment current = segments.get(0);
        for (Segment s : segments) {
            if (s.fromEpoch() > epoch) break;
            current = s;
        }
        return current;
    }

    /** True when every epoch has the same values. */
    public boolean isConstant() { return canonical().segments.size() == 1; }

    /** The same function with adjacent segments of equal values merged (the canonical form compared by resume). */
    public RepMtlSchedule canonical() {
        List<Segment> out = new ArrayList<>();
        for (Segment s : segments) if (out.isEmpty() || !out.get(out.size() - 1).sameValues(s)) out.add(s);
        return out.size() == segments.size() ? this : new RepMtlSchedule(out);
    }

    /** The values of epochs {@code 0..lastEpoch} only (canonical): what a run's first {@code lastEpoch + 1} epochs used. */
    public RepMtlSchedule upTo(int lastEpoch) {
        if (lastEpoch < 0) throw new IllegalArgumentException("lastEpoch must be >= 0, got " + lastEpoch);
        return new RepMtlSchedule(segments.stream().filter(s -> s.fromEpoch() <= lastEpoch).toList()).canonical();
    }

    /** This schedule's epochs {@code 0..fromEpoch-1} followed by {@code values} from {@code fromEpoch} on (canonical). */
    public RepMtlSchedule followedBy(int fromEpoch, double lambdaTsr, double lambdaCsa, double tau) {
        if (fromEpoch < 1) throw new IllegalArgumentException("a continuation starts at epoch >= 1, got " + fromEpoch);
        List<Segment> out = new ArrayList<>(upTo(fromEpoch - 1).segments);
        out.add(new Segment(fromEpoch, lambdaTsr, lambdaCsa, tau));
        return new RepMtlSchedule(out).canonical();
    }

    /** The JSON form of the class documentation. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("segments");
        for (Segment s : segments) {
            ObjectNode n = list.addObject();
            n.put("fromEpoch", s.fromEpoch());
            n.put("lambdaTsr", s.lambdaTsr());
            n.put("lambdaCsa", s.lambdaCsa());
            n.put("tau", s.tau());
        }
        return root;
    }

    /**
     * Reads the JSON form.
     *
     * @param source names the origin in error messages (a file)
     * @throws IllegalArgumentException naming the source and the missing, unknown or invalid key or segment
     */
    public static RepMtlSchedule fromJson(JsonNode node, String source) {
        if (node == null || !node.isObject()) throw new IllegalArgumentException(source + ": a Rep-MTL schedule must be a JSON object {\"segments\": [...]}");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TOP_KEYS.contains(key)) throw new IllegalArgumentException(source + ": unknown key '" + key + "'; valid: " + TOP_KEYS);
        }
        JsonNode list = node.get("segments");
        if (list == null || !list.isArray()) throw new IllegalArgumentException(source + ": key 'segments' must be an array of segments with keys " + SEGMENT_KEYS);
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode s = list.get(i);
            String where = source + ": segment " + i;
            if (!s.isObject()) throw new IllegalArgumentException(where + " must be an object with keys " + SEGMENT_KEYS);
            for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!SEGMENT_KEYS.contains(key)) throw new IllegalArgumentException(where + ": unknown key '" + key + "'; valid: " + SEGMENT_KEYS);
            }
            JsonNode from = s.get("fromEpoch");
            if (from == null || !from.canConvertToInt() || !from.isIntegralNumber())
                throw new IllegalArgumentException(where + ": 'fromEpoch' must be an integer, got " + from);
            segments.add(new Segment(from.intValue(), number(s, "lambdaTsr", where), number(s, "lambdaCsa", where), number(s, "tau", where)));
        }
        try {
            return new RepMtlSchedule(segments);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** Writes the JSON form to {@code file} atomically (temporary file in the same directory, then rename). */
    public void save(Path file) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(temp, JSON.writeValueAsString(toJson()) + System.lineSeparator(), StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Rep-MTL schedule " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a schedule file; errors name the file. */
    public static RepMtlSchedule load(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("Rep-MTL schedule file " + file + " does not exist");
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("Rep-MTL schedule file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        return fromJson(node, "Rep-MTL schedule file " + file);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < segments.size(); i++) sb.append(i == 0 ? "" : "; ").append(segments.get(i));
        return sb.append(']').toString();
    }

    private static double number(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) throw new IllegalArgumentException(where + ": key '" + key + "' is missing; required keys: " + SEGMENT_KEYS);
        if (!v.isNumber()) throw new IllegalArgumentException(where + ": '" + key + "' must be a number, got " + v);
        return v.doubleValue();
    }

    private static void nonNegative(String what, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
    }
}
