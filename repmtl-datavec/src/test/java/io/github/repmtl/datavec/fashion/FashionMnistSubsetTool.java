package io.github.repmtl.datavec.fashion;

import io.github.repmtl.datavec.idx.IdxArray;
import io.github.repmtl.datavec.idx.IdxReader;
import io.github.repmtl.datavec.idx.IdxWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Generates the Fashion-MNIST subset bundled in
 * {@code src/main/resources/io/github/repmtl/datavec/fashion-mnist-subset/}: the first 300 training
 * images of each class and the first 100 test images of each class, in file order, as gzip idx files.
 *
 * <p>Usage: {@code FashionMnistSubsetTool <fashion-mnist dir> <target dir>}.
 */
public final class FashionMnistSubsetTool {
    private static final int TRAIN_PER_CLASS = 300;
    private static final int TEST_PER_CLASS = 100;
    private static final int CLASSES = 10;

    private FashionMnistSubsetTool() {
    }

    public static void main(String[] args) throws Exception {
        Path source = Path.of(args[0]);
        Path target = Path.of(args[1]);
        Files.createDirectories(target);
        subset(source, target, ItemFiles.TRAIN_IMAGES, ItemFiles.TRAIN_LABELS, TRAIN_PER_CLASS);
        subset(source, target, ItemFiles.TEST_IMAGES, ItemFiles.TEST_LABELS, TEST_PER_CLASS);
    }

    private static void subset(Path source, Path target, String imagesName, String labelsName, int perClass) {
        IdxArray images = IdxReader.read(source.resolve(imagesName + ".gz"));
        IdxArray labels = IdxReader.read(source.resolve(labelsName + ".gz"));
        int itemSize = images.itemSize();
        int total = perClass * CLASSES;
        byte[] keptImages = new byte[total * itemSize];
        byte[] keptLabels = new byte[total];
        int[] taken = new int[CLASSES];
        int kept = 0;
        for (int i = 0; i < labels.count() && kept < total; i++) {
            int label = labels.unsigned(i);
            if (taken[label] < perClass) {
                taken[label]++;
                System.arraycopy(images.data(), i * itemSize, keptImages, kept * itemSize, itemSize);
                keptLabels[kept++] = (byte) label;
            }
        }
        if (kept != total) {
            throw new IllegalStateException("only " + kept + " items found, per class " + Arrays.toString(taken));
        }
        int[] dims = images.dims();
        dims[0] = total;
        IdxWriter.write(target.resolve(imagesName + ".gz"), dims, keptImages, true);
        IdxWriter.write(target.resolve(labelsName + ".gz"), new int[]{total}, keptLabels, true);
    }
}
