package io.github.repmtl.arbiter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings that decide which candidates a search proposes and how they are scored, written as
 * {@value #FILE} in the output directory. A search resumed in the same directory must have the same settings
 * (only the limits, candidate count and wall time, may change), otherwise its candidate sequence would not match
 * the recorded one; a mismatch is refused with the differing keys. The model and data factories cannot be
 * fingerprinted: resuming with different ones is the caller's responsibility.
 */
final class SearchManifest {
    static final String FILE = "search.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SearchManifest() {}

    /**
     * Writes the manifest into a fresh directory, or checks it against the one already there.
     *
     * @param settings key to a string, number or boolean
     * @throws IllegalArgumentException naming every setting that differs from the recorded one
     */
    static void writeOrVerify(Path dir, Map<String, Object> settings) {
        Path file = dir.resolve(FILE);
        String text;
        JsonNode current;
        try {
            text = JSON.writeValueAsString(settings);
            current = JSON.readTree(text);                 // parsed like the recorded file, so number types compare equal
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the search settings: " + e.getMessage(), e);
        }
        if (!Files.exists(file)) {
            AtomicFiles.writeString(file, text + System.lineSeparator());
            return;
        }
        JsonNode recorded;
        try {
            recorded = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("search manifest " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        Set<String> keys = new LinkedHashSet<>();
        current.fieldNames().forEachRemaining(keys::add);
        for (Iterator<String> it = recorded.fieldNames(); it.hasNext(); ) keys.add(it.next());
        List<String> differences = new ArrayList<>();
        for (String key : keys) {
            JsonNode was = recorded.get(key), now = current.get(key);
            if (was == null || now == null || !was.equals(now)) differences.add(key + ": recorded " + was + ", now " + now);
        }
        if (!differences.isEmpty())
            throw new IllegalArgumentException("output directory " + dir + " holds a different search (" + file + "); differing settings: "
                    + differences + ". Resume with the same settings or use a new output directory");
    }
}
