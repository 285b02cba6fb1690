package io.github.repmtl.datavec.office;

import io.github.repmtl.datavec.Split;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The LibMTL list-file format: {@code <domain>_<train|val|test>.txt}, one {@code relative/path.jpg <label>}
 * per line (paths relative to the dataset root, {@code /}-separated), plus {@code classes.txt} with one
 * {@code <label> <class name>} per line.
 */
final class ListFiles {
    static final String CLASSES_FILE = "classes.txt";

    private ListFiles() {
    }

    /** One line of a list file. */
    record Entry(String relativePath, int label) {
    }

    /** The list-file name of a domain and split, e.g. {@code amazon_train.txt}. */
    static String fileName(String domain, Split split) {
        String suffix = switch (split) {
            case TRAIN -> "train";
            case VALIDATION -> "val";
            case TEST -> "test";
        };
        return domain + "_" + suffix + ".txt";
    }

    /** Parses a list file; malformed lines are added to {@code problems} with file and line number. */
    static List<Entry> read(Path file, List<String> problems) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(file + ": cannot read (" + e.getMessage() + ")");
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty()) {
                continue;
            }
            int separator = Math.max(line.lastIndexOf(' '), line.lastIndexOf('\t'));
            String labelText = separator < 0 ? "" : line.substring(separator + 1);
            if (separator <= 0 || !labelText.matches("[0-9]{1,6}")) {
                problems.add(file + " line " + (n + 1) + ": expected '<relative path> <label>', got '" + line + "'");
                continue;
            }
            entries.add(new Entry(line.substring(0, separator).strip(), Integer.parseInt(labelText)));
        }
        return entries;
    }

    static void write(Path file, List<Entry> entries) {
        StringBuilder text = new StringBuilder();
        for (Entry entry : entries) {
            text.append(entry.relativePath()).append(' ').append(entry.label()).append('\n');
        }
        writeText(file, text.toString());
    }

    static void writeClasses(Path file, List<String> classNames) {
        StringBuilder text = new StringBuilder();
        for (int label = 0; label < classNames.size(); label++) {
            text.append(label).append(' ').append(classNames.get(label)).append('\n');
        }
        writeText(file, text.toString());
    }

    private static void writeText(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + " (configure a writable listDir)", e);
        }
    }
}
