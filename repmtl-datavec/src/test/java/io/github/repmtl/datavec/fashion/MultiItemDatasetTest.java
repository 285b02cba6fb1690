package io.github.repmtl.datavec.fashion;

import io.github.repmtl.datavec.InvalidDataException;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.idx.IdxWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MultiFashion / MultiMNIST composition, splits, determinism and idx errors on small synthetic idx files. */
class MultiItemDatasetTest {
    private static final int TRAIN_ITEMS = 40;
    private static final int TEST_ITEMS = 12;

    @TempDir
    Path folder;

    /** Grey value of pixel (row, column) of synthetic item {@code item}: every item differs from every other. */
    private static int pixel(int item, int row, int column) {
        return (item * 37 + row * 5 + column * 3) % 256;
    }

    private static int label(int item) {
        return (item * 7) % 10;
    }

    private static byte[] images(int count) {
        byte[] data = new byte[count * 28 * 28];
        for (int item = 0; item < count; item++) {
            for (int row = 0; row < 28; row++) {
                for (int column = 0; column < 28; column++) {
                    data[(item * 28 + row) * 28 + column] = (byte) pixel(item, row, column);
                }
            }
        }
        return data;
    }

    private static byte[] labels(int count) {
        byte[] data = new byte[count];
        for (int item = 0; item < count; item++) {
            data[item] = (byte) label(item);
        }
        return data;
    }

    /** Writes train files gzip-compressed and test files plain, as both occur in the wild. */
    private Path writeCollection(String name) throws Exception {
        Path dir = Files.createDirectories(folder.resolve(name));
        IdxWriter.write(dir.resolve("train-images-idx3-ubyte.gz"), new int[]{TRAIN_ITEMS, 28, 28}, images(TRAIN_ITEMS), true);
        IdxWriter.write(dir.resolve("train-labels-idx1-ubyte.gz"), new int[]{TRAIN_ITEMS}, labels(TRAIN_ITEMS), true);
        IdxWriter.write(dir.resolve("t10k-images-idx3-ubyte"), new int[]{TEST_ITEMS, 28, 28}, images(TEST_ITEMS), false);
        IdxWriter.write(dir.resolve("t10k-labels-idx1-ubyte"), new int[]{TEST_ITEMS}, labels(TEST_ITEMS), false);
        return dir;
    }

    private MultiItemDataset dataset(Path dir, long seed, int prefetch) {
        return MultiFashion.builder().dataDir(dir).seed(seed).trainSize(30).validationSize(10).testSize(9)
                .prefetch(prefetch).build();
    }

    @Test
    void batchesOverlayTheTwoItemsAtTheDocumentedOffsets() throws Exception {
        MultiItemDataset data = dataset(writeCollection("synthetic"), 5, 2);
        assertEquals(ItemSource.Kind.DIRECTORY, data.source().kind());
        assertEquals(30, data.size(Split.TRAIN));
        assertEquals(10, data.size(Split.VALIDATION));
        assertEquals(9, data.size(Split.TEST));
        for (Split split : Split.values()) {
            MultiItemDataset.Pairs pairs = data.pairs(split);
            MultiDataSetIterator iterator = data.iterator(split, 4, false);
            int sample = 0;
            while (iterator.hasNext()) {
                MultiDataSet batch = iterator.next();
                INDArray features = batch.getFeatures(0);
                assertEquals(DataType.FLOAT, features.dataType());
                int size = (int) features.size(0);
                assertArrayEquals(new long[]{size, 1, 36, 36}, features.shape());
                assertEquals(DataType.LONG, batch.getLabels(0).dataType());
                assertArrayEquals(new long[]{size}, batch.getLabels(1).shape());
                for (int b = 0; b < size; b++, sample++) {
                    int left = pairs.left()[sample];
                    int right = pairs.right()[sample];
                    assertNotEquals(left, right);
                    assertEquals(label(left), batch.getLabels(0).getLong(b), split + " left label of sample " + sample);
                    assertEquals(label(right), batch.getLabels(1).getLong(b), split + " right label of sample " + sample);
                    for (int row = 0; row < 36; row++) {
                        for (int column = 0; column < 36; column++) {
                            int leftValue = row < 28 && column < 28 ? pixel(left, row, column) : 0;
                            int rightValue = row >= 8 && column >= 8 ? pixel(right, row - 8, column - 8) : 0;
                            assertEquals(Math.max(leftValue, rightValue) / 255f, features.getFloat(b, 0, row, column),
                                    0f, split + " sample " + sample + " pixel " + row + "," + column);
                        }
                    }
                }
            }
            assertEquals(data.size(split), sample);
        }
    }

