package io.github.repmtl.samediff.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Merging evaluators: for every evaluator, random batches split into two or three parts, each part evaluated on its
 * own, and the parts merged (in any order) give bit for bit the results of one evaluator updated with all batches
 * ({@code Map.equals} compares the doubles with {@code Double.equals}); evaluators of another kind, task or
 * configuration are refused, naming both; a serialized evaluator keeps its results and goes on accumulating.
 */
class EvaluatorMergeTest {

    /** One batch: prediction and label. */
    private record Batch(INDArray prediction, INDArray label) {}

    @Test
    void classificationMergedEqualsWhole() {
        Random r = new Random(1);
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < 7; b++) {
            int size = 3 + r.nextInt(9);
            INDArray logits = Nd4j.create(DataType.FLOAT, size, 5);
            INDArray labels = Nd4j.create(DataType.INT64, size);
            for (int i = 0; i < size; i++) {
                for (int c = 0; c < 5; c++) logits.putScalar(i, c, r.nextInt(4));   // ties, so both tie rules matter
                labels.putScalar(i, r.nextInt(5));
            }
            batches.add(new Batch(logits, labels));
        }
        assertMergedEqualsWhole(() -> new ClassificationEvaluator("cls", 5), batches);
        assertMergedEqualsWhole(() -> new ClassificationEvaluator("cls", 5, 3), batches);
    }

    @Test
    void segmentationMergedEqualsWhole() {
        Random r = new Random(2);
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < 6; b++) {
            int size = 1 + r.nextInt(3);
            INDArray logits = Nd4j.rand(DataType.FLOAT, size, 4, 3, 5);
            INDArray labels = Nd4j.create(DataType.INT32, size, 3, 5);
            for (int i = 0; i < size; i++)
                for (int y = 0; y < 3; y++)
                    for (int x = 0; x < 5; x++) labels.putScalar(new int[]{i, y, x}, r.nextInt(5) - 1);   // -1: ignored
            batches.add(new Batch(logits, labels));
        }
        assertMergedEqualsWhole(() -> new SegmentationEvaluator("seg", 4), batches);
    }

    @Test
    void depthMergedEqualsWhole() {
        Random r = new Random(3);
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            int size = 1 + r.nextInt(3);
            DataType type = b % 2 == 0 ? DataType.FLOAT : DataType.DOUBLE;
            INDArray prediction = Nd4j.create(type, size, 1, 4, 6);
            INDArray truth = Nd4j.create(type, size, 1, 4, 6);
            for (long i = 0; i < truth.length(); i++) {
                prediction.putScalar(i, Math.exp(3 * r.nextGaussian()));         // errors over many magnitudes
                truth.putScalar(i, r.nextInt(5) == 0 ? 0 : Math.exp(3 * r.nextGaussian()));   // 0: missing
            }
            batches.add(new Batch(prediction, truth));
        }
        assertMergedEqualsWhole(() -> new DepthEvaluator("depth"), batches);
    }

    @Test
    void normalMergedEqualsWhole() {
        List<Batch> batches = normalBatches(new Random(4), 7);
        assertMergedEqualsWhole(() -> new NormalEvaluator("normal"), batches);
    }

    @Test
    void mergingIntoItselfCountsItsBatchesTwice() {
        List<Batch> batches = normalBatches(new Random(5), 3);
        NormalEvaluator self = new NormalEvaluator("normal");
        NormalEvaluator twice = new NormalEvaluator("normal");
        for (Batch b : batches) self.update(b.prediction(), b.label());
        for (int k = 0; k < 2; k++) for (Batch b : batches) twice.update(b.prediction(), b.label());
        self.merge(self);
        assertEquals(twice.results(), self.results());
    }

    @Test
    void anotherKindTaskOrConfigurationIsRefusedNamingBoth() {
        assertRefused(new DepthEvaluator("d"), new NormalEvaluator("d"), "NormalEvaluator[task 'd']", "DepthEvaluator[task 'd']");
        assertRefused(new NormalEvaluator("d"), new DepthEvaluator("d"), "DepthEvaluator[task 'd']", "NormalEvaluator[task 'd']");
        assertRefused(new DepthEvaluator("a"), new DepthEvaluator("b"), "DepthEvaluator[task 'b']", "DepthEvaluator[task 'a']");
        assertRefused(new ClassificationEvaluator("a", 3), new ClassificationEvaluator("b", 3),
                "ClassificationEvaluator[task 'b', 3 classes]", "ClassificationEvaluator[task 'a', 3 classes]");
        assertRefused(new ClassificationEvaluator("a", 3), new ClassificationEvaluator("a", 4),
                "ClassificationEvaluator[task 'a', 4 classes]", "ClassificationEvaluator[task 'a', 3 classes]");
        assertRefused(new ClassificationEvaluator("a", 5, 2), new ClassificationEvaluator("a", 5),
                "ClassificationEvaluator[task 'a', 5 classes]", "ClassificationEvaluator[task 'a', 5 classes, top-2]");
        assertRefused(new SegmentationEvaluator("s", 3), new SegmentationEvaluator("s", 4),
                "SegmentationEvaluator[task 's', 4 classes]", "SegmentationEvaluator[task 's', 3 classes]");
        assertRefused(new SegmentationEvaluator("s", 3), new ClassificationEvaluator("s", 3),
                "ClassificationEvaluator[task 's', 3 classes]", "SegmentationEvaluator[task 's', 3 classes]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DepthEvaluator("d").merge(null));
        assertTrue(e.getMessage().contains("null") && e.getMessage().contains("DepthEvaluator[task 'd']"), e.getMessage());
    }

    @Test
    void aRefusedMergeLeavesTheEvaluatorUnchanged() {
        ClassificationEvaluator a = new ClassificationEvaluator("a", 3);
        a.update(Nd4j.createFromArray(new float[][]{{1, 2, 3}, {3, 2, 1}}), Nd4j.createFromArray(2L, 1L));
        ClassificationEvaluator other = new ClassificationEvaluator("a", 4);
        other.update(Nd4j.createFromArray(new float[][]{{1, 2, 3, 4}}), Nd4j.createFromArray(3L));
        Map<String, Double> before = a.results();
        assertThrows(IllegalArgumentException.class, () -> a.merge(other));
        assertEquals(before, a.results());
    }

    @Test
    void serializationKeepsResultsAndAccumulation() throws Exception {
        Random r = new Random(6);
        List<Batch> normals = normalBatches(r, 3);
        List<Supplier<TaskEvaluator>> kinds = List.of(() -> new ClassificationEvaluator("cls", 4, 2), () -> new SegmentationEvaluator("seg", 3),
                () -> new DepthEvaluator("depth"), () -> new NormalEvaluator("normal"));
        List<List<Batch>> data = List.of(
                List.of(new Batch(Nd4j.rand(DataType.FLOAT, 6, 4), Nd4j.createFromArray(0L, 1L, 2L, 3L, 0L, 1L)),
                        new Batch(Nd4j.rand(DataType.FLOAT, 2, 4), Nd4j.createFromArray(3L, 3L))),
                List.of(new Batch(Nd4j.rand(DataType.FLOAT, 2, 3, 2, 2), Nd4j.createFromArray(new int[][][]{{{0, 1}, {2, -1}}, {{1, 1}, {0, 2}}})),
                        new Batch(Nd4j.rand(DataType.FLOAT, 1, 3, 2, 2), Nd4j.createFromArray(new int[][][]{{{2, 2}, {1, 0}}}))),
                List.of(new Batch(Nd4j.rand(DataType.DOUBLE, 2, 1, 3, 3), Nd4j.rand(DataType.DOUBLE, 2, 1, 3, 3)),
                        new Batch(Nd4j.rand(DataType.DOUBLE, 1, 1, 3, 3), Nd4j.rand(DataType.DOUBLE, 1, 1, 3, 3))),
                normals.subList(0, 2));
        for (int k = 0; k < kinds.size(); k++) {
            TaskEvaluator original = kinds.get(k).get();
            Batch first = data.get(k).get(0), second = data.get(k).get(1);
            original.update(first.prediction(), first.label());
            TaskEvaluator copy = roundTrip(original);
            assertEquals(original.getClass(), copy.getClass());
            assertEquals(original.toString(), copy.toString());
            assertEquals(original.result(), copy.result(), original + " after a round trip");
            original.update(second.prediction(), second.label());
            copy.update(second.prediction(), second.label());
            assertEquals(original.results(), copy.results(), original + ": accumulation after a round trip");
            TaskEvaluator fresh = kinds.get(k).get();
            fresh.merge(roundTrip(copy));
            assertEquals(original.results(), fresh.results(), original + ": merging a shipped copy");
            TaskEvaluator empty = roundTrip(kinds.get(k).get());
            empty.update(first.prediction(), first.label());
            empty.update(second.prediction(), second.label());
            assertEquals(original.results(), empty.results(), original + ": an empty evaluator shipped, then updated");
        }
        // the normal evaluator ships its angles, not its buffer's spare capacity (64K floats)
        NormalEvaluator small = new NormalEvaluator("normal");
        small.update(normals.get(2).prediction(), normals.get(2).label());
        assertTrue(serialize(small).length < 4096, serialize(small).length + " bytes");
    }

    @Test
    void resultsAndMetricsSerialize() throws Exception {
        DepthEvaluator depth = new DepthEvaluator("depth");
        depth.update(Nd4j.rand(DataType.DOUBLE, 1, 1, 2, 2), Nd4j.rand(DataType.DOUBLE, 1, 1, 2, 2));
        TaskResult result = depth.result();
        assertEquals(result, roundTrip(result));
    }

    /**
     * Evaluates {@code batches} whole and split into 2 and 3 parts of consecutive and of interleaved batches; the parts
     * merged in order, in reverse order and into a fresh evaluator all give the whole's results exactly.
     */
    private static void assertMergedEqualsWhole(Supplier<TaskEvaluator> factory, List<Batch> batches) {
        TaskEvaluator whole = factory.get();
        for (Batch b : batches) whole.update(b.prediction(), b.label());
        Map<String, Double> expected = whole.results();
        int n = batches.size();
        List<int[]> splits = List.of(new int[]{0, 0, 1, 1, 1, 1, 1, 1}, new int[]{0, 0, 0, 0, 0, 0, 1, 1},
                new int[]{0, 1, 2, 0, 1, 2, 0, 1}, new int[]{2, 2, 0, 1, 1, 1, 0, 2}, new int[]{0, 1, 1, 1, 1, 1, 1, 2});
        for (int[] split : splits) {
            int parts = 0;
            for (int i = 0; i < n; i++) parts = Math.max(parts, split[i] + 1);
            List<TaskEvaluator> evaluators = new ArrayList<>();
            for (int p = 0; p < parts; p++) evaluators.add(factory.get());
            for (int i = 0; i < n; i++) evaluators.get(split[i]).update(batches.get(i).prediction(), batches.get(i).label());
            evaluators.get(parts - 1).results();                              // reading results first changes nothing

            TaskEvaluator inOrder = factory.get();
            for (TaskEvaluator e : evaluators) inOrder.merge(e);
            String what = whole + ", split " + java.util.Arrays.toString(java.util.Arrays.copyOf(split, n));
            assertEquals(expected, inOrder.results(), what + ", merged in order");

            TaskEvaluator reversed = evaluators.get(parts - 1);
            for (int p = parts - 2; p >= 0; p--) reversed.merge(evaluators.get(p));
            assertEquals(expected, reversed.results(), what + ", merged in reverse order");
        }
        assertEquals(expected, whole.results(), "reading the results twice");
    }

    private static List<Batch> normalBatches(Random r, int count) {
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int size = 1 + r.nextInt(3);
            INDArray prediction = Nd4j.create(DataType.FLOAT, size, 3, 4, 5);
            INDArray truth = Nd4j.create(DataType.FLOAT, size, 3, 4, 5);
            for (int i = 0; i < size; i++)
                for (int y = 0; y < 4; y++)
                    for (int x = 0; x < 5; x++) {
                        double[] t = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
                        double norm = Math.sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
                        boolean invalid = r.nextInt(6) == 0;
                        for (int c = 0; c < 3; c++) {
                            truth.putScalar(new int[]{i, c, y, x}, invalid ? 0 : t[c] / norm);
                            prediction.putScalar(new int[]{i, c, y, x}, t[c] / norm + 0.7 * r.nextGaussian());
                        }
                    }
            batches.add(new Batch(prediction, truth));
        }
        return batches;
    }

    private static void assertRefused(TaskEvaluator into, TaskEvaluator other, String otherName, String intoName) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> into.merge(other));
        assertTrue(e.getMessage().contains(otherName) && e.getMessage().contains(intoName), e.getMessage());
    }

    private static byte[] serialize(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T o) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serialize(o)))) {
            return (T) in.readObject();
        }
    }
}
