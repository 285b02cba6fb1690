package io.github.repmtl.datavec.dense;

import io.github.repmtl.datavec.InvalidDataException;
import io.github.repmtl.datavec.npy.NpyHeader;
import io.github.repmtl.datavec.npy.NpyReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checked inventory of a preprocessed NYUv2 / Cityscapes folder: for both splits, every folder
 * (image and one per task) must hold {@code 0.npy .. (N-1).npy} with the expected shapes and file
 * lengths. All problems found (missing folders or indices, unexpected file names, bad headers,
 * truncated files, wrong shapes) are reported together in one {@link InvalidDataException}.
 */
final class DenseManifest {
    static final String TRAIN_FOLDER = "train";
    static final String TEST_FOLDER = "val";
    static final String IMAGE_FOLDER = "image";
    private static final int MAX_LISTED_PROBLEMS = 40;
    private static final int MAX_LISTED_INDICES = 10;
    private static final Pattern INDEX_NAME = Pattern.compile("(0|[1-9][0-9]{0,8})\\.npy");
    private static final Logger log = LoggerFactory.getLogger(DenseManifest.class);

    private final Path root;
    private final Map<DenseTask, String> taskFolders;
    private final int trainCount;
    private final int testCount;

    private DenseManifest(Path root, Map<DenseTask, String> taskFolders, int trainCount, int testCount) {
        this.root = root;
        this.taskFolders = taskFolders;
        this.trainCount = trainCount;
        this.testCount = testCount;
    }

    int trainCount() {
        return trainCount;
    }

    int testCount() {
        return testCount;
    }

    Path imageFile(String splitFolder, int index) {
        return root.resolve(splitFolder).resolve(IMAGE_FOLDER).resolve(index + ".npy");
    }

    Path taskFile(String splitFolder, DenseTask task, int index) {
        return root.resolve(splitFolder).resolve(taskFolders.get(task)).resolve(index + ".npy");
    }

    /** Scans and validates the folder, reading every file's header. */
    static DenseManifest check(DenseBenchmark benchmark, Path root, int height, int width) {
        if (!Files.isDirectory(root)) {
            throw new InvalidDataException(benchmark.displayName() + " root folder " + root + " does not exist");
        }
        List<String> problems = new ArrayList<>();
        Map<DenseTask, String> taskFolders = new LinkedHashMap<>();
        for (DenseTask task : benchmark.tasks()) {
            taskFolders.put(task, task == DenseTask.SEGMENTATION ? labelFolder(benchmark, root) : task.taskName());
        }
        Map<String, long[][]> shapes = new LinkedHashMap<>();
        shapes.put(IMAGE_FOLDER, new long[][]{{height, width, 3}});
        for (Map.Entry<DenseTask, String> entry : taskFolders.entrySet()) {
            shapes.put(entry.getValue(), switch (entry.getKey()) {
                case SEGMENTATION -> new long[][]{{height, width}};
                case DEPTH -> new long[][]{{height, width, 1}, {height, width}};
                case NORMAL -> new long[][]{{height, width, 3}};
            });
        }
        int trainCount = checkSplit(root, TRAIN_FOLDER, shapes, problems);
        int testCount = checkSplit(root, TEST_FOLDER, shapes, problems);
        if (!problems.isEmpty()) {
            StringBuilder message = new StringBuilder(benchmark.displayName() + " data in " + root + " is not usable ("
                    + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):");
            problems.stream().limit(MAX_LISTED_PROBLEMS).forEach(problem -> message.append("\n  - ").append(problem));
            if (problems.size() > MAX_LISTED_PROBLEMS) {
                message.append("\n  ... and ").append(problems.size() - MAX_LISTED_PROBLEMS).append(" more");
            }
            throw new InvalidDataException(message.toString());
        }
        if (trainCount != benchmark.trainCount() || testCount != benchmark.testCount()) {
            log.warn("{} in {}: {} train and {} val samples, the published data has {} and {}", benchmark.displayName(),
                    root, trainCount, testCount, benchmark.trainCount(), benchmark.testCount());
        }
        return new DenseManifest(root, taskFolders, trainCount, testCount);
    }

    private static String labelFolder(DenseBenchmark benchmark, Path root) {
        List<String> present = benchmark.labelFolders().stream()
                .filter(name -> Files.isDirectory(root.resolve(TRAIN_FOLDER).resolve(name))).toList();
        if (present.size() > 1) {
            log.warn("{}: both {} exist; using '{}'", root.resolve(TRAIN_FOLDER), present, present.get(0));
        }
        return present.isEmpty() ? benchmark.labelFolders().get(0) : present.get(0);
    }

    private static int checkSplit(Path root, String split, Map<String, long[][]> shapes, List<String> problems) {
        Path splitDir = root.resolve(split);
        if (!Files.isDirectory(splitDir)) {
            problems.add("missing folder " + splitDir);
            return 0;
        }
        Map<String, TreeSet<Integer>> indices = new LinkedHashMap<>();
        for (String folder : shapes.keySet()) {
            Path dir = splitDir.resolve(folder);
            if (!Files.isDirectory(dir)) {
                problems.add("missing folder " + dir);
                continue;
            }
            indices.put(folder, listIndices(dir, split + "/" + folder, problems));
        }
        int count = indices.values().stream().mapToInt(set -> set.isEmpty() ? 0 : set.last() + 1).max().orElse(0);
        if (count == 0 && !indices.isEmpty()) {
            problems.add(split + ": no .npy files");
            return 0;
        }
        for (Map.Entry<String, TreeSet<Integer>> entry : indices.entrySet()) {
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (!entry.getValue().contains(i)) {
                    missing.add(i);
                }
            }
            if (!missing.isEmpty()) {
                problems.add(split + "/" + entry.getKey() + ": " + entry.getValue().size() + " files, " + missing.size()
                        + " of the indices 0.." + (count - 1) + " missing: " + listed(missing));
            }
            for (int index : entry.getValue()) {
                checkHeader(splitDir.resolve(entry.getKey()).resolve(index + ".npy"), shapes.get(entry.getKey()), problems);
            }
        }
        return count;
    }

    private static TreeSet<Integer> listIndices(Path dir, String label, List<String> problems) {
        TreeSet<Integer> found = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (INDEX_NAME.matcher(name).matches()) {
                    found.add(Integer.parseInt(name.substring(0, name.length() - 4)));
                } else if (name.endsWith(".npy")) {
                    problems.add(label + ": unexpected file name " + name + " (expected <index>.npy, e.g. 0.npy)");
                }
            }
        } catch (IOException e) {
            problems.add(label + ": cannot list " + dir + " (" + e.getMessage() + ")");
        }
        return found;
    }

    private static void checkHeader(Path file, long[][] acceptedShapes, List<String> problems) {
        NpyHeader header;
        try {
            header = NpyReader.readHeader(file);
        } catch (InvalidDataException e) {
            problems.add(e.getMessage());
            return;
        }
        for (long[] shape : acceptedShapes) {
            if (Arrays.equals(shape, header.shape())) {
                return;
            }
        }
        StringBuilder expected = new StringBuilder();
        for (long[] shape : acceptedShapes) {
            expected.append(expected.length() == 0 ? "" : " or ").append(NpyHeader.shapeText(shape));
        }
        problems.add(file + ": shape " + header.shapeText() + " but expected " + expected);
    }

    private static String listed(List<Integer> indices) {
        String shown = indices.stream().limit(MAX_LISTED_INDICES).map(String::valueOf)
                .reduce((a, b) -> a + ", " + b).orElse("");
        return indices.size() > MAX_LISTED_INDICES ? shown + ", ..." : shown;
    }
}
