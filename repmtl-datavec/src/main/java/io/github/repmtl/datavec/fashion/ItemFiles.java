package io.github.repmtl.datavec.fashion;

import io.github.repmtl.datavec.InvalidDataException;
import io.github.repmtl.datavec.idx.IdxArray;
import io.github.repmtl.datavec.idx.IdxReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Locates and loads the four idx files of an MNIST-style collection, from a directory (plain or
 * {@code .gz} files) or from the class path.
 */
final class ItemFiles {
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    private static final List<String> ALL = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    /** The original train and test splits of a collection. */
    record Collection(LabelledItems train, LabelledItems test) {
    }

    private ItemFiles() {
    }

    /** Whether all four files exist in the directory (each plain or gzip). */
    static boolean presentIn(Path directory) {
        return ALL.stream().allMatch(name -> locate(directory, name).isPresent());
    }

    static Collection fromDirectory(Path directory, ItemSet itemSet) {
        if (!Files.isDirectory(directory)) {
            throw new InvalidDataException(itemSet.displayName() + " directory " + directory + " does not exist");
        }
        List<String> missing = new ArrayList<>();
        for (String name : ALL) {
            if (locate(directory, name).isEmpty()) {
                missing.add(name + "[.gz]");
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidDataException(itemSet.displayName() + " directory " + directory + " lacks " + missing);
        }
        int classes = itemSet.classNames().size();
        return new Collection(
                LabelledItems.of(IdxReader.read(locate(directory, TRAIN_IMAGES).orElseThrow()),
                        IdxReader.read(locate(directory, TRAIN_LABELS).orElseThrow()), classes),
                LabelledItems.of(IdxReader.read(locate(directory, TEST_IMAGES).orElseThrow()),
                        IdxReader.read(locate(directory, TEST_LABELS).orElseThrow()), classes));
    }

    static Collection fromClassPath(String folder, ItemSet itemSet) {
        int classes = itemSet.classNames().size();
        return new Collection(
                LabelledItems.of(resource(folder, TRAIN_IMAGES), resource(folder, TRAIN_LABELS), classes),
                LabelledItems.of(resource(folder, TEST_IMAGES), resource(folder, TEST_LABELS), classes));
    }

    private static IdxArray resource(String folder, String name) {
        String path = folder + name + ".gz";
        try (InputStream in = ItemFiles.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new InvalidDataException("class-path resource " + path + " is missing from the repmtl-datavec jar");
            }
            return IdxReader.read("classpath:" + path, in);
        } catch (IOException e) {
            throw new InvalidDataException("cannot read class-path resource " + path, e);
        }
    }

    private static Optional<Path> locate(Path directory, String name) {
        Path gzip = directory.resolve(name + ".gz");
        if (Files.isRegularFile(gzip)) {
            return Optional.of(gzip);
        }
        Path plain = directory.resolve(name);
        return Files.isRegularFile(plain) ? Optional.of(plain) : Optional.empty();
    }
}
