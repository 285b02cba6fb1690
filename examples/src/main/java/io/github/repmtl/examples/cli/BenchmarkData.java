package io.github.repmtl.examples.cli;

import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.dense.Cityscapes;
import io.github.repmtl.datavec.dense.DenseDataset;
import io.github.repmtl.datavec.dense.DenseTask;
import io.github.repmtl.datavec.dense.NyuV2;
import io.github.repmtl.datavec.fashion.MultiFashion;
import io.github.repmtl.datavec.fashion.MultiItemDataset;
import io.github.repmtl.datavec.fashion.MultiMnist;
import io.github.repmtl.datavec.office.OfficeDataset;
import io.github.repmtl.datavec.office.OfficeVariant;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.train.ModelEvaluator;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One benchmark's data, opened from the {@link DataOptions}: its tasks (named as the bundled baselines name
 * them), the input shape the model must take, and fresh iterators per split, one for all tasks (single input)
 * or one per task (multi-input, the Office benchmarks).
 */
final class BenchmarkData {
    /** Creates the iterators of one split. */
    private interface IteratorFactory {
        List<MultiDataSetIterator> create(Split split, int batchSize, boolean shuffle);
    }

    private final Benchmark benchmark;
    private final List<TaskSpec> tasks;
    private final int channels, height, width;
    private final Map<Split, Integer> sizes;
    private final IteratorFactory iterators;
    private final String description;

    private BenchmarkData(Benchmark benchmark, List<TaskSpec> tasks, int[] inputShape, Map<Split, Integer> sizes,
                          IteratorFactory iterators, String description) {
        this.benchmark = benchmark;
        this.tasks = List.copyOf(tasks);
        this.channels = inputShape[0];
        this.height = inputShape[1];
        this.width = inputShape[2];
        this.sizes = sizes;
        this.iterators = iterators;
        this.description = description;
    }

    /** Opens (and fully checks) the dataset the options describe; errors name the flag, folder or file at fault. */
    static BenchmarkData open(DataOptions o) {
        Benchmark b = Benchmark.of(o.benchmark);
        if (o.batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + o.batchSize);
        if (o.evaluationBatchSize() < 1) throw new IllegalArgumentException("--eval-batch-size must be >= 1, got " + o.evaluationBatchSize());
        if (o.multiInput && !b.multiInput())
            throw new IllegalArgumentException("benchmark " + b + " has one input for all tasks; --multi-input applies to office-31 and office-home");
        if (o.data != null && !Files.exists(o.data)) throw new IllegalArgumentException("data folder " + o.data + " does not exist");
        return switch (b) {
            case MULTIFASHION, MULTIMNIST -> items(b, o);
            case NYUV2, CITYSCAPES -> dense(b, o);
            case OFFICE_31, OFFICE_HOME -> office(b, o);
        };
    }

    private static BenchmarkData items(Benchmark b, DataOptions o) {
        reject(b, o.imageSize != null, "--image-size");
        reject(b, o.augment, "--augment");
        if (b == Benchmark.MULTIMNIST && o.data == null)
            throw new IllegalArgumentException("multimnist needs --data: the folder of the MNIST idx files (MNIST is not bundled)");
        MultiItemDataset.Builder builder = (b == Benchmark.MULTIMNIST ? MultiMnist.builder() : MultiFashion.builder()).dataDir(o.data).seed(o.seed);
        if (o.trainSize != null) builder.trainSize(o.trainSize);
        if (o.validationSize != null) builder.validationSize(o.validationSize);
        if (o.testSize != null) builder.testSize(o.testSize);
        MultiItemDataset data = builder.build();
        List<TaskSpec> tasks = MultiItemDataset.TASKS.stream().map(t -> TaskSpec.classification(t, data.classNames().size())).toList();
        Map<Split, Integer> sizes = new EnumMap<>(Split.class);
        for (Split s : Split.values()) sizes.put(s, data.size(s));
        return new BenchmarkData(b, tasks, new int[]{1, 36, 36}, sizes, (split, batch, shuffle) -> List.of(data.iterator(split, batch, shuffle)),
                b.cliName() + " from " + data.source());
    }

