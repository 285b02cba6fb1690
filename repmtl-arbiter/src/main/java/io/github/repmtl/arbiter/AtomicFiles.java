package io.github.repmtl.arbiter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that a reader (or a search restarted after a kill) sees either the old content or the new,
 * never a partial file: the text goes to {@code <name>.<unique>.tmp} in the same directory (unique, so that a Spark
 * task re-run beside its first attempt never shares it), which is then renamed over the target.
 */
public final class AtomicFiles {
    /** Suffix of the temporary files; a file with it is an interrupted write and is never read. */
    public static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {}

    /** Writes {@code text} (UTF-8) to {@code target} through a temporary file and a rename. */
    public static void writeString(Path target, String text) {
        Path temp = target.resolveSibling(target.getFileName() + "." + java.util.UUID.randomUUID() + TEMP_SUFFIX);
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