    @Test
    void validationImagesNeverAppearInTrainingAndTestUsesTestImages() throws Exception {
        MultiItemDataset data = dataset(writeCollection("synthetic"), 11, 0);
        Set<Integer> train = items(data.pairs(Split.TRAIN));
        Set<Integer> validation = items(data.pairs(Split.VALIDATION));
        Set<Integer> overlap = new HashSet<>(train);
        overlap.retainAll(validation);
        assertTrue(overlap.isEmpty(), "shared images " + overlap);
        assertTrue(validation.size() >= 2);
        assertTrue(items(data.pairs(Split.TEST)).stream().allMatch(i -> i < TEST_ITEMS));
    }

    private static Set<Integer> items(MultiItemDataset.Pairs pairs) {
        Set<Integer> items = new HashSet<>();
        Arrays.stream(pairs.left()).forEach(items::add);
        Arrays.stream(pairs.right()).forEach(items::add);
        return items;
    }

    @Test
    void sameSeedSamePairsDifferentSeedDifferentPairs() throws Exception {
        Path dir = writeCollection("synthetic");
        MultiItemDataset first = dataset(dir, 3, 0);
        MultiItemDataset again = dataset(dir, 3, 0);
        MultiItemDataset other = dataset(dir, 4, 0);
        for (Split split : Split.values()) {
            assertArrayEquals(first.pairs(split).left(), again.pairs(split).left());
            assertArrayEquals(first.pairs(split).right(), again.pairs(split).right());
        }
        assertFalse(Arrays.equals(first.pairs(Split.TRAIN).left(), other.pairs(Split.TRAIN).left()));
        MultiDataSetIterator shuffled = first.iterator(Split.TRAIN, 30, true);
        MultiDataSetIterator shuffledAgain = again.iterator(Split.TRAIN, 30, true);
        INDArray epoch0 = shuffled.next().getFeatures(0);
        assertEquals(epoch0, shuffledAgain.next().getFeatures(0));
        shuffled.reset();
        assertNotEquals(epoch0, shuffled.next().getFeatures(0));
    }

    @Test
    void idxProblemsNameTheFile() throws Exception {
        Path dir = writeCollection("broken");
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");

        IdxWriter.write(labels, new int[]{TRAIN_ITEMS - 1}, labels(TRAIN_ITEMS - 1), true);
        assertMessage(dir, labels + ": 39 labels but " + dir.resolve("train-images-idx3-ubyte.gz") + " holds 40 images");

        byte[] outOfRange = labels(TRAIN_ITEMS);
        outOfRange[17] = 10;
        IdxWriter.write(labels, new int[]{TRAIN_ITEMS}, outOfRange, true);
        assertMessage(dir, labels + ": label 10 of item 17 is not a class index 0..9");

        IdxWriter.write(labels, new int[]{TRAIN_ITEMS, 1}, labels(TRAIN_ITEMS), true);
        assertMessage(dir, labels + ": expected a 1-d label file");

        Path images = dir.resolve("t10k-images-idx3-ubyte");
        IdxWriter.write(labels, new int[]{TRAIN_ITEMS}, labels(TRAIN_ITEMS), true);
        IdxWriter.write(images, new int[]{TEST_ITEMS, 28, 27}, Arrays.copyOf(images(TEST_ITEMS), TEST_ITEMS * 28 * 27), false);
        assertMessage(dir, images + ": expected images of shape [n, 28, 28], got [12, 28, 27]");

        byte[] valid = IdxWriter.bytes(new int[]{TEST_ITEMS, 28, 28}, images(TEST_ITEMS));
        Files.write(images, Arrays.copyOf(valid, valid.length - 100));
        assertMessage(dir, images + ": truncated: the header declares 9408 data bytes but only 9308 follow");

        Files.write(images, Arrays.copyOf(valid, valid.length + 1));
        assertMessage(dir, images + ": unexpected bytes after the 9408 data bytes");

        byte[] badMagic = valid.clone();
        badMagic[0] = 8;
        Files.write(images, badMagic);
        assertMessage(dir, images + ": not an idx file");

        byte[] floats = valid.clone();
        floats[2] = 0x0D;
        Files.write(images, floats);
        assertMessage(dir, images + ": idx element type 0x0D is not supported");

        Files.write(images, valid);
        Path gzipTruncated = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] gzip = Files.readAllBytes(gzipTruncated);
        Files.write(gzipTruncated, Arrays.copyOf(gzip, gzip.length / 2));
        assertMessage(dir, gzipTruncated + ": ");

