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
 * never a partial file: the text goes to {@code <name>.tmp} in the same directory, which is then renamed over
 * the target.
 */
final class AtomicFiles {
    /** Suffix of the temporary files; a file with it is an interrupted write and is never read. */
    static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {}

    static void writeString(Path target, String text) {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
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
