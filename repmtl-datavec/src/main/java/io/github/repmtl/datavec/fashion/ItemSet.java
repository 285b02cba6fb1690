package io.github.repmtl.datavec.fashion;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The 28x28 grey-scale item collections MultiFashion-style datasets are composed from, with where
 * their idx files are found by default.
 */
public enum ItemSet {
    /** Fashion-MNIST (Zalando Research, MIT licence); Debian package {@code dataset-fashion-mnist}. */
    FASHION_MNIST("Fashion-MNIST", "/usr/share/datasets/fashion-mnist", "/io/github/repmtl/datavec/fashion-mnist-subset/",
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                    "Ankle boot")),
    /** MNIST handwritten digits; the user supplies the directory of its idx files. */
    MNIST("MNIST", null, null, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));

    private final String displayName;
    private final String defaultDirectory;
    private final String bundledResourceFolder;
    private final List<String> classNames;

    ItemSet(String displayName, String defaultDirectory, String bundledResourceFolder, List<String> classNames) {
        this.displayName = displayName;
        this.defaultDirectory = defaultDirectory;
        this.bundledResourceFolder = bundledResourceFolder;
        this.classNames = classNames;
    }

    public String displayName() {
        return displayName;
    }

    /** Where the idx files are looked for when no directory is configured, if anywhere. */
    public Optional<Path> defaultDirectory() {
        return Optional.ofNullable(defaultDirectory).map(Path::of);
    }

    /** Class-path folder of the subset shipped with this module, if any. */
    public Optional<String> bundledResourceFolder() {
        return Optional.ofNullable(bundledResourceFolder);
    }

    /** The class names, indexed by label. */
    public List<String> classNames() {
        return classNames;
    }
}
