package io.github.repmtl.datavec.office;

import io.github.repmtl.datavec.InvalidDataException;
import io.github.repmtl.datavec.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Office-31 / Office-Home on tiny image trees in the distributed layouts. */
class OfficeDatasetTest {
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    @TempDir
    Path root;

    /** The solid colour of every image of a class: it identifies the class in the batches. */
    private static int[] colour(String className) {
        int k = List.of("back_pack", "bike", "mug").indexOf(className);
        return new int[]{10 + 40 * k, 100, 200 - 30 * k};
    }

    private static void image(Path file, String className, int width, int height, String format) {
        int[] rgb = colour(className);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(image, format, file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Office-31 layout: amazon 5 back_pack + 10 bike + 1 mug, dslr 3 back_pack + 2 bike, webcam 4 bike + 5 mug. */
    private void office31() {
        images("amazon/images", "back_pack", 5);
        images("amazon/images", "bike", 10);
        images("amazon/images", "mug", 1);
        images("dslr/images", "back_pack", 3);
        images("dslr/images", "bike", 2);
        images("webcam/images", "bike", 4);
        images("webcam/images", "mug", 5);
    }

    private void images(String domainFolder, String className, int count) {
        for (int i = 1; i <= count; i++) {
            image(root.resolve(domainFolder).resolve(className).resolve(String.format("frame_%04d.png", i)), className,
                    9 + i, 7 + 2 * i, "png");
        }
    }

    private OfficeDataset.Builder office31Builder(Path lists) {
        return OfficeDataset.builder(OfficeVariant.OFFICE_31).root(root).listDir(lists).imageSize(8);
    }

    @Test
    void generatedSplitIsSixtyTwentyTwentyPerClassWrittenAsLibMtlLists() throws IOException {
        office31();
        Path lists = root.resolve("lists");
        OfficeDataset data = office31Builder(lists).seed(1).build();
        assertTrue(data.listsGenerated());
        assertEquals(List.of("back_pack", "bike", "mug"), data.classNames());
        assertEquals(List.of("amazon", "dslr", "webcam"), data.domains());
        assertEquals(3 + 6 + 1, data.size("amazon", Split.TRAIN));
        assertEquals(1 + 2 + 0, data.size("amazon", Split.VALIDATION));
        assertEquals(1 + 2 + 0, data.size("amazon", Split.TEST));
        assertEquals(2 + 1, data.size("dslr", Split.TRAIN));
        assertEquals(1 + 0, data.size("dslr", Split.VALIDATION));
        assertEquals(0 + 1, data.size("dslr", Split.TEST));
        assertEquals("0 back_pack\n1 bike\n2 mug\n", Files.readString(lists.resolve("classes.txt")));

        Set<String> listed = new HashSet<>();
        for (String split : List.of("train", "val", "test")) {
            for (String line : Files.readAllLines(lists.resolve("amazon_" + split + ".txt"))) {
                assertTrue(line.matches("amazon/images/(back_pack|bike|mug)/frame_00[0-9]{2}\\.png [0-2]"), line);
                String className = line.split("/")[2];
                assertEquals(List.of("back_pack", "bike", "mug").indexOf(className), Integer.parseInt(line.split(" ")[1]));
                assertTrue(listed.add(line), "listed twice: " + line);
            }
        }
        assertEquals(16, listed.size());

        OfficeDataset reread = office31Builder(lists).seed(99).build();
        assertFalse(reread.listsGenerated());
        assertEquals(data.classNames(), reread.classNames());
        assertEquals(Files.readAllLines(lists.resolve("amazon_train.txt")),
                Files.readAllLines(root.resolve("lists").resolve("amazon_train.txt")));
        OfficeDataset otherSeed = office31Builder(root.resolve("lists2")).seed(2).build();
        assertNotEquals(Files.readAllLines(lists.resolve("amazon_train.txt")),
                Files.readAllLines(root.resolve("lists2").resolve("amazon_train.txt")));
        assertEquals(data.size("amazon", Split.TRAIN), otherSeed.size("amazon", Split.TRAIN));
    }

    @Test
    void batchesAreResizedNormalisedImagesWithTheirLabels() throws IOException {
        office31();
        Path lists = root.resolve("lists");
        OfficeDataset data = office31Builder(lists).build();
        List<String> trainLines = Files.readAllLines(lists.resolve("amazon_train.txt"));
        MultiDataSetIterator iterator = data.iterator("amazon", Split.TRAIN, 4, false);
        int seen = 0;
        while (iterator.hasNext()) {
            MultiDataSet batch = iterator.next();
            int size = (int) batch.getFeatures(0).size(0);
            assertArrayEquals(new long[]{size, 3, 8, 8}, batch.getFeatures(0).shape());
            assertEquals(DataType.FLOAT, batch.getFeatures(0).dataType());
            assertEquals(DataType.LONG, batch.getLabels(0).dataType());
            assertArrayEquals(new long[]{size}, batch.getLabels(0).shape());
            for (int b = 0; b < size; b++) {
                String line = trainLines.get(seen + b);
                assertEquals(Long.parseLong(line.split(" ")[1]), batch.getLabels(0).getLong(b));
                int[] rgb = colour(line.split("/")[2]);
                for (int c = 0; c < 3; c++) {
                    float expected = (rgb[c] / 255f - MEAN[c]) / STD[c];
                    for (int y = 0; y < 8; y++) {
                        for (int x = 0; x < 8; x++) {
                            assertEquals(expected, batch.getFeatures(0).getFloat(b, c, y, x), 1e-4f);
                        }
                    }
                }
            }
            seen += size;
        }
        assertEquals(trainLines.size(), seen);
    }

    @Test
    void existingListsAreUsedWithTheirOwnLabelsAndOfficeHomeFolderNames() throws IOException {
        for (String domain : List.of("Art", "Clipart", "Product", "Real World")) {
            image(root.resolve(domain).resolve("mug").resolve("00001.jpg"), "mug", 20, 16, "jpg");
            image(root.resolve(domain).resolve("bike").resolve("00001.png"), "bike", 12, 12, "png");
        }
        Path lists = Files.createDirectories(root.resolve("data_txt"));
        for (String domain : List.of("Art", "Clipart", "Product", "Real_World")) {
            String folder = domain.replace('_', ' ');
            Files.writeString(lists.resolve(domain + "_train.txt"), folder + "/mug/00001.jpg 0\n" + folder + "/bike/00001.png 1\n");
            Files.writeString(lists.resolve(domain + "_val.txt"), folder + "/bike/00001.png 1\n");
            Files.writeString(lists.resolve(domain + "_test.txt"), folder + "/mug/00001.jpg 0\n\n");
        }
        OfficeDataset data = OfficeDataset.builder(OfficeVariant.OFFICE_HOME).root(root).listDir(lists).imageSize(6).build();
        assertFalse(data.listsGenerated());
        assertEquals(List.of("mug", "bike"), data.classNames());
        assertEquals(2, data.size("Real_World", Split.TRAIN));
        MultiDataSet batch = data.iterator("Real_World", Split.TRAIN, 2, false).next();
        assertEquals(0, batch.getLabels(0).getLong(0));
        int[] mug = colour("mug");
        for (int c = 0; c < 3; c++) {
            assertEquals((mug[c] / 255f - MEAN[c]) / STD[c], batch.getFeatures(0).getFloat(0, c, 3, 3), 3f / 255 / STD[c],
                    "JPEG-decoded channel " + c);
        }

        MultiDataSetIterator all = data.multiInputIterator(Split.TRAIN, 1, false);
        int steps = 0;
        while (all.hasNext()) {
            MultiDataSet zipped = all.next();
            assertEquals(4, zipped.getFeatures().length);
            assertEquals(4, zipped.getLabels().length);
            for (int t = 0; t < 4; t++) {
                assertEquals(steps == 0 ? 0 : 1, zipped.getLabels(t).getLong(0));
            }
            steps++;
        }
        assertEquals(2, steps);
    }

    @Test
    void multiInputEpochFollowsTheLongestDomain() {
        office31();
        OfficeDataset data = office31Builder(root.resolve("lists")).prefetch(0).build();
        MultiDataSetIterator all = data.multiInputIterator(Split.TRAIN, 2, true);
        List<Long> dslrLabels = new ArrayList<>();
        int steps = 0;
        while (all.hasNext()) {
            MultiDataSet batch = all.next();
            assertEquals(3, batch.getFeatures().length);
            dslrLabels.add(batch.getLabels(1).getLong(0));
            steps++;
        }
        assertEquals(5, steps);
        all.reset();
        assertTrue(all.hasNext());
        assertEquals(5, dslrLabels.size());
    }

    @Test
    void listProblemsAreReportedTogether() throws IOException {
        office31();
        Path lists = Files.createDirectories(root.resolve("lists"));
        for (String domain : List.of("amazon", "dslr", "webcam")) {
            for (String split : List.of("train", "val", "test")) {
                Files.writeString(lists.resolve(domain + "_" + split + ".txt"), domain + "/images/bike/frame_0001.png 1\n");
            }
        }
        Files.writeString(lists.resolve("amazon_train.txt"), "amazon/images/bike/frame_0001.png 1\n"
                + "amazon/images/bike/frame_0099.png 1\n"
                + "amazon/images/mug/frame_0001.png 1\n"
                + "no label here\n");
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> office31Builder(lists).build());
        String message = e.getMessage();
        for (String fragment : new String[]{
                "Office-31 list files in " + lists + " are not usable (4 problems):",
                "image not found: " + root.resolve("amazon/images/bike/frame_0099.png") + " (listed in " + lists.resolve("amazon_train.txt") + ")",
                "label 1 is used for class folders 'bike' and 'mug'",
                lists.resolve("amazon_train.txt") + " line 4: expected '<relative path> <label>', got 'no label here'",
                "label 0 never appears"}) {
            assertTrue(message.contains(fragment), "'" + message + "'\nshould contain '" + fragment + "'");
        }

        Files.delete(lists.resolve("webcam_test.txt"));
        InvalidDataException partial = assertThrows(InvalidDataException.class, () -> office31Builder(lists).build());
        assertEquals(lists + " holds only some Office-31 list files; missing [webcam_test.txt] (remove the others to"
                + " generate a fresh split)", partial.getMessage());
    }

    @Test
    void missingFoldersAndUndecodableImagesNameThePath() throws IOException {
        images("amazon/images", "bike", 2);
        Files.createDirectories(root.resolve("dslr"));
        InvalidDataException folders = assertThrows(InvalidDataException.class,
                () -> office31Builder(root.resolve("lists")).build());
        assertEquals("Office-31 in " + root + ": missing folder " + root.resolve("dslr/images") + "; missing domain folder "
                + root.resolve("webcam"), folders.getMessage());

        images("dslr/images", "bike", 2);
        images("webcam/images", "bike", 2);
        Files.write(root.resolve("amazon/images/bike/frame_0001.png"), new byte[]{1, 2, 3, 4});
        Files.write(root.resolve("amazon/images/bike/frame_0002.png"), new byte[]{1, 2, 3, 4});
        OfficeDataset data = office31Builder(root.resolve("lists")).build();
        MultiDataSetIterator iterator = data.iterator("amazon", Split.TRAIN, 2, false);
        InvalidDataException decode = assertThrows(InvalidDataException.class, iterator::next);
        assertTrue(decode.getMessage().matches("cannot decode image " + root.resolve("amazon/images/bike")
                + "/frame_000[12]\\.png: not a JPEG, PNG, BMP or GIF image"), decode.getMessage());
        IllegalArgumentException domain = assertThrows(IllegalArgumentException.class,
                () -> data.iterator("Amazon", Split.TRAIN, 2, false));
        assertEquals("unknown Office-31 domain 'Amazon'; domains: [amazon, dslr, webcam]", domain.getMessage());
    }
}
