package io.github.repmtl.datavec.dense;

import io.github.repmtl.datavec.InvalidDataException;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.npy.NpyDType;
import io.github.repmtl.datavec.npy.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static io.github.repmtl.datavec.dense.DenseFixture.HEIGHT;
import static io.github.repmtl.datavec.dense.DenseFixture.WIDTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NYUv2 / Cityscapes reading, pairing, splits and augmentation on tiny folders in the exact layout. */
class DenseDatasetTest {
    @TempDir
    Path root;

    private DenseDataset.Builder nyu(int validationSize) {
        return NyuV2.builder().root(root).imageSize(HEIGHT, WIDTH).seed(3).validationSize(validationSize);
    }

    /** The sample index encoded in an image batch element (value at pixel (0,0), channel 0 is 1000 * index). */
    private static int sampleOf(INDArray images, int b) {
        return Math.round(images.getFloat(b, 0, 0, 0) / 1000f);
    }

    @Test
    void unaugmentedBatchesAreTheFilesInNchwPairedByIndex() {
        DenseFixture.write(root, DenseBenchmark.NYUV2, "label", 9, 5);
        DenseDataset data = nyu(0).build();
        assertEquals(9, data.size(Split.TRAIN));
        assertEquals(5, data.size(Split.TEST));
        for (Split split : new Split[]{Split.TRAIN, Split.TEST}) {
            MultiDataSetIterator iterator = data.iterator(split, 4, false);
            int seen = 0;
            while (iterator.hasNext()) {
                MultiDataSet batch = iterator.next();
                int size = (int) batch.getFeatures(0).size(0);
                assertArrayEquals(new long[]{size, 3, HEIGHT, WIDTH}, batch.getFeatures(0).shape());
                assertEquals(DataType.FLOAT, batch.getFeatures(0).dataType());
                assertEquals(3, batch.getLabels().length);
                assertArrayEquals(new long[]{size, HEIGHT, WIDTH}, batch.getLabels(0).shape());
                assertEquals(DataType.LONG, batch.getLabels(0).dataType());
                assertArrayEquals(new long[]{size, 1, HEIGHT, WIDTH}, batch.getLabels(1).shape());
                assertArrayEquals(new long[]{size, 3, HEIGHT, WIDTH}, batch.getLabels(2).shape());
                for (int b = 0; b < size; b++) {
                    int sample = seen + b;
                    assertEquals(sample, sampleOf(batch.getFeatures(0), b));
                    assertSampleAt(batch, b, sample, 0, 0, 1, 1, false, 1f);
                }
                seen += size;
            }
            assertEquals(data.size(split), seen);
        }
    }

