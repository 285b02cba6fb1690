package io.github.repmtl.datavec.office;

import io.github.repmtl.datavec.InvalidDataException;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.iterator.Seeds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Creates the train / val / test lists of an Office dataset from its image folders when the user has
 * no list files: for every domain and class, the images (sorted by name) are shuffled with a seeded
 * generator and split 60 / 20 / 20 (train {@code round(0.6 n)}, val {@code round(0.2 n)}, test the
 * rest). Class indices follow the sorted class-folder names across all domains.
 */
final class SplitGenerator {
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif");

    private SplitGenerator() {
    }

    /** Generated lists per domain and split, and the class names indexed by label. */
    record Lists(Map<String, Map<Split, List<ListFiles.Entry>>> entries, List<String> classNames) {
    }

    static Lists generate(OfficeVariant variant, Path root, long seed) {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, List<Path>>> imagesByDomain = new LinkedHashMap<>();
        for (String domain : variant.domains()) {
            Path classesDir = classesFolder(variant, root, domain, problems);
            if (classesDir != null) {
                Map<String, List<Path>> byClass = imagesByClass(classesDir, problems);
                if (byClass.values().stream().allMatch(List::isEmpty)) {
                    problems.add("no images in " + classesDir + " (expected <class>/<image>.jpg)");
                }
                imagesByDomain.put(domain, byClass);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidDataException(variant.displayName() + " in " + root + ": " + String.join("; ", problems));
        }
        TreeSet<String> classSet = new TreeSet<>();
        imagesByDomain.values().forEach(byClass -> classSet.addAll(byClass.keySet()));
        List<String> classNames = List.copyOf(classSet);
        Map<String, Map<Split, List<ListFiles.Entry>>> entries = new LinkedHashMap<>();
        int domainIndex = 0;
        for (Map.Entry<String, Map<String, List<Path>>> domain : imagesByDomain.entrySet()) {
            Map<Split, List<ListFiles.Entry>> splits = new EnumMap<>(Split.class);
            for (Split split : Split.values()) {
                splits.put(split, new ArrayList<>());
            }
            for (Map.Entry<String, List<Path>> byClass : domain.getValue().entrySet()) {
                int label = classNames.indexOf(byClass.getKey());
                List<Path> images = byClass.getValue();
                int[] order = Seeds.permutation(images.size(), Seeds.random(seed, domainIndex, label));
                int trainCount = (int) Math.round(0.6 * images.size());
                int validationCount = (int) Math.round(0.2 * images.size());
                for (int k = 0; k < order.length; k++) {
                    Split split = k < trainCount ? Split.TRAIN : k < trainCount + validationCount ? Split.VALIDATION : Split.TEST;
                    String relative = root.relativize(images.get(order[k])).toString().replace('\\', '/');
                    splits.get(split).add(new ListFiles.Entry(relative, label));
                }
            }
            entries.put(domain.getKey(), splits);
            domainIndex++;
        }
        return new Lists(entries, classNames);
    }

    /** The folder holding a domain's class folders, or null (with a problem) when it is missing. */
    private static Path classesFolder(OfficeVariant variant, Path root, String domain, List<String> problems) {
        for (String name : variant.folderNames(domain)) {
            Path domainDir = root.resolve(name);
            if (Files.isDirectory(domainDir)) {
                if (variant.imagesSubfolder() == null) {
                    return domainDir;
                }
                Path images = domainDir.resolve(variant.imagesSubfolder());
                if (Files.isDirectory(images)) {
                    return images;
                }
                problems.add("missing folder " + images);
                return null;
            }
        }
        problems.add("missing domain folder " + root.resolve(domain));
        return null;
    }

    private static Map<String, List<Path>> imagesByClass(Path classesDir, List<String> problems) {
        Map<String, List<Path>> byClass = new TreeMap<>();
        try (Stream<Path> classDirs = Files.list(classesDir)) {
            for (Path classDir : (Iterable<Path>) classDirs.filter(Files::isDirectory)::iterator) {
                try (Stream<Path> files = Files.list(classDir)) {
                    byClass.put(classDir.getFileName().toString(), files.filter(SplitGenerator::isImage).sorted().toList());
                }
            }
        } catch (IOException e) {
            problems.add("cannot list " + classesDir + " (" + e.getMessage() + ")");
        }
        return byClass;
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(file) && IMAGE_EXTENSIONS.stream().anyMatch(name::endsWith);
    }
}
