package io.github.repmtl.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.repmtl.arbiter.RepMtlCandidate;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.examples.plots.SaliencyPlots;
import io.github.repmtl.examples.plots.TrainingPlots;
import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.metrics.DeltaP;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.MultiTaskStrategy;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.train.EpochSummary;
import io.github.repmtl.samediff.train.ModelSelection;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.spark.GradientTrainingMaster;
import io.github.repmtl.spark.ParameterAveragingTrainingMaster;
import io.github.repmtl.spark.SparkMultiTaskTrainer;
import io.github.repmtl.spark.TrainingMaster;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.ProgressBarListener;
import io.github.repmtl.samediff.train.TrainingLogs;
import io.github.repmtl.samediff.train.TrainingResult;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code repmtl train}: trains a zoo model (or one imported from ONNX, {@link OnnxModelOptions}) on a benchmark with any strategy, with or without Rep-MTL, and writes
 * into {@code --out}: {@code logs/} (the trainer's step and epoch logs), {@code checkpoints/}, {@code model/} (the
 * weights after the last epoch, {@link MultiTaskModelFiles}), {@code plots/} (training curves; for dense
 * benchmarks also {@code plots/saliency/}) and {@code run.json} (the settings and the selected result).
 * LibMTL's flag names are accepted as aliases ({@code --weighting}, {@code --arch HPS}, {@code --optim},
 * {@code --scheduler}, {@code --dataset_path}, {@code --save_path}, {@code --train_bs}, ...).
 */
@Command(mixinStandardHelpOptions = true, name = "train", sortOptions = false, description = "Train a zoo model, or a model imported from ONNX, on a benchmark (any strategy, Rep-MTL on or off).")
final class TrainCommand implements Callable<Integer> {
    static final double DEFAULT_LEARNING_RATE = 1e-4;

    @Mixin DataOptions data;

    @Option(names = "--model", paramLabel = "NAME",
            description = "lenet (multifashion, multimnist), deeplab|segnet (nyuv2, cityscapes; default deeplab), resnet18|resnet50 (office-*; default resnet18).")
    String model;

    @Mixin OnnxModelOptions onnx;

    @Option(names = "--arch", paramLabel = "ARCH", description = "LibMTL's architecture flag; only HPS (hard parameter sharing) is available.")
    String arch;

    @Option(names = "--pretrained", paramLabel = "FILE", description = "ResNet trunk weights for resnet18, resnet50, deeplab: .npz keyed by the trunk's variable names; for ResNet-50 also a DL4J zoo .zip or Keras .h5.")
    Path pretrained;

    @Option(names = {"--strategy", "--weighting"}, paramLabel = "NAME", description = "Loss-weighting or gradient strategy (default ew); see --list-strategies.")
    String strategy;

    @Option(names = "--strategy-option", paramLabel = "KEY=VALUE", description = "A strategy option (repeatable), e.g. --strategy-option c=0.4.")
    Map<String, String> strategyOptions = new LinkedHashMap<>();

    @Option(names = "--gradient-mode", paramLabel = "MODE", description = "Gradients a gradient strategy sees: parameters or representation (default: the strategy's).")
    String gradientMode;

    @Option(names = "--rep_grad", description = "LibMTL: gradients w.r.t. the shared representation (= --gradient-mode representation).")
    boolean repGrad;

    @Option(names = "--list-strategies", description = "Print every strategy with its modes and options, then exit.")
    boolean listStrategies;

