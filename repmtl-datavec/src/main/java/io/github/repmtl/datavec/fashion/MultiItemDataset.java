package io.github.repmtl.datavec.fashion;

import io.github.repmtl.datavec.InvalidDataException;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.iterator.BatchIterators;
import io.github.repmtl.datavec.iterator.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * MultiFashion / MultiMNIST (Sener &amp; Koltun 2018; Lin et al. 2019): each sample overlays two items
 * of an MNIST-style collection on a 36x36 canvas as described in {@link OverlayCanvas}; task
 * {@code "left"} is the class of the top-left item, task {@code "right"} the class of the
 * bottom-right item.
 *
 * <p>Construction, all derived from the seed:
 * <ul>
 *   <li>TEST pairs draw both items from the original test images.</li>
 *   <li>The original training images are split by a seeded permutation into two disjoint pools, in
 *   proportion to {@code validationSize : trainSize} (each pool at least 2 images); TRAIN pairs draw
 *   from the first pool, VALIDATION pairs from the second, so validation never shares an image with
 *   training.</li>
 *   <li>Each pair draws two different images of its pool uniformly at random (their classes may
 *   coincide).</li>
 * </ul>
 *
 * <p>Batches: {@code features[0]} float32 {@code [B, 1, 36, 36]} in [0, 1]; {@code labels[0]} and
 * {@code labels[1]} int64 {@code [B]} class indices of the left and the right item.
 *
 * <pre>{@code
 * MultiItemDataset data = MultiFashion.builder().seed(42).trainSize(10000).validationSize(2000).testSize(2000).build();
 * MultiDataSetIterator train = data.iterator(Split.TRAIN, 64, true);
 * }</pre>
 */
public final class MultiItemDataset {
    /** Task names, in the order of the label arrays. */
    public static final List<String> TASKS = List.of("left", "right");

    private static final Logger log = LoggerFactory.getLogger(MultiItemDataset.class);
    private static final long POOL_STREAM = 1;
    private static final long PAIR_STREAM = 2;
    private static final long SHUFFLE_STREAM = 3;

    private final ItemSet itemSet;
    private final ItemSource source;
    private final long seed;
    private final int prefetch;
    private final Map<Split, Pairs> pairs = new EnumMap<>(Split.class);

    /** The item pairs of one split: indices into {@code items}. */
    record Pairs(LabelledItems items, int[] left, int[] right) {
        int size() {
            return left.length;
        }
    }

    private MultiItemDataset(Builder builder, ItemSource source, ItemFiles.Collection collection) {
        this.itemSet = builder.itemSet;
        this.source = source;
        this.seed = builder.seed;
        this.prefetch = builder.prefetch;
        int trainCount = collection.train().count();
        int validationPool = builder.validationSize == 0 ? 0 : (int) Math.round(
                (double) trainCount * builder.validationSize / (builder.trainSize + builder.validationSize));
        validationPool = builder.validationSize == 0 ? 0 : Math.max(2, Math.min(trainCount - 2, validationPool));
        if (trainCount - validationPool < 2) {
            throw new InvalidDataException(source + ": " + trainCount + " training images are too few to compose"
                    + " training" + (validationPool > 0 ? " and validation" : "") + " pairs");
        }
        int[] order = Seeds.permutation(trainCount, Seeds.random(seed, POOL_STREAM));
        int[] trainPool = Arrays.copyOfRange(order, validationPool, trainCount);
        int[] validationPoolItems = Arrays.copyOfRange(order, 0, validationPool);
        int[] testPool = new int[collection.test().count()];
        Arrays.setAll(testPool, i -> i);
        if (builder.testSize > 0 && testPool.length < 2) {
            throw new InvalidDataException(source + ": " + testPool.length + " test images are too few to compose"
                    + " test pairs");
        }
        pairs.put(Split.TRAIN, draw(collection.train(), trainPool, builder.trainSize, Split.TRAIN));
        pairs.put(Split.VALIDATION, draw(collection.train(), validationPoolItems, builder.validationSize, Split.VALIDATION));
        pairs.put(Split.TEST, draw(collection.test(), testPool, builder.testSize, Split.TEST));
    }

    private Pairs draw(LabelledItems items, int[] pool, int count, Split split) {
        SplittableRandom random = Seeds.random(seed, PAIR_STREAM, split.ordinal());
        int[] left = new int[count];
        int[] right = new int[count];
        for (int k = 0; k < count; k++) {
            int first = random.nextInt(pool.length);
            int second = random.nextInt(pool.length - 1);
            if (second >= first) {
                second++;
            }
            left[k] = pool[first];
            right[k] = pool[second];
        }
        return new Pairs(items, left, right);
    }

    /** A builder for the given item collection; see {@link MultiFashion} and {@link MultiMnist}. */
    public static Builder builder(ItemSet itemSet) {
        return new Builder(itemSet);
    }