        Files.delete(gzipTruncated);
        assertMessage(dir, "Fashion-MNIST directory " + dir + " lacks [train-images-idx3-ubyte[.gz]]");
        assertMessage(folder.resolve("nowhere"), "Fashion-MNIST directory " + folder.resolve("nowhere") + " does not exist");
    }

    private void assertMessage(Path dir, String expectedStart) {
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> dataset(dir, 1, 0));
        assertTrue(e.getMessage().startsWith(expectedStart), "'" + e.getMessage() + "' should start with '" + expectedStart + "'");
    }

    @Test
    void multiMnistNeedsADirectory() throws Exception {
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> MultiMnist.builder().build());
        assertTrue(e.getMessage().contains("configure dataDir"), e.getMessage());
        MultiItemDataset digits = MultiMnist.builder().dataDir(writeCollection("mnist")).trainSize(5).validationSize(0)
                .testSize(3).build();
        assertEquals(ItemSet.MNIST, digits.itemSet());
        assertEquals("7", digits.classNames().get(7));
        assertEquals(0, digits.size(Split.VALIDATION));
        assertFalse(digits.iterator(Split.VALIDATION, 4, false).hasNext());
    }

    @Test
    void withoutTheDefaultDirectoryTheBundledSubsetIsUsed() throws Exception {
        MultiItemDataset.Builder builder = MultiFashion.builder().seed(2).trainSize(40).validationSize(10).testSize(20);
        MultiItemDataset bundled = builder.build(folder.resolve("absent"));
        assertEquals(new ItemSource(ItemSource.Kind.BUNDLED_SUBSET,
                "classpath:/io/github/repmtl/datavec/fashion-mnist-subset/"), bundled.source());
        assertTrue(bundled.source().isBundledSubset());
        MultiDataSet batch = bundled.iterator(Split.TEST, 20, false).next();
        assertArrayEquals(new long[]{20, 1, 36, 36}, batch.getFeatures(0).shape());
        assertTrue(batch.getFeatures(0).maxNumber().floatValue() > 0.5f);

        Path installed = writeCollection("installed");
        MultiItemDataset fromDefault = builder.build(installed);
        assertEquals(new ItemSource(ItemSource.Kind.DIRECTORY, installed.toString()), fromDefault.source());
        assertFalse(fromDefault.source().isBundledSubset());
    }

    @Test
    void bundledSubsetIsClassBalanced() {
        ItemFiles.Collection subset = ItemFiles.fromClassPath(ItemSet.FASHION_MNIST.bundledResourceFolder().orElseThrow(),
                ItemSet.FASHION_MNIST);
        assertEquals(3000, subset.train().count());
        assertEquals(1000, subset.test().count());
        int[] perClass = new int[10];
        for (int i = 0; i < subset.train().count(); i++) {
            perClass[subset.train().label(i)]++;
        }
        int[] expected = new int[10];
        Arrays.fill(expected, 300);
        assertArrayEquals(expected, perClass);
    }
}