    @Mixin LibMtlWeightingOptions libMtlWeighting;
    @Mixin RepMtlOptions repMtl;
    @Mixin OptimizerOptions optimizerOptions;

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate (default 1e-4, or the --config file's).")
    Double learningRate;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--mean-of-last", paramLabel = "K", description = "Report the mean over the last K epochs instead of the best validation Delta-p epoch.")
    Integer meanOfLast;

    @Option(names = "--baselines", paramLabel = "bundled|first-epoch|FILE",
            description = "Delta-p reference: bundled (the paper's single-task results; default where shipped), first-epoch (LibMTL; default otherwise) or a JSON FILE.")
    String baselines;

    @Option(names = {"--out", "--save_path"}, paramLabel = "DIR", description = "Output folder (default: results/train-<benchmark>-<model>).")
    Path out;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in <out>/checkpoints.")
    boolean resume;

    @Option(names = "--keep-checkpoints", defaultValue = "2", paramLabel = "N", description = "Checkpoints kept (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Option(names = "--saliency-images", defaultValue = "4", paramLabel = "N", description = "Dense benchmarks: validation images with saliency plots (0: none; default: ${DEFAULT-VALUE}).")
    int saliencyImages;

    @Option(names = "--no-progress", description = "Hide the progress bar.")
    boolean noProgress;

    @Option(names = "--spark-master", paramLabel = "URL", description = "Train on Apache Spark: local[N] (N threads in this JVM) or spark://HOST:PORT; "
            + "each step then holds --workers minibatches of --batch-size, one per worker (single-input benchmarks).")
    String sparkMaster;

    @Option(names = "--workers", defaultValue = "1", paramLabel = "N", description = "Spark workers (partitions) per step (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--training-master", defaultValue = "gradient", paramLabel = "NAME", description = "Spark training master: gradient "
            + "(synchronous gradient averaging: the single-machine step on the workers' concatenated minibatches; default) or averaging "
            + "(parameter averaging: each worker trains --averaging-frequency local steps on its own minibatches of --batch-size, then "
            + "parameters, optimiser, batch-norm and strategy state are averaged by examples).")
    String trainingMaster;

    @Option(names = "--averaging-frequency", paramLabel = "K", description = "Averaging master: local steps per worker between averagings (default: 5).")
    Integer averagingFrequency;

    @Option(names = "--aggregation-depth", paramLabel = "D", description = "Averaging master: depth of the tree that sums the workers' states (1: on the driver; default: 2).")
    Integer aggregationDepth;

    @Option(names = "--worker-prefetch", paramLabel = "N", description = "Averaging master: minibatches each worker prepares ahead in the background (default: 0).")
    Integer workerPrefetch;

    /** Everything the flags decide, resolved and checked before any data is read. */
    record Settings(String model, String strategy, Map<String, String> strategyOptions, GradientMode gradientMode, boolean repMtl,
                    double learningRate, Optimizer optimizer, int epochs, ModelSelection selection) {}

    @Override
    public Integer call() {
        if (listStrategies) {
            System.out.print(Strategies.help());
            return 0;
        }
        Benchmark benchmark = Benchmark.of(data.benchmark);
        Settings s = settings(benchmark);
        Path outDir = out != null ? out : Path.of("results", "train-" + benchmark.cliName() + "-" + s.model());
        BenchmarkData dataset = BenchmarkData.open(data);
        // trained as saved and loaded, as Spark executors train it: the same run with or without Spark
        MultiTaskModel m = MultiTaskModelFiles.copyOf(onnx.isSet() ? onnx.create(dataset) : ZooModels.create(s.model(), dataset, data.seed, ZooModels.pretrainedTrunk(s.model(), pretrained)));
        Baselines reference = BaselineChoice.forTraining(baselines, benchmark).orElse(null);

        RepMtl regularizer = s.repMtl() ? repMtl.build(m) : null;
        MultiTaskTrainer.Builder b = trainer(m, s, data.seed, regularizer)
                .listener(new TrainingLogs(outDir.resolve("logs"))).checkpoints(outDir.resolve("checkpoints"), keepCheckpoints).resume(resume);
        if (!noProgress) b.listener(new ProgressBarListener(benchmark.cliName()));
        if (reference != null) b.baselines(reference);
        checkSpark();
        if (sparkMaster == null) dataset.configure(b, data.batchSize, data.evaluationBatchSize());
        else dataset.configureEvaluation(b, data.evaluationBatchSize());

        System.out.println("train " + dataset.description() + ": model " + s.model() + ", tasks " + m.taskNames() + ", strategy " + s.strategy()
                + (s.strategyOptions().isEmpty() ? "" : " " + s.strategyOptions()) + (regularizer != null ? ", Rep-MTL " + regularizer : ", no Rep-MTL")
                + ", " + s.optimizer() + ", " + s.epochs() + " epochs, batch " + data.batchSize + ", seed " + data.seed
                + ", Delta-p vs " + (reference != null ? reference.name() : "first evaluation")
                + (sparkMaster != null ? ", Spark " + sparkMaster + " (" + trainingMaster + " master, " + workers + " worker(s))" : ""));
        TrainingResult result;
        if (sparkMaster == null) {
            result = b.build().fit();
        } else {
            try (JavaSparkContext sc = sparkContext(sparkMaster)) {
                result = SparkMultiTaskTrainer.builder(sc).training(b).trainingMaster(trainingMaster())
                        .build().fit(dataset.trainIterator(data.batchSize));
            }
        }

        MultiTaskModelFiles.save(m, outDir.resolve("model"));
        List<Path> plots = TrainingPlots.write(Map.of(benchmark.cliName(), outDir.resolve("logs")), outDir.resolve("plots"));
        int plotCount = plots.size();
        if (benchmark.dense() && saliencyImages > 0) plotCount += saliencyPlots(dataset, m, outDir.resolve("plots").resolve("saliency")).size();
        String report = report(result);
        System.out.print(report);
        writeRun(outDir.resolve("run.json"), benchmark, s, regularizer, reference, result);
        System.out.println("output: " + outDir.toAbsolutePath() + " (logs/, checkpoints/, model/, " + plotCount + " plots in plots/, run.json)");
        return 0;
    }

    private void checkSpark() {
        if (workers < 1) throw new IllegalArgumentException("--workers must be >= 1, got " + workers);
        if (sparkMaster == null && workers != 1) throw new IllegalArgumentException("--workers " + workers + " needs --spark-master");
        if (!trainingMaster.equals("gradient") && !trainingMaster.equals("averaging"))
            throw new IllegalArgumentException("unknown --training-master '" + trainingMaster + "'; available: gradient, averaging");
        if (!trainingMaster.equals("averaging") && (averagingFrequency != null || aggregationDepth != null || workerPrefetch != null))
            throw new IllegalArgumentException("--averaging-frequency, --aggregation-depth and --worker-prefetch need --training-master averaging");
        if (sparkMaster != null) trainingMaster();                           // option values checked before any data is read
    }

    /** The training master the Spark options describe (per-worker minibatches of --batch-size). */
    private TrainingMaster trainingMaster() {
        if (trainingMaster.equals("gradient")) return GradientTrainingMaster.builder().workers(workers).build();
        ParameterAveragingTrainingMaster.Builder a = ParameterAveragingTrainingMaster.builder().workers(workers).batchSizePerWorker(data.batchSize);
        if (averagingFrequency != null) a.averagingFrequency(averagingFrequency);
        if (aggregationDepth != null) a.aggregationDepth(aggregationDepth);
        if (workerPrefetch != null) a.workerPrefetchNumBatches(workerPrefetch);
        return a.build();
    }

    /** A Spark context for {@code master}; a local master binds to loopback only, and Spark's web UI stays off. */
    static JavaSparkContext sparkContext(String master) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("repmtl train").set("spark.ui.enabled", "false");
        if (master.startsWith("local")) conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        return new JavaSparkContext(conf);
    }

    /** Resolves the flags (and the --config file) into settings; conflicting or unknown values raise one clear error. */
    Settings settings(Benchmark benchmark) {
        if (arch != null && !arch.trim().equalsIgnoreCase("HPS"))
            throw new IllegalArgumentException("--arch " + arch + " is not available: only HPS (hard parameter sharing) is implemented");
        onnx.validate();
        if (onnx.isSet() && model != null) throw new IllegalArgumentException("--model and --onnx are exclusive: --onnx trains the imported model");
        if (onnx.isSet() && pretrained != null) throw new IllegalArgumentException("--pretrained applies to zoo models; an --onnx model brings its own weights");
        String modelName = onnx.isSet() ? onnx.modelName() : benchmark.model(model);
        boolean on = repMtl.isOn();
        RepMtlCandidate config = repMtl.configuration();
        String strategyName = Strategies.descriptor(strategy != null ? strategy : config != null ? config.strategy() : "ew").name();
        Map<String, String> options = new LinkedHashMap<>(libMtlWeighting.options(strategyName));
        strategyOptions.forEach((k, v) -> {
            if (options.containsKey(k) && !options.get(k).equals(v))
                throw new IllegalArgumentException("strategy option '" + k + "' given twice with different values: " + options.get(k) + " and " + v);
            options.put(k, v);
        });
        GradientMode mode = gradientMode == null ? null : gradientMode(gradientMode);
        if (repGrad) {
            if (mode != null && mode != GradientMode.REPRESENTATION)
                throw new IllegalArgumentException("--rep_grad contradicts --gradient-mode " + gradientMode);
            mode = GradientMode.REPRESENTATION;
        }
        double lr = learningRate != null ? learningRate : config != null ? config.learningRate() : DEFAULT_LEARNING_RATE;
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        if (keepCheckpoints < 1) throw new IllegalArgumentException("--keep-checkpoints must be >= 1, got " + keepCheckpoints);
        if (saliencyImages < 0) throw new IllegalArgumentException("--saliency-images must be >= 0, got " + saliencyImages);
        ModelSelection selection = meanOfLast == null ? ModelSelection.bestDeltaP() : ModelSelection.meanOfLast(meanOfLast);
        if (mode == null) Strategies.create(strategyName, List.of("a", "b"), options);     // checks options (and modes) before any data is read
        else Strategies.create(strategyName, List.of("a", "b"), options, mode);
        return new Settings(modelName, strategyName, Map.copyOf(options), mode, on, lr, optimizerOptions.optimizer(lr, epochs), epochs, selection);
    }

    static GradientMode gradientMode(String name) {
        for (GradientMode m : GradientMode.values()) if (m.name().equalsIgnoreCase(name.trim())) return m;
        throw new IllegalArgumentException("unknown gradient mode '" + name + "'; valid: none, parameters, representation");
    }

    /**
     * The trainer of one run of {@code model} as the settings describe it (optimiser, epochs, seed, selection, strategy,
     * gradient mode, Rep-MTL when {@code regularizer} is not null), without data, baselines or listeners; shared by
     * {@code train} and {@code compare}, so a compared run trains as {@code repmtl train} does.
     */
    static MultiTaskTrainer.Builder trainer(MultiTaskModel model, Settings s, long seed, RepMtl regularizer) {
        MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(model).optimizer(s.optimizer()).epochs(s.epochs()).seed(seed).selection(s.selection());
        MultiTaskStrategy strategyInstance = strategy(s, model.taskNames());
        if (strategyInstance != null) b.strategy(strategyInstance);
        if (s.gradientMode() != null) b.gradientMode(s.gradientMode());
        if (regularizer != null) b.repMtl(regularizer);
        return b;
    }

    /** The strategy instance; null for plain equal weighting without a gradient mode (the trainer's fast path). */
    private static MultiTaskStrategy strategy(Settings s, List<String> tasks) {
        if (s.strategy().equals("ew") && s.strategyOptions().isEmpty() && s.gradientMode() == null) return null;
        return s.gradientMode() == null ? Strategies.create(s.strategy(), tasks, s.strategyOptions())
                : Strategies.create(s.strategy(), tasks, s.strategyOptions(), s.gradientMode());
    }

    private List<Path> saliencyPlots(BenchmarkData dataset, MultiTaskModel m, Path dir) {
        Split split = dataset.hasSplit(Split.VALIDATION) ? Split.VALIDATION : Split.TEST;
        MultiDataSetIterator it = dataset.iterator(split, saliencyImages, false);
        MultiDataSet batch = it.next();
        return SaliencyPlots.write(m, batch, saliencyImages, dir);
    }

    /** The selected epoch(s) and their metrics, as printed at the end of a run. */
    static String report(TrainingResult result) {
        StringBuilder sb = new StringBuilder();
        if (result.selectedEpochs().isEmpty()) {
            sb.append("no validation or test split: nothing to select\n");
            return sb.toString();
        }
        sb.append(String.format(Locale.ROOT, "selected epoch%s %s by %s Delta-p (%s)%n", result.selectedEpochs().size() > 1 ? "s" : "",
                result.selectedEpochs(), result.selectionSplit(), result.selection().mode().name().toLowerCase(Locale.ROOT).replace('_', '-')));
        EpochSummary last = result.epochs().get(result.selectedEpochs().get(result.selectedEpochs().size() - 1));
        for (String split : List.of("validation", "test")) {
            Map<String, TaskResult> r = split.equals("validation") ? last.validation() : last.test();
            DeltaP d = split.equals("validation") ? last.validationDeltaP() : last.testDeltaP();
            if (r == null) continue;
            sb.append(EvalCommand.table(split + " (epoch " + last.epoch() + ")", r, d));
        }
        if (result.selectedEpochs().size() > 1)
            sb.append(String.format(Locale.ROOT, "mean %s Delta-p over the selected epochs: %+.2f %%%n", result.selectionSplit(), result.selectedDeltaP()));
        return sb.toString();
    }

    private void writeRun(Path file, Benchmark benchmark, Settings s, RepMtl regularizer, Baselines reference, TrainingResult result) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("benchmark", benchmark.cliName());
        run.put("data", data.data == null ? null : data.data.toString());
        run.put("model", s.model());
        run.put("strategy", s.strategy());
        run.put("strategyOptions", s.strategyOptions());
        run.put("gradientMode", s.gradientMode() == null ? null : s.gradientMode().name().toLowerCase(Locale.ROOT));
        run.put("repMtl", regularizer == null ? null : regularizer.toString());
        run.put("optimizer", s.optimizer().toString());
        run.put("epochs", s.epochs());
        run.put("batchSize", data.batchSize);
        run.put("seed", data.seed);
        run.put("baselines", reference == null ? "first evaluation" : reference.name());
        run.put("selectionSplit", result.selectionSplit());
        run.put("selectedEpochs", result.selectedEpochs());
        run.put("selectedDeltaP", Double.isFinite(result.selectedDeltaP()) ? result.selectedDeltaP() : null);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), run);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }
}