    /**
     * Checks every element of batch element {@code b} against sample {@code sample}, cropped at
     * (top, left) with the given row/column strides of the resampling and optional flip.
     */
    private static void assertSampleAt(MultiDataSet batch, int b, int sample, int top, int left, double rowRatio,
                                       double columnRatio, boolean flip, float scale) {
        int cropRows = (int) Math.round((HEIGHT - 1) * rowRatio) + 1;
        int cropCols = (int) Math.round((WIDTH - 1) * columnRatio) + 1;
        double nearestRowRatio = (double) cropRows / HEIGHT;
        double nearestColumnRatio = (double) cropCols / WIDTH;
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int position = flip ? WIDTH - 1 - x : x;
                double sourceRow = top + y * rowRatio;
                double sourceColumn = left + position * columnRatio;
                for (int c = 0; c < 3; c++) {
                    assertEquals(DenseFixture.image(sample, sourceRow, sourceColumn, c),
                            batch.getFeatures(0).getFloat(b, c, y, x), 2e-3f, "image " + c + "," + y + "," + x);
                    float expectedNormal = DenseFixture.normal(sample, sourceRow, sourceColumn, c) * (flip && c == 0 ? -1 : 1);
                    assertEquals(expectedNormal, batch.getLabels(2).getFloat(b, c, y, x), 1e-4f, "normal " + c + "," + y + "," + x);
                }
                int nearestRow = top + (int) Math.floor(y * nearestRowRatio);
                int nearestColumn = left + (int) Math.floor(position * nearestColumnRatio);
                assertEquals(DenseFixture.label(sample, nearestRow, nearestColumn, 13), batch.getLabels(0).getLong(b, y, x),
                        "label " + y + "," + x);
                assertEquals(DenseFixture.depth(sample, nearestRow, nearestColumn) / scale,
                        batch.getLabels(1).getFloat(b, 0, y, x), 1e-5f, "depth " + y + "," + x);
            }
        }
    }

    @Test
    void validationIsASeededDisjointPartOfTrain() {
        DenseFixture.write(root, DenseBenchmark.NYUV2, "label", 20, 2);
        DenseDataset data = nyu(5).prefetch(0).build();
        int[] train = data.fileIndices(Split.TRAIN);
        int[] validation = data.fileIndices(Split.VALIDATION);
        assertEquals(15, train.length);
        assertEquals(5, validation.length);
        Set<Integer> union = new HashSet<>();
        Arrays.stream(train).forEach(union::add);
        Arrays.stream(validation).forEach(union::add);
        assertEquals(20, union.size());
        assertArrayEquals(validation, nyu(5).build().fileIndices(Split.VALIDATION));
        assertFalse(Arrays.equals(validation, nyu(5).seed(4).build().fileIndices(Split.VALIDATION)));
        MultiDataSet batch = data.iterator(Split.VALIDATION, 5, false).next();
        for (int b = 0; b < 5; b++) {
            assertEquals(validation[b], sampleOf(batch.getFeatures(0), b));
            assertSampleAt(batch, b, validation[b], 0, 0, 1, 1, false, 1f);
        }
        assertThrows(IllegalArgumentException.class, () -> nyu(20).build());
    }

    @Test
    void scaleOneAugmentationIsExactlyAFlipThatNegatesNormalX() {
        DenseFixture.write(root, DenseBenchmark.NYUV2, "label", 6, 1);
        DenseDataset data = nyu(0).augment(true).scales(1.0).build();
        MultiDataSetIterator iterator = data.iterator(Split.TRAIN, 6, false);
        int flipped = 0;
        for (int epoch = 0; epoch < 3; epoch++) {
            MultiDataSet batch = iterator.next();
            for (int b = 0; b < 6; b++) {
                INDArray images = batch.getFeatures(0);
                boolean flip = images.getFloat(b, 0, 0, 0) > images.getFloat(b, 0, 0, WIDTH - 1);
                flipped += flip ? 1 : 0;
                assertSampleAt(batch, b, b, 0, 0, 1, 1, flip, 1f);
            }
            iterator.reset();
        }
        assertTrue(flipped > 0 && flipped < 18, flipped + " of 18 samples flipped");
    }

    @Test
    void scaleTwoCropsAndResizesLikeTheReference() {
        DenseFixture.write(root, DenseBenchmark.NYUV2, "label", 8, 1);
        DenseDataset data = nyu(0).augment(true).scales(2.0).build();
        MultiDataSet batch = data.iterator(Split.TRAIN, 8, false).next();
        int cropRows = HEIGHT / 2;
        int cropCols = WIDTH / 2;
        Set<String> windows = new HashSet<>();
        for (int b = 0; b < 8; b++) {
            INDArray images = batch.getFeatures(0);
            boolean flip = images.getFloat(b, 0, 0, 0) > images.getFloat(b, 0, 0, WIDTH - 1);
            float corner = images.getFloat(b, 0, 0, flip ? WIDTH - 1 : 0) - b * 1000;
            int top = Math.round(corner / 100);
            int left = Math.round((corner - top * 100) / 10);
            assertTrue(top >= 0 && top <= HEIGHT - cropRows && left >= 0 && left <= WIDTH - cropCols, top + "," + left);
            windows.add(top + "," + left);
            assertSampleAt(batch, b, b, top, left, (cropRows - 1) / (double) (HEIGHT - 1),
                    (cropCols - 1) / (double) (WIDTH - 1), flip, 2f);
        }
        assertTrue(windows.size() > 1, "crop positions vary: " + windows);
    }

    @Test
    void augmentationDependsOnSeedEpochAndSampleOnly() {
        DenseFixture.write(root, DenseBenchmark.NYUV2, "label", 6, 2);
        MultiDataSetIterator first = nyu(0).augment(true).build().iterator(Split.TRAIN, 3, true);
        MultiDataSetIterator second = nyu(0).augment(true).prefetch(0).build().iterator(Split.TRAIN, 3, true);
        MultiDataSet a = first.next();
        MultiDataSet b = second.next();
        assertEquals(a.getFeatures(0), b.getFeatures(0));
        assertEquals(a.getLabels(2), b.getLabels(2));
        first.reset();
        INDArray nextEpoch = first.next().getFeatures(0);
        assertNotEquals(a.getFeatures(0), nextEpoch);
        MultiDataSet test = nyu(0).augment(true).build().iterator(Split.TEST, 2, false).next();
        assertSampleAt(test, 1, 1, 0, 0, 1, 1, false, 1f);
    }

    @Test
    void cityscapesAcceptsLabel7AndHasTwoTasks() {
        DenseFixture.write(root, DenseBenchmark.CITYSCAPES, "label_7", 3, 2);
        DenseDataset data = Cityscapes.builder().root(root).imageSize(HEIGHT, WIDTH).build();
        assertEquals(java.util.List.of(DenseTask.SEGMENTATION, DenseTask.DEPTH), data.tasks());
        MultiDataSet batch = data.iterator(Split.TEST, 2, false).next();
        assertEquals(2, batch.getLabels().length);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                assertEquals(DenseFixture.label(1, y, x, 7), batch.getLabels(0).getLong(1, y, x));
                assertEquals(DenseFixture.depth(1, y, x), batch.getLabels(1).getFloat(1, 0, y, x), 0f);
            }
        }
    }

    @Test
    void manifestReportsEveryProblemInOneError() throws Exception {
        DenseFixture.write(root, DenseBenchmark.NYUV2, "label", 6, 3);
        Files.delete(root.resolve("train/depth/4.npy"));
        Files.delete(root.resolve("train/depth/2.npy"));
        Files.move(root.resolve("train/image/5.npy"), root.resolve("train/image/05.npy"));
        DenseFixture.write(root.resolve("train/image"), 3, NpyWriter.builder().build(), Nd4j.zeros(DataType.FLOAT, HEIGHT, WIDTH));
        byte[] label = Files.readAllBytes(root.resolve("val/label/1.npy"));
        Files.write(root.resolve("val/label/1.npy"), Arrays.copyOf(label, label.length - 7));
        for (int i = 0; i < 3; i++) {
            Files.delete(root.resolve("val/normal/" + i + ".npy"));
        }
        Files.delete(root.resolve("val/normal"));
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> nyu(0).build());
        String message = e.getMessage();
        String[] expected = {
                "NYUv2 data in " + root + " is not usable (6 problems):",
                "train/image: unexpected file name 05.npy (expected <index>.npy, e.g. 0.npy)",
                "train/image: 5 files, 1 of the indices 0..5 missing: 5",
                root.resolve("train/image/3.npy") + ": shape (10, 12) but expected (10, 12, 3)",
                "train/depth: 4 files, 2 of the indices 0..5 missing: 2, 4",
                root.resolve("val/label/1.npy") + ": truncated",
                "missing folder " + root.resolve("val/normal")};
        for (String fragment : expected) {
            assertTrue(message.contains(fragment), "'" + message + "'\nshould contain '" + fragment + "'");
        }
        InvalidDataException missingRoot = assertThrows(InvalidDataException.class,
                () -> NyuV2.builder().root(root.resolve("absent")).build());
        assertEquals("NYUv2 root folder " + root.resolve("absent") + " does not exist", missingRoot.getMessage());
    }

    @Test
    void badValuesNameTheFileAndPosition() {
        DenseFixture.write(root, DenseBenchmark.NYUV2, "label", 4, 1);
        long[] labels = new long[HEIGHT * WIDTH];
        labels[2 * WIDTH + 5] = 13;
        DenseFixture.write(root.resolve("train/label"), 2, NpyWriter.builder().dtype(NpyDType.UINT8).build(),
                Nd4j.create(labels, new long[]{HEIGHT, WIDTH}, DataType.LONG));
        double[] fractional = new double[HEIGHT * WIDTH];
        fractional[WIDTH] = 0.5;
        DenseFixture.write(root.resolve("train/label"), 3, NpyWriter.builder().build(),
                Nd4j.create(fractional, new long[]{HEIGHT, WIDTH}, DataType.DOUBLE));
        float[] depth = new float[HEIGHT * WIDTH];
        depth[7] = Float.NaN;
        DenseFixture.write(root.resolve("val/depth"), 0, NpyWriter.builder().build(),
                Nd4j.create(depth, new long[]{HEIGHT, WIDTH, 1}, DataType.FLOAT));

        MultiDataSetIterator train = nyu(0).prefetch(0).build().iterator(Split.TRAIN, 1, false);
        train.next();
        train.next();
        InvalidDataException label = assertThrows(InvalidDataException.class, train::next);
        assertEquals(root.resolve("train/label/2.npy") + ": element [2, 5] = 13 is not a class index (-1 = ignore, 0..12)",
                label.getMessage());
        InvalidDataException notInteger = assertThrows(InvalidDataException.class, train::next);
        assertEquals(root.resolve("train/label/3.npy") + ": element [1, 0] is 0.5, not an integer", notInteger.getMessage());

        MultiDataSetIterator prefetchingTest = nyu(0).build().iterator(Split.TEST, 1, false);
        InvalidDataException nan = assertThrows(InvalidDataException.class, prefetchingTest::next);
        assertEquals(root.resolve("val/depth/0.npy") + ": element [0, 7, 0] is NaN", nan.getMessage());
    }
}
