package io.github.repmtl.examples.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The data flags shared by {@code train}, {@code eval} and {@code search} (a picocli mixin), with LibMTL's
 * spellings as aliases. Which flags a benchmark accepts is checked by {@link BenchmarkData#open}.
 */
final class DataOptions {
    @Option(names = {"--benchmark", "--dataset"}, required = true, paramLabel = "NAME",
            description = "multifashion, multimnist, nyuv2, cityscapes, office-31 or office-home.")
    String benchmark;

    @Option(names = {"--data", "--dataset_path"}, paramLabel = "PATH",
            description = "Dataset folder: idx files (multifashion: optional, else /usr/share/datasets/fashion-mnist or the bundled "
                    + "subset; multimnist: required), the .npy root holding train/ and val/ (nyuv2, cityscapes) or the image root (office-*).")
    Path data;

    @Option(names = {"--batch-size", "--train_bs", "--bs"}, defaultValue = "64", paramLabel = "N",
            description = "Training batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"--eval-batch-size", "--test_bs"}, paramLabel = "N", description = "Evaluation batch size (default: the training batch size).")
    Integer evalBatchSize;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of data splits, shuffling, initialisation and training (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--train-size", paramLabel = "N", description = "multifashion/multimnist: training pairs (default 10000).")
    Integer trainSize;

    @Option(names = "--val-size", paramLabel = "N",
            description = "Validation samples held out of the training data (multifashion/multimnist: pairs, default 2000; nyuv2/cityscapes: "
                    + "images, default 0 = LibMTL's trainval mode, model selection then uses the test split). Office: from the list files.")
    Integer validationSize;

    @Option(names = "--test-size", paramLabel = "N", description = "multifashion/multimnist: test pairs (default 2000).")
    Integer testSize;

    @Option(names = "--image-size", paramLabel = "HxW",
            description = "nyuv2/cityscapes: size of the .npy images (default 288x384 / 128x256); office-*: side the images are resized to (default 224).")
    String imageSize;

    @Option(names = {"--augment", "--aug"}, description = "nyuv2/cityscapes: random scale-crop and flip of training batches.")
    boolean augment;

    @Option(names = {"--multi-input", "--multi_input"},
            description = "One input per task; the Office benchmarks are multi-input (LibMTL), so this flag only confirms it there.")
    boolean multiInput;

    /** The evaluation batch size in force. */
    int evaluationBatchSize() { return evalBatchSize != null ? evalBatchSize : batchSize; }

    /** {@code --image-size} as {@code [height, width]} ({@code "S"} means {@code SxS}), or null when not given. */
    int[] parsedImageSize() {
        if (imageSize == null) return null;
        String[] parts = imageSize.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            int h = Integer.parseInt(parts[0].trim());
            int w = parts.length == 1 ? h : Integer.parseInt(parts[1].trim());
            if (parts.length > 2 || h < 1 || w < 1) throw new NumberFormatException();
            return new int[]{h, w};
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--image-size must be HxW or S with positive integers, got '" + imageSize + "'");
        }
    }
}