    private static BenchmarkData dense(Benchmark b, DataOptions o) {
        reject(b, o.trainSize != null, "--train-size");
        reject(b, o.testSize != null, "--test-size");
        if (o.data == null) throw new IllegalArgumentException(b + " needs --data: the folder holding train/ and val/ of the preprocessed .npy files");
        DenseDataset.Builder builder = (b == Benchmark.NYUV2 ? NyuV2.builder() : Cityscapes.builder()).root(o.data).seed(o.seed).augment(o.augment);
        int[] size = o.parsedImageSize();
        if (size != null) builder.imageSize(size[0], size[1]);
        if (o.validationSize != null) builder.validationSize(o.validationSize);
        DenseDataset data = builder.build();
        int classes = data.benchmark().classCount();
        List<TaskSpec> tasks = new ArrayList<>();
        for (DenseTask t : data.tasks()) tasks.add(switch (t) {
            case SEGMENTATION -> TaskSpec.segmentation(t.taskName(), classes);
            case DEPTH -> TaskSpec.depth(t.taskName());
            case NORMAL -> TaskSpec.normal(t.taskName());
        });
        Map<Split, Integer> sizes = new EnumMap<>(Split.class);
        for (Split s : Split.values()) sizes.put(s, data.size(s));
        int h = size != null ? size[0] : data.benchmark().height(), w = size != null ? size[1] : data.benchmark().width();
        return new BenchmarkData(b, tasks, new int[]{3, h, w}, sizes, (split, batch, shuffle) -> List.of(data.iterator(split, batch, shuffle)),
                b.cliName() + " from " + o.data);
    }

    private static BenchmarkData office(Benchmark b, DataOptions o) {
        reject(b, o.trainSize != null, "--train-size");
        reject(b, o.testSize != null, "--test-size");
        reject(b, o.augment, "--augment");
        if (o.validationSize != null)
            throw new IllegalArgumentException(b + " takes its train/val/test split from the list files in --data (generated 60/20/20 when absent); remove --val-size");
        if (o.data == null) throw new IllegalArgumentException(b + " needs --data: the folder holding the domain folders");
        OfficeDataset.Builder builder = OfficeDataset.builder(b == Benchmark.OFFICE_31 ? OfficeVariant.OFFICE_31 : OfficeVariant.OFFICE_HOME)
                .root(o.data).seed(o.seed);
        int[] size = o.parsedImageSize();
        if (size != null && size[0] != size[1]) throw new IllegalArgumentException(b + " images are square: give --image-size S, got " + o.imageSize);
        if (size != null) builder.imageSize(size[0]);
        OfficeDataset data = builder.build();
        List<String> domains = data.domains();
        List<TaskSpec> tasks = domains.stream().map(d -> TaskSpec.classification(d.toLowerCase(Locale.ROOT), data.classNames().size())).toList();
        Map<Split, Integer> sizes = new EnumMap<>(Split.class);
        for (Split s : Split.values()) sizes.put(s, domains.stream().mapToInt(d -> data.size(d, s)).min().orElse(0));
        int side = size != null ? size[0] : 224;
        return new BenchmarkData(b, tasks, new int[]{3, side, side}, sizes, (split, batch, shuffle) -> {
            List<MultiDataSetIterator> its = new ArrayList<>();
            for (String d : domains) its.add(data.iterator(d, split, batch, shuffle));
            return its;
        }, b.cliName() + " from " + o.data + (data.listsGenerated() ? " (split lists generated in " + data.listDir() + ")" : ""));
    }

    private static void reject(Benchmark b, boolean given, String flag) {
        if (given) throw new IllegalArgumentException(flag + " does not apply to benchmark " + b);
    }

    Benchmark benchmark() { return benchmark; }

    /** Tasks in the order of the label arrays (or of the per-task iterators). */
    List<TaskSpec> tasks() { return tasks; }

    List<String> taskNames() { return tasks.stream().map(TaskSpec::name).toList(); }

    int channels() { return channels; }

    int height() { return height; }

    int width() { return width; }

    /** Samples in a split (multi-input: the smallest task's count). */
    int size(Split split) { return sizes.get(split); }

    boolean hasSplit(Split split) { return sizes.get(split) > 0; }

    String description() { return description; }

    /** A single-input iterator over a split. */
    MultiDataSetIterator iterator(Split split, int batchSize, boolean shuffle) {
        if (benchmark.multiInput()) throw new IllegalStateException(benchmark + " is multi-input: use perTask(...)");
        return iterators.create(split, batchSize, shuffle).get(0);
    }

    /** One iterator per task over a split (multi-input benchmarks). */
    List<MultiDataSetIterator> perTask(Split split, int batchSize, boolean shuffle) {
        if (!benchmark.multiInput()) throw new IllegalStateException(benchmark + " is single-input: use iterator(...)");
        return iterators.create(split, batchSize, shuffle);
    }

