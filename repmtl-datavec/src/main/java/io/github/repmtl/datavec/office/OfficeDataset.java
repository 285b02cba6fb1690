package io.github.repmtl.datavec.office;

import io.github.repmtl.datavec.InvalidDataException;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.iterator.BatchIterators;
import io.github.repmtl.datavec.iterator.IndexedBatchIterator;
import io.github.repmtl.datavec.iterator.MultiInputIterator;
import io.github.repmtl.datavec.iterator.PrefetchingIterator;
import io.github.repmtl.datavec.iterator.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Office-31 or Office-Home in multi-input mode: one classification task per domain. Splits come from
 * LibMTL list files ({@code <domain>_<train|val|test>.txt} in the list folder) when they exist;
 * otherwise a seeded 60/20/20 split per domain and class is generated and written there as list files
 * together with {@code classes.txt}. Every listed image is checked to exist when the dataset is built;
 * an image that cannot be decoded fails its batch with an error naming the file.
 *
 * <p>Batches of {@link #iterator(String, Split, int, boolean)}: {@code features[0]} float32
 * {@code [B, 3, S, S]} (S = 224 by default; resized with PIL's antialiased bilinear filter, scaled to
 * [0, 1] and normalised with the ImageNet mean and standard deviation), {@code labels[0]} int64
 * {@code [B]} class indices. {@link #multiInputIterator(Split, int, boolean)} zips all domains.
 *
 * <pre>{@code
 * OfficeDataset office = OfficeDataset.builder(OfficeVariant.OFFICE_31).root(Path.of("/data/office31")).build();
 * MultiDataSetIterator amazon = office.iterator("amazon", Split.TRAIN, 32, true);
 * }</pre>
 */
public final class OfficeDataset {
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};
    private static final long SHUFFLE_STREAM = 21;
    private static final Logger log = LoggerFactory.getLogger(OfficeDataset.class);

    private final OfficeVariant variant;
    private final Path root;
    private final Path listDir;
    private final int imageSize;
    private final long seed;
    private final int prefetch;
    private final boolean listsGenerated;
    private final List<String> classNames;
    private final Map<String, Map<Split, List<ListFiles.Entry>>> entries;

    private OfficeDataset(Builder builder, Path listDir, boolean listsGenerated, List<String> classNames,
                          Map<String, Map<Split, List<ListFiles.Entry>>> entries) {
        this.variant = builder.variant;
        this.root = builder.root;
        this.listDir = listDir;
        this.imageSize = builder.imageSize;
        this.seed = builder.seed;
        this.prefetch = builder.prefetch;
        this.listsGenerated = listsGenerated;
        this.classNames = List.copyOf(classNames);
        this.entries = entries;
    }

    public static Builder builder(OfficeVariant variant) {
        return new Builder(variant);
    }

    /**
     * An iterator over one domain (task).
     *
     * @param domain    one of {@link #domains()}
     * @param split     which split
     * @param batchSize images per batch (the last batch of an epoch may be smaller)
     * @param shuffle   whether every epoch visits the images in a new seeded order
     */
    public MultiDataSetIterator iterator(String domain, Split split, int batchSize, boolean shuffle) {
        List<ListFiles.Entry> list = entries(domain, split);
        return BatchIterators.create(list.size(), batchSize, shuffle, shuffleSeed(domain, split), prefetch,
                "repmtl-office-" + domain + "-" + split.name().toLowerCase(), (indices, epoch) -> batch(list, indices));
    }

    /**
     * An iterator over all domains at once: {@code features[t]} and {@code labels[t]} belong to domain
     * {@code t} of {@link #domains()}; see {@link MultiInputIterator} for how epochs of unequal domains align.
     */
    public MultiDataSetIterator multiInputIterator(Split split, int batchSize, boolean shuffle) {
        List<IndexedBatchIterator> sources = new ArrayList<>();
        for (String domain : domains()) {
            List<ListFiles.Entry> list = entries(domain, split);
            if (list.isEmpty()) {
                throw new IllegalArgumentException(variant.displayName() + " domain " + domain + " has no "
                        + split + " images");
            }
            sources.add(new IndexedBatchIterator(list.size(), batchSize, shuffle, shuffleSeed(domain, split),
                    (indices, epoch) -> batch(list, indices)));
        }
        MultiInputIterator zipped = new MultiInputIterator(sources);
        return prefetch == 0 ? zipped
                : new PrefetchingIterator(zipped, prefetch, "repmtl-office-" + split.name().toLowerCase());
    }

    private long shuffleSeed(String domain, Split split) {
        return Seeds.derive(seed, SHUFFLE_STREAM, domains().indexOf(domain), split.ordinal());
    }

    private List<ListFiles.Entry> entries(String domain, Split split) {
        Map<Split, List<ListFiles.Entry>> byDomain = entries.get(domain);
        if (byDomain == null) {
            throw new IllegalArgumentException("unknown " + variant.displayName() + " domain '" + domain + "'; domains: "
                    + domains());
        }
        return byDomain.get(split);
    }

    private MultiDataSet batch(List<ListFiles.Entry> list, int[] indices) {
        int batch = indices.length;
        int plane = imageSize * imageSize;
        float[] features = new float[batch * 3 * plane];
        long[] labels = new long[batch];
        for (int b = 0; b < batch; b++) {
            ListFiles.Entry entry = list.get(indices[b]);
            RgbImageReader.RgbImage image = RgbImageReader.read(root.resolve(entry.relativePath()));
            float[] resized = AntialiasedResize.resize(image.planes(), 3, image.height(), image.width(), imageSize, imageSize);
            for (int c = 0; c < 3; c++) {
                int offset = (b * 3 + c) * plane;
                for (int i = 0; i < plane; i++) {
                    features[offset + i] = (resized[c * plane + i] / 255f - MEAN[c]) / STD[c];
                }
            }
            labels[b] = entry.label();
        }
        INDArray featureArray = Nd4j.create(features, new long[]{batch, 3, imageSize, imageSize}, DataType.FLOAT);
        INDArray labelArray = Nd4j.create(labels, new long[]{batch}, DataType.LONG);
        return new org.nd4j.linalg.dataset.MultiDataSet(featureArray, labelArray);
    }

    /** The domains (tasks), in task order. */
    public List<String> domains() {
        return variant.domains();
    }

    /** Class names indexed by label. */
    public List<String> classNames() {
        return classNames;
    }

    /** Number of images of a domain in a split. */
    public int size(String domain, Split split) {
        return entries(domain, split).size();
    }

    /** Whether the list files were generated by this build (rather than read). */
    public boolean listsGenerated() {
        return listsGenerated;
    }

    /** The folder the list files were read from or written to. */
    public Path listDir() {
        return listDir;
    }

    public OfficeVariant variant() {
        return variant;
    }

    /** Configures an {@link OfficeDataset}; {@link #build()} reads or generates the list files. */
    public static final class Builder {
        private final OfficeVariant variant;
        private Path root;
        private Path listDir;
        private int imageSize = 224;
        private long seed = 42;
        private int prefetch = 2;

        private Builder(OfficeVariant variant) {
            if (variant == null) {
                throw new IllegalArgumentException("variant must not be null");
            }
            this.variant = variant;
        }

        /** The dataset folder holding the domain folders (required); list paths are relative to it. */
        public Builder root(Path root) {
            this.root = root;
            return this;
        }

        /** Where the list files are read from, or written to when absent (default: the root folder). */
        public Builder listDir(Path listDir) {
            this.listDir = listDir;
            return this;
        }

        /** Side of the square the images are resized to (default 224). */
        public Builder imageSize(int imageSize) {
            if (imageSize < 1) {
                throw new IllegalArgumentException("imageSize must be >= 1, got " + imageSize);
            }
            this.imageSize = imageSize;
            return this;
        }

        /** Seed of the generated split and of the shuffling (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Batches loaded ahead on a background thread (default 2; 0 loads synchronously). */
        public Builder prefetch(int prefetch) {
            if (prefetch < 0) {
                throw new IllegalArgumentException("prefetch must be >= 0, got " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        public OfficeDataset build() {
            if (root == null) {
                throw new IllegalArgumentException(variant.displayName() + ": root(...) must be set to the dataset folder");
            }
            if (!Files.isDirectory(root)) {
                throw new InvalidDataException(variant.displayName() + " root folder " + root + " does not exist");
            }
            Path lists = listDir != null ? listDir : root;
            List<String> missing = new ArrayList<>();
            int present = 0;
            for (String domain : variant.domains()) {
                for (Split split : Split.values()) {
                    if (Files.isRegularFile(lists.resolve(ListFiles.fileName(domain, split)))) {
                        present++;
                    } else {
                        missing.add(ListFiles.fileName(domain, split));
                    }
                }
            }
            if (present == 0) {
                return generated(lists);
            }
            if (!missing.isEmpty()) {
                throw new InvalidDataException(lists + " holds only some " + variant.displayName() + " list files; missing "
                        + missing + " (remove the others to generate a fresh split)");
            }
            return read(lists);
        }

        private OfficeDataset generated(Path lists) {
            SplitGenerator.Lists generatedLists = SplitGenerator.generate(variant, root, seed);
            try {
                Files.createDirectories(lists);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create list folder " + lists, e);
            }
            generatedLists.entries().forEach((domain, splits) -> splits.forEach(
                    (split, list) -> ListFiles.write(lists.resolve(ListFiles.fileName(domain, split)), list)));
            ListFiles.writeClasses(lists.resolve(ListFiles.CLASSES_FILE), generatedLists.classNames());
            log.info("{}: no list files in {}; wrote a seeded 60/20/20 split (seed {}) and {} there",
                    variant.displayName(), lists, seed, ListFiles.CLASSES_FILE);
            return new OfficeDataset(this, lists, true, generatedLists.classNames(), generatedLists.entries());
        }

        private OfficeDataset read(Path lists) {
            List<String> problems = new ArrayList<>();
            Map<String, Map<Split, List<ListFiles.Entry>>> entries = new LinkedHashMap<>();
            TreeMap<Integer, String> classByLabel = new TreeMap<>();
            Map<String, Integer> labelByClass = new LinkedHashMap<>();
            for (String domain : variant.domains()) {
                Map<Split, List<ListFiles.Entry>> splits = new EnumMap<>(Split.class);
                for (Split split : Split.values()) {
                    Path listFile = lists.resolve(ListFiles.fileName(domain, split));
                    List<ListFiles.Entry> list = ListFiles.read(listFile, problems);
                    for (ListFiles.Entry entry : list) {
                        check(entry, listFile, classByLabel, labelByClass, problems);
                    }
                    splits.put(split, list);
                }
                entries.put(domain, splits);
            }
            int classCount = classByLabel.isEmpty() ? 0 : classByLabel.lastKey() + 1;
            for (int label = 0; label < classCount; label++) {
                if (!classByLabel.containsKey(label)) {
                    problems.add("label " + label + " never appears in the list files (labels must be 0.." + (classCount - 1) + ")");
                }
            }
            if (!problems.isEmpty()) {
                StringBuilder message = new StringBuilder(variant.displayName() + " list files in " + lists + " are not usable ("
                        + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):");
                problems.stream().limit(40).forEach(problem -> message.append("\n  - ").append(problem));
                if (problems.size() > 40) {
                    message.append("\n  ... and ").append(problems.size() - 40).append(" more");
                }
                throw new InvalidDataException(message.toString());
            }
            return new OfficeDataset(this, lists, false, List.copyOf(classByLabel.values()), entries);
        }

        private void check(ListFiles.Entry entry, Path listFile, Map<Integer, String> classByLabel,
                           Map<String, Integer> labelByClass, List<String> problems) {
            Path image = root.resolve(entry.relativePath());
            if (!Files.isRegularFile(image)) {
                problems.add("image not found: " + image + " (listed in " + listFile + ")");
            }
            Path parent = Path.of(entry.relativePath()).getParent();
            String className = parent == null ? "" : parent.getFileName().toString();
            String known = classByLabel.putIfAbsent(entry.label(), className);
            if (known != null && !known.equals(className)) {
                problems.add("label " + entry.label() + " is used for class folders '" + known + "' and '" + className
                        + "' (" + listFile + ": " + entry.relativePath() + ")");
            }
            Integer knownLabel = labelByClass.putIfAbsent(className, entry.label());
            if (knownLabel != null && knownLabel != entry.label()) {
                problems.add("class folder '" + className + "' has labels " + knownLabel + " and " + entry.label()
                        + " (" + listFile + ": " + entry.relativePath() + ")");
            }
        }
    }
}
