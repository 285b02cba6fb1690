package io.github.repmtl.datavec.fashion;

import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.idx.IdxArray;
import io.github.repmtl.datavec.idx.IdxReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real Fashion-MNIST of the Debian package {@code dataset-fashion-mnist}, when it is installed. */
@EnabledIf("installed")
class RealFashionMnistTest {
    private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    static boolean installed() {
        return Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte.gz"));
    }

    @Test
    void defaultBuilderReadsThePackage() {
        MultiItemDataset data = MultiFashion.builder().seed(7).trainSize(200).validationSize(50).testSize(100).build();
        assertEquals(new ItemSource(ItemSource.Kind.DIRECTORY, DIR.toString()), data.source());
        ItemFiles.Collection collection = ItemFiles.fromDirectory(DIR, ItemSet.FASHION_MNIST);
        assertEquals(60000, collection.train().count());
        assertEquals(10000, collection.test().count());
        assertEquals(9, collection.train().label(0));
        assertEquals(0, collection.train().label(1));
        assertEquals(9, collection.test().label(0));

        MultiItemDataset.Pairs pairs = data.pairs(Split.TEST);
        MultiDataSet batch = data.iterator(Split.TEST, 16, false).next();
        for (int b = 0; b < 16; b++) {
            int left = pairs.left()[b];
            int right = pairs.right()[b];
            assertEquals(collection.test().label(left), batch.getLabels(0).getLong(b));
            assertEquals(collection.test().label(right), batch.getLabels(1).getLong(b));
            assertEquals(collection.test().pixel(left, 3, 20) / 255f, batch.getFeatures(0).getFloat(b, 0, 3, 20), 0f);
            assertEquals(collection.test().pixel(right, 27, 27) / 255f, batch.getFeatures(0).getFloat(b, 0, 35, 35), 0f);
            int overlap = Math.max(collection.test().pixel(left, 14, 14), collection.test().pixel(right, 6, 6));
            assertEquals(overlap / 255f, batch.getFeatures(0).getFloat(b, 0, 14, 14), 0f);
        }
    }

    @Test
    void bundledSubsetIsTheFirstItemsOfEachClass() {
        IdxArray images = IdxReader.read(DIR.resolve("t10k-images-idx3-ubyte.gz"));
        IdxArray labels = IdxReader.read(DIR.resolve("t10k-labels-idx1-ubyte.gz"));
        LabelledItems subset = ItemFiles.fromClassPath(ItemSet.FASHION_MNIST.bundledResourceFolder().orElseThrow(),
                ItemSet.FASHION_MNIST).test();
        int[] taken = new int[10];
        int kept = 0;
        for (int i = 0; i < labels.count() && kept < 1000; i++) {
            int label = labels.unsigned(i);
            if (taken[label]++ < 100) {
                assertEquals(label, subset.label(kept));
                for (int p = 0; p < 784; p += 13) {
                    assertEquals(images.unsigned(i * 784 + p), subset.pixel(kept, p / 28, p % 28));
                }
                kept++;
            }
        }
        assertTrue(kept == 1000);
    }
}