    /** Gives the trainer the training split and the validation and test splits that are not empty. */
    void configure(MultiTaskTrainer.Builder trainer, int batchSize, int evalBatchSize) {
        if (benchmark.multiInput()) {
            requireTrainingSplit();
            trainer.trainPerTask(perTask(Split.TRAIN, batchSize, true));
        } else {
            trainer.train(trainIterator(batchSize));
        }
        configureEvaluation(trainer, evalBatchSize);
    }

    /**
     * As {@link #configure}, for a single-task model of task {@code task} (an index into {@link #tasks()}): its
     * training, validation and test splits carry only that task's labels (single input) or are that task's own
     * iterators (multi-input).
     */
    void configureSingleTask(MultiTaskTrainer.Builder trainer, int task, int batchSize, int evalBatchSize) {
        if (task < 0 || task >= tasks.size()) throw new IllegalArgumentException("task index " + task + " out of range for tasks " + taskNames());
        requireTrainingSplit();
        if (benchmark.multiInput()) {
            trainer.trainPerTask(List.of(perTask(Split.TRAIN, batchSize, true).get(task)));
            if (hasSplit(Split.VALIDATION)) trainer.validationPerTask(List.of(perTask(Split.VALIDATION, evalBatchSize, false).get(task)));
            if (hasSplit(Split.TEST)) trainer.testPerTask(List.of(perTask(Split.TEST, evalBatchSize, false).get(task)));
        } else {
            trainer.train(onlyLabels(iterator(Split.TRAIN, batchSize, true), task));
            if (hasSplit(Split.VALIDATION)) trainer.validation(onlyLabels(iterator(Split.VALIDATION, evalBatchSize, false), task));
            if (hasSplit(Split.TEST)) trainer.test(onlyLabels(iterator(Split.TEST, evalBatchSize, false), task));
        }
    }

    /** Keeps only task {@code task}'s label array (and label mask, if any) of every batch, after the iterator's own preprocessing. */
    private static MultiDataSetIterator onlyLabels(MultiDataSetIterator it, int task) {
        MultiDataSetPreProcessor before = it.getPreProcessor();
        it.setPreProcessor(m -> {
            if (before != null) before.preProcess(m);
            m.setLabels(new INDArray[]{m.getLabels(task)});
            if (m.getLabelsMaskArrays() != null) m.setLabelsMaskArray(new INDArray[]{m.getLabelsMaskArray(task)});
        });
        return it;
    }

    /** The shuffled training minibatches of a single-input benchmark (for a trainer whose data comes from elsewhere). */
    MultiDataSetIterator trainIterator(int batchSize) {
        if (benchmark.multiInput()) throw new IllegalArgumentException(description + " has one input per task; this needs a single-input benchmark");
        requireTrainingSplit();
        return iterator(Split.TRAIN, batchSize, true);
    }

    /** The validation and test splits the trainer evaluates every epoch. */
    void configureEvaluation(MultiTaskTrainer.Builder trainer, int evalBatchSize) {
        if (benchmark.multiInput()) {
            if (hasSplit(Split.VALIDATION)) trainer.validationPerTask(perTask(Split.VALIDATION, evalBatchSize, false));
            if (hasSplit(Split.TEST)) trainer.testPerTask(perTask(Split.TEST, evalBatchSize, false));
        } else {
            if (hasSplit(Split.VALIDATION)) trainer.validation(iterator(Split.VALIDATION, evalBatchSize, false));
            if (hasSplit(Split.TEST)) trainer.test(iterator(Split.TEST, evalBatchSize, false));
        }
    }

    private void requireTrainingSplit() {
        if (!hasSplit(Split.TRAIN)) throw new IllegalArgumentException(description + " has no training samples");
    }

    /** Metrics of every task of {@code model} on a split. */
    Map<String, TaskResult> evaluate(MultiTaskModel model, Split split, int batchSize) {
        if (!hasSplit(split)) throw new IllegalArgumentException(description + " has no " + splitName(split) + " samples"
                + (split == Split.VALIDATION && !benchmark.multiInput() ? " (set --val-size)" : ""));
        if (!model.taskNames().equals(taskNames()))
            throw new IllegalArgumentException("the model's tasks " + model.taskNames() + " differ from " + benchmark + "'s " + taskNames());
        return benchmark.multiInput() ? ModelEvaluator.evaluate(model, perTask(split, batchSize, false))
                : ModelEvaluator.evaluate(model, iterator(split, batchSize, false));
    }

    /** The command-line name of a split. */
    static String splitName(Split split) {
        return switch (split) {
            case TRAIN -> "train";
            case VALIDATION -> "val";
            case TEST -> "test";
        };
    }
}