    /**
     * An iterator over a split.
     *
     * @param split     which split
     * @param batchSize samples per batch (the last batch of an epoch may be smaller)
     * @param shuffle   whether every epoch visits the samples in a new seeded order
     */
    public MultiDataSetIterator iterator(Split split, int batchSize, boolean shuffle) {
        Pairs splitPairs = pairs.get(split);
        return BatchIterators.create(splitPairs.size(), batchSize, shuffle,
                Seeds.derive(seed, SHUFFLE_STREAM, split.ordinal()), prefetch,
                "repmtl-" + itemSet.name().toLowerCase() + "-" + split.name().toLowerCase(),
                (indices, epoch) -> batch(splitPairs, indices));
    }

    private static MultiDataSet batch(Pairs splitPairs, int[] indices) {
        int batch = indices.length;
        int canvas = OverlayCanvas.SIDE * OverlayCanvas.SIDE;
        float[] features = new float[batch * canvas];
        long[] leftLabels = new long[batch];
        long[] rightLabels = new long[batch];
        for (int b = 0; b < batch; b++) {
            int left = splitPairs.left()[indices[b]];
            int right = splitPairs.right()[indices[b]];
            OverlayCanvas.compose(splitPairs.items(), left, right, features, b * canvas);
            leftLabels[b] = splitPairs.items().label(left);
            rightLabels[b] = splitPairs.items().label(right);
        }
        INDArray featureArray = Nd4j.create(features, new long[]{batch, 1, OverlayCanvas.SIDE, OverlayCanvas.SIDE},
                DataType.FLOAT);
        INDArray[] labels = {
                Nd4j.create(leftLabels, new long[]{batch}, DataType.LONG),
                Nd4j.create(rightLabels, new long[]{batch}, DataType.LONG)};
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{featureArray}, labels);
    }

    /** Number of samples in a split. */
    public int size(Split split) {
        return pairs.get(split).size();
    }

    /** Where the items were read from: a directory or the bundled subset. */
    public ItemSource source() {
        return source;
    }

    public ItemSet itemSet() {
        return itemSet;
    }

    /** Class names of both tasks, indexed by label. */
    public List<String> classNames() {
        return itemSet.classNames();
    }

    Pairs pairs(Split split) {
        return pairs.get(split);
    }

    /** Configures a {@link MultiItemDataset}; {@link #build()} reads and validates the idx files. */
    public static final class Builder {
        private final ItemSet itemSet;
        private Path dataDir;
        private long seed = 42;
        private int trainSize = 10_000;
        private int validationSize = 2_000;
        private int testSize = 2_000;
        private int prefetch = 2;

        private Builder(ItemSet itemSet) {
            if (itemSet == null) {
                throw new IllegalArgumentException("itemSet must not be null");
            }
            this.itemSet = itemSet;
        }

        /**
         * Directory of the four idx files ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
         * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each plain or {@code .gz}). With
         * {@code null} (the default) the collection's default directory is used when it holds the files,
         * otherwise the bundled subset; an explicitly configured directory never falls back.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Seed of the pool split, the pairing and the shuffling (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Number of training pairs (default 10000). */
        public Builder trainSize(int trainSize) {
            if (trainSize < 1) {
                throw new IllegalArgumentException("trainSize must be >= 1, got " + trainSize);
            }
            this.trainSize = trainSize;
            return this;
        }

        /** Number of validation pairs, composed from training images held out of training (default 2000; 0 for none). */
        public Builder validationSize(int validationSize) {
            if (validationSize < 0) {
                throw new IllegalArgumentException("validationSize must be >= 0, got " + validationSize);
            }
            this.validationSize = validationSize;
            return this;
        }

        /** Number of test pairs, composed from the test images (default 2000). */
        public Builder testSize(int testSize) {
            if (testSize < 0) {
                throw new IllegalArgumentException("testSize must be >= 0, got " + testSize);
            }
            this.testSize = testSize;
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

        public MultiItemDataset build() {
            return build(itemSet.defaultDirectory().orElse(null));
        }

        /** Builds with the given default directory (null: none) in place of the item set's. */
        MultiItemDataset build(Path defaultDir) {
            if (dataDir != null) {
                return new MultiItemDataset(this, new ItemSource(ItemSource.Kind.DIRECTORY, dataDir.toString()),
                        ItemFiles.fromDirectory(dataDir, itemSet));
            }
            if (defaultDir != null && ItemFiles.presentIn(defaultDir)) {
                return new MultiItemDataset(this, new ItemSource(ItemSource.Kind.DIRECTORY, defaultDir.toString()),
                        ItemFiles.fromDirectory(defaultDir, itemSet));
            }
            String folder = itemSet.bundledResourceFolder().orElseThrow(() -> new InvalidDataException(
                    itemSet.displayName() + " has no default location: configure dataDir(...) with the directory of"
                            + " its idx files"));
            log.info("{} not found in {}; using the subset bundled with repmtl-datavec", itemSet.displayName(),
                    defaultDir);
            return new MultiItemDataset(this, new ItemSource(ItemSource.Kind.BUNDLED_SUBSET, "classpath:" + folder),
                    ItemFiles.fromClassPath(folder, itemSet));
        }
    }
}
