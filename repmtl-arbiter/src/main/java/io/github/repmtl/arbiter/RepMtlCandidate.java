package io.github.repmtl.arbiter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.CsaVariant;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.strategy.weighting.EqualWeighting;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * One Rep-MTL training configuration proposed by the search: the regularizer's {@code lambda_tsr},
 * {@code lambda_csa}, {@code tau}, CSA variant and log transform, the learning rate and the loss-weighting
 * strategy (a name from {@link Strategies}).
 *
 * <p>Its JSON form is what the search exports as {@value #BEST_CONFIG_FILE} and what the trainer and the
 * command line read back with {@link #load(Path)}:
 * <pre>{@code
 * { "lambdaTsr": 0.9, "lambdaCsa": 1.1, "tau": 0.5, "csaVariant": "PAPER",
 *   "logTransform": true, "learningRate": 0.001, "strategy": "ew" }
 * }</pre>
 * Every key is required; {@code csaVariant} is {@code PAPER} or {@code INFONCE} (any case). Values are checked
 * by {@link #validate()}, which loading and training call; the search itself may propose invalid values from a
 * user-supplied parameter space, and such a candidate is then recorded as failed.
 */
public record RepMtlCandidate(double lambdaTsr, double lambdaCsa, double tau, CsaVariant csaVariant, boolean logTransform,
                              double learningRate, String strategy) implements Serializable {
    /** File name of the exported best configuration in a search's output directory. */
    public static final String BEST_CONFIG_FILE = "best-config.json";
    /** Learning rate of the candidates when the space does not search it. */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> KEYS = List.of("lambdaTsr", "lambdaCsa", "tau", "csaVariant", "logTransform", "learningRate", "strategy");

    /** The spec's defaults (lambdas 0.9, tau 0.5, PAPER, log transform on) with Adam's 1e-3 and equal weighting. */
    public static RepMtlCandidate defaults() {
        return new RepMtlCandidate(0.9, 0.9, 0.5, CsaVariant.PAPER, true, DEFAULT_LEARNING_RATE, EqualWeighting.DESCRIPTOR.name());
    }

    /**
     * Checks every value and canonicalises the strategy name.
     *
     * @return this candidate with the registry's spelling of the strategy
     * @throws IllegalArgumentException naming the first invalid value
     */
    public RepMtlCandidate validate() {
        nonNegative("lambdaTsr", lambdaTsr);
        nonNegative("lambdaCsa", lambdaCsa);
        if (!(tau > 0) || !Double.isFinite(tau)) throw new IllegalArgumentException("tau must be finite and > 0, got " + tau);
        if (!(learningRate > 0) || !Double.isFinite(learningRate))
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        if (csaVariant == null) throw new IllegalArgumentException("csaVariant is missing; valid: " + Arrays.toString(CsaVariant.values()));
        String canonical = Strategies.descriptor(strategy).name();
        return canonical.equals(strategy) ? this : new RepMtlCandidate(lambdaTsr, lambdaCsa, tau, csaVariant, logTransform, learningRate, canonical);
    }

    /** True when the strategy is equal weighting, the trainer's default. */
    public boolean usesEqualWeighting() {
        return Strategies.descriptor(strategy).name().equals(EqualWeighting.DESCRIPTOR.name());
    }

    /** A Rep-MTL builder for {@code model} with this candidate's regularizer settings. */
    public RepMtl.Builder repMtl(MultiTaskModel model) {
        return RepMtl.builder(model).lambdaTsr(lambdaTsr).lambdaCsa(lambdaCsa).tau(tau).csaVariant(csaVariant).logTransform(logTransform);
    }

    /** The JSON form described in the class documentation. */
    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("lambdaTsr", lambdaTsr);
        node.put("lambdaCsa", lambdaCsa);
        node.put("tau", tau);
        node.put("csaVariant", csaVariant == null ? null : csaVariant.name());
        node.put("logTransform", logTransform);
        node.put("learningRate", learningRate);
        node.put("strategy", strategy);
        return node;
    }

    /**
     * Reads the JSON form and validates it.
     *
     * @param source names the origin in error messages (a file, a record)
     * @throws IllegalArgumentException naming the source and the missing, unknown or invalid key
     */
    public static RepMtlCandidate fromJson(JsonNode node, String source) {
        RepMtlCandidate candidate = readJson(node, source);
        try {
            return candidate.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** Reads the JSON form without checking the values (search records keep invalid proposals as they were). */
    static RepMtlCandidate readJson(JsonNode node, String source) {
        if (node == null || !node.isObject()) throw new IllegalArgumentException(source + ": a configuration must be a JSON object with keys " + KEYS);
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) unknown.add(key);
        }
        if (!unknown.isEmpty()) throw new IllegalArgumentException(source + ": unknown key(s) " + unknown + "; valid keys: " + KEYS);
        return new RepMtlCandidate(number(node, "lambdaTsr", source), number(node, "lambdaCsa", source),
                number(node, "tau", source), variant(text(node, "csaVariant", source), source), bool(node, "logTransform", source),
                number(node, "learningRate", source), text(node, "strategy", source));
    }

    /** Writes the JSON form to {@code file} atomically (temporary file, then rename). */
    public void save(Path file) {
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(toJson()) + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise configuration for " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a configuration file such as {@value #BEST_CONFIG_FILE}; errors name the file. */
    public static RepMtlCandidate load(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("configuration file " + file + " does not exist");
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("configuration file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        return fromJson(node, "configuration file " + file);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "{lambdaTsr=%s, lambdaCsa=%s, tau=%s, csaVariant=%s, logTransform=%s, learningRate=%s, strategy=%s}",
                lambdaTsr, lambdaCsa, tau, csaVariant, logTransform, learningRate, strategy);
    }

    private static void nonNegative(String what, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
    }

    private static JsonNode field(JsonNode node, String key, String source) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) throw new IllegalArgumentException(source + ": key '" + key + "' is missing; required keys: " + KEYS);
        return v;
    }

    private static double number(JsonNode node, String key, String source) {
        JsonNode v = field(node, key, source);
        if (!v.isNumber()) throw new IllegalArgumentException(source + ": '" + key + "' must be a number, got " + v);
        return v.doubleValue();
    }

    private static boolean bool(JsonNode node, String key, String source) {
        JsonNode v = field(node, key, source);
        if (!v.isBoolean()) throw new IllegalArgumentException(source + ": '" + key + "' must be true or false, got " + v);
        return v.booleanValue();
    }

    private static String text(JsonNode node, String key, String source) {
        JsonNode v = field(node, key, source);
        if (!v.isTextual()) throw new IllegalArgumentException(source + ": '" + key + "' must be a string, got " + v);
        return v.textValue();
    }

    private static CsaVariant variant(String name, String source) {
        for (CsaVariant v : CsaVariant.values()) if (v.name().equalsIgnoreCase(name.trim())) return v;
        throw new IllegalArgumentException(source + ": unknown csaVariant '" + name + "'; valid: " + Arrays.toString(CsaVariant.values()));
    }
}
