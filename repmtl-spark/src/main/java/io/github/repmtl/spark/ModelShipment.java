package io.github.repmtl.spark;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A {@link MultiTaskModel} as bytes for Spark's closures and broadcasts ({@code SameDiff} is not Serializable):
 * the two files of {@link MultiTaskModelFiles}, so that an executor loads exactly what {@code repmtl} saves.
 */
record ModelShipment(byte[] graph, byte[] description) implements Serializable {
    /** The model as it is now (take it before a trainer prepares the graph: preparation adds variables). */
    static ModelShipment of(MultiTaskModel model) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("repmtl-ship");
            MultiTaskModelFiles.save(model, dir);
            return new ModelShipment(Files.readAllBytes(dir.resolve(MultiTaskModelFiles.GRAPH)), Files.readAllBytes(dir.resolve(MultiTaskModelFiles.DESCRIPTION)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the model for Spark: " + e.getMessage(), e);
        } finally {
            delete(dir);
        }
    }

    /** A fresh copy of the shipped model. */
    MultiTaskModel load() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("repmtl-ship");
            Files.write(dir.resolve(MultiTaskModelFiles.GRAPH), graph);
            Files.write(dir.resolve(MultiTaskModelFiles.DESCRIPTION), description);
            return MultiTaskModelFiles.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the shipped model: " + e.getMessage(), e);
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
