package io.github.repmtl.datavec.bench;

import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.dense.DenseDataset;
import io.github.repmtl.datavec.dense.NyuV2;
import io.github.repmtl.datavec.npy.NpyWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Benchmark (not a unit test): samples per second the NYUv2 loader delivers from disk at 288x384 with
 * the scale-crop / flip augmentation, batches prefetched on one background thread as in training.
 * It writes its own NYUv2-format float32 files into a temporary folder and deletes them afterwards.
 *
 * <p>Arguments: {@code [samples=48] [batchSize=8] [epochs=3]}. Run by {@code bench/datavec-throughput.sh}.
 */
public final class DenseThroughputBenchmark {
    private static final Logger log = LoggerFactory.getLogger(DenseThroughputBenchmark.class);
    private static final int HEIGHT = 288;
    private static final int WIDTH = 384;

    private DenseThroughputBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 48;
        int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path root = Files.createTempDirectory("repmtl-nyuv2-bench");
        try {
            long start = System.nanoTime();
            writeSplit(root.resolve("train"), samples, new Random(1));
            writeSplit(root.resolve("val"), 2, new Random(2));
            log.info("wrote {} NYUv2-format samples ({} MB) in {} s", samples, folderBytes(root) >> 20,
                    String.format("%.1f", (System.nanoTime() - start) / 1e9));
            for (boolean augment : new boolean[]{true, false}) {
                DenseDataset data = NyuV2.builder().root(root).augment(augment).seed(7).build();
                MultiDataSetIterator iterator = data.iterator(Split.TRAIN, batchSize, true);
                for (int epoch = 0; epoch < epochs; epoch++) {
                    long epochStart = System.nanoTime();
                    int count = 0;
                    while (iterator.hasNext()) {
                        count += (int) iterator.next().getFeatures(0).size(0);
                    }
                    double seconds = (System.nanoTime() - epochStart) / 1e9;
                    log.info("augment={} epoch {}: {} samples in {} s = {} samples/s (batch {})", augment, epoch, count,
                            String.format("%.2f", seconds), String.format("%.1f", count / seconds), batchSize);
                    iterator.reset();
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path path : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(path);
                }
            }
        }
    }

    private static void writeSplit(Path split, int count, Random random) throws IOException {
        NpyWriter writer = NpyWriter.builder().build();
        int plane = HEIGHT * WIDTH;
        for (String folder : new String[]{"image", "label", "depth", "normal"}) {
            Files.createDirectories(split.resolve(folder));
        }
        for (int i = 0; i < count; i++) {
            float[] image = new float[plane * 3];
            float[] normal = new float[plane * 3];
            float[] label = new float[plane];
            float[] depth = new float[plane];
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    image[p * 3 + c] = random.nextFloat();
                }
                double x = random.nextGaussian();
                double y = random.nextGaussian();
                double z = random.nextGaussian();
                double norm = Math.sqrt(x * x + y * y + z * z);
                normal[p * 3] = (float) (x / norm);
                normal[p * 3 + 1] = (float) (y / norm);
                normal[p * 3 + 2] = (float) (z / norm);
                label[p] = random.nextInt(14) - 1;
                depth[p] = random.nextInt(10) == 0 ? 0f : 0.5f + 9.5f * random.nextFloat();
            }
            writer.write(split.resolve("image").resolve(i + ".npy"), Nd4j.create(image, new long[]{HEIGHT, WIDTH, 3}, DataType.FLOAT));
            writer.write(split.resolve("normal").resolve(i + ".npy"), Nd4j.create(normal, new long[]{HEIGHT, WIDTH, 3}, DataType.FLOAT));
            writer.write(split.resolve("label").resolve(i + ".npy"), Nd4j.create(label, new long[]{HEIGHT, WIDTH}, DataType.FLOAT));
            writer.write(split.resolve("depth").resolve(i + ".npy"), Nd4j.create(depth, new long[]{HEIGHT, WIDTH, 1}, DataType.FLOAT));
        }
    }

    private static long folderBytes(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        }
    }
}
