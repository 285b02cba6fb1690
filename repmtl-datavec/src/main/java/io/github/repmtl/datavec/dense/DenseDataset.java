package io.github.repmtl.datavec.dense;

import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.iterator.BatchIterators;
import io.github.repmtl.datavec.iterator.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * NYUv2 or Cityscapes in the preprocessed {@code .npy} layout (see {@link DenseBenchmark}), as
 * {@link MultiDataSetIterator}s. Samples are paired across folders by their index ({@code i.npy}),
 * never by directory order. The folder is fully checked when the dataset is built (see
 * {@code DenseManifest}): all problems are reported in one error.
 *
 * <p>Splits: TEST is the {@code val} folder; TRAIN is the {@code train} folder minus VALIDATION, a
 * seeded random subset of {@code validationSize} training samples (0 by default).
 *
 * <p>Batches: {@code features[0]} float32 {@code [B, 3, H, W]}; labels in the order of
 * {@link DenseBenchmark#tasks()}: segmentation int64 {@code [B, H, W]} (-1 = ignore), depth float32
 * {@code [B, 1, H, W]}, normals float32 {@code [B, 3, H, W]} (NYUv2 only). With
 * {@link Builder#augment(boolean)} the TRAIN split is augmented as described in {@code ScaleCropFlip};
 * the augmentation of a sample depends only on the seed, the epoch and the sample's index.
 *
 * <pre>{@code
 * DenseDataset nyu = NyuV2.builder().root(Path.of("/data/nyuv2")).validationSize(159).augment(true).build();
 * MultiDataSetIterator train = nyu.iterator(Split.TRAIN, 8, true);
 * }</pre>
 */
public final class DenseDataset {
    private static final long VALIDATION_STREAM = 11;
    private static final long SHUFFLE_STREAM = 12;
    private static final long AUGMENT_STREAM = 13;

    private final DenseBenchmark benchmark;
    private final int height;
    private final int width;
    private final long seed;
    private final boolean augment;
    private final double[] scales;
    private final int prefetch;
    private final DenseSampleReader reader;
    private final Map<Split, int[]> fileIndices = new EnumMap<>(Split.class);

    private DenseDataset(Builder builder, DenseManifest manifest) {
        this.benchmark = builder.benchmark;
        this.height = builder.height;
        this.width = builder.width;
        this.seed = builder.seed;
        this.augment = builder.augment;
        this.scales = builder.scales.clone();
        this.prefetch = builder.prefetch;
        this.reader = new DenseSampleReader(benchmark, manifest, height, width);
        int trainCount = manifest.trainCount();
        if (builder.validationSize >= trainCount) {
            throw new IllegalArgumentException("validationSize " + builder.validationSize + " leaves no training samples"
                    + " out of " + trainCount);
        }
        int[] order = Seeds.permutation(trainCount, Seeds.random(seed, VALIDATION_STREAM));
        int[] validation = Arrays.copyOfRange(order, 0, builder.validationSize);
        int[] train = Arrays.copyOfRange(order, builder.validationSize, trainCount);
        Arrays.sort(validation);
        Arrays.sort(train);
        int[] test = new int[manifest.testCount()];
        Arrays.setAll(test, i -> i);
        fileIndices.put(Split.TRAIN, train);
        fileIndices.put(Split.VALIDATION, validation);
        fileIndices.put(Split.TEST, test);
    }

    /** A builder for a benchmark; see also {@link NyuV2#builder()} and {@link Cityscapes#builder()}. */
    public static Builder builder(DenseBenchmark benchmark) {
        return new Builder(benchmark);
    }

    /**
     * An iterator over a split. Only TRAIN is augmented (when enabled).
     *
     * @param split     which split
     * @param batchSize samples per batch (the last batch of an epoch may be smaller)
     * @param shuffle   whether every epoch visits the samples in a new seeded order
     */
    public MultiDataSetIterator iterator(Split split, int batchSize, boolean shuffle) {
        int[] files = fileIndices.get(split);
        boolean augmented = augment && split == Split.TRAIN;
        String folder = split == Split.TEST ? DenseManifest.TEST_FOLDER : DenseManifest.TRAIN_FOLDER;
        return BatchIterators.create(files.length, batchSize, shuffle, Seeds.derive(seed, SHUFFLE_STREAM, split.ordinal()),
                prefetch, "repmtl-" + benchmark.name().toLowerCase() + "-" + split.name().toLowerCase(),
                (indices, epoch) -> batch(folder, files, indices, epoch, augmented));
    }

    private MultiDataSet batch(String folder, int[] files, int[] indices, int epoch, boolean augmented) {
        int batch = indices.length;
        int plane = height * width;
        boolean normals = benchmark.tasks().contains(DenseTask.NORMAL);
        float[] images = new float[batch * 3 * plane];
        long[] labels = new long[batch * plane];
        float[] depths = new float[batch * plane];
        float[] normalMaps = normals ? new float[batch * 3 * plane] : null;
        for (int b = 0; b < batch; b++) {
            int file = files[indices[b]];
            DenseSample sample = reader.read(folder, file);
            ScaleCropFlip.Crop crop = augmented
                    ? ScaleCropFlip.Crop.draw(Seeds.random(seed, AUGMENT_STREAM, epoch, file), scales, height, width)
                    : ScaleCropFlip.Crop.identity(height, width);
            ScaleCropFlip transform = new ScaleCropFlip(height, width, crop);
            transform.bilinear(sample.image(), 3, false, images, b * 3 * plane);
            transform.nearest(sample.label(), labels, b * plane);
            transform.nearestDepth(sample.depth(), depths, b * plane);
            if (normals) {
                transform.bilinear(sample.normal(), 3, true, normalMaps, b * 3 * plane);
            }
        }
        INDArray features = Nd4j.create(images, new long[]{batch, 3, height, width}, DataType.FLOAT);
        INDArray[] taskLabels = new INDArray[benchmark.tasks().size()];
        for (int t = 0; t < taskLabels.length; t++) {
            taskLabels[t] = switch (benchmark.tasks().get(t)) {
                case SEGMENTATION -> Nd4j.create(labels, new long[]{batch, height, width}, DataType.LONG);
                case DEPTH -> Nd4j.create(depths, new long[]{batch, 1, height, width}, DataType.FLOAT);
                case NORMAL -> Nd4j.create(normalMaps, new long[]{batch, 3, height, width}, DataType.FLOAT);
            };
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{features}, taskLabels);
    }

    /** Number of samples in a split. */
    public int size(Split split) {
        return fileIndices.get(split).length;
    }

    /**
     * The file indices ({@code i} of {@code i.npy}) of a split, ascending; TRAIN and VALIDATION index the
     * {@code train} folder, TEST the {@code val} folder.
     */
    public int[] fileIndices(Split split) {
        return fileIndices.get(split).clone();
    }

    public DenseBenchmark benchmark() {
        return benchmark;
    }

    /** The tasks, in the order of the label arrays. */
    public List<DenseTask> tasks() {
        return benchmark.tasks();
    }

    /** Configures a {@link DenseDataset}; {@link #build()} checks the whole folder. */
    public static final class Builder {
        private final DenseBenchmark benchmark;
        private Path root;
        private int height;
        private int width;
        private long seed = 42;
        private int validationSize;
        private boolean augment;
        private double[] scales = {1.0, 1.2, 1.5};
        private int prefetch = 2;

        private Builder(DenseBenchmark benchmark) {
            if (benchmark == null) {
                throw new IllegalArgumentException("benchmark must not be null");
            }
            this.benchmark = benchmark;
            this.height = benchmark.height();
            this.width = benchmark.width();
        }

        /** The folder holding {@code train/} and {@code val/} (required). */
        public Builder root(Path root) {
            this.root = root;
            return this;
        }

        /** Image size the files must have (default: the benchmark's, 288x384 or 128x256). */
        public Builder imageSize(int height, int width) {
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
            }
            this.height = height;
            this.width = width;
            return this;
        }

        /** Seed of the validation split, the shuffling and the augmentation (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Number of training samples held out as VALIDATION (default 0; e.g. 159 for NYUv2's 636/159). */
        public Builder validationSize(int validationSize) {
            if (validationSize < 0) {
                throw new IllegalArgumentException("validationSize must be >= 0, got " + validationSize);
            }
            this.validationSize = validationSize;
            return this;
        }

        /** Whether TRAIN batches are augmented by random scale-crop and flip (default false). */
        public Builder augment(boolean augment) {
            this.augment = augment;
            return this;
        }

        /** The scales the scale-crop draws from (default {1.0, 1.2, 1.5}); each must be >= 1. */
        public Builder scales(double... scales) {
            if (scales == null || scales.length == 0) {
                throw new IllegalArgumentException("at least one scale is required");
            }
            for (double scale : scales) {
                if (!(scale >= 1.0) || Double.isInfinite(scale)) {
                    throw new IllegalArgumentException("scales must be finite and >= 1, got " + scale);
                }
            }
            this.scales = scales.clone();
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

        public DenseDataset build() {
            if (root == null) {
                throw new IllegalArgumentException(benchmark.displayName() + ": root(...) must be set to the folder"
                        + " holding train/ and val/");
            }
            return new DenseDataset(this, DenseManifest.check(benchmark, root, height, width));
        }
    }
}
