package io.github.repmtl.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.metrics.DeltaP;
import io.github.repmtl.samediff.metrics.SeedStatistics;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.EpochSummary;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.ProgressBarListener;
import io.github.repmtl.samediff.train.TrainingLogs;
import io.github.repmtl.samediff.train.TrainingResult;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code repmtl compare}: trains a list of methods ({@link CompareMethod}) over several seeds on a benchmark and
 * compares them on the test split: per method the mean and sample standard deviation of every metric and of Delta-p
 * against the single-task baselines ({@code stl}) of the same seed, the paired difference against a reference
 * method with 95 % paired-t and percentile-bootstrap intervals, and the seeds each method won ({@link SeedStatistics}).
 *
 * <p>Seed {@code S} of a method has the data split, shuffling and initialisation of {@code repmtl train --seed S} (the
 * trainer is set up by {@link TrainCommand#trainer}); each run's epoch is selected by its validation Delta-p against the
 * validation metrics of that seed's single-task models. Every (method, seed) writes
 * {@code <out>/runs/<method>/seed-<S>/result.json} atomically when it finishes; a rerun on the same folder skips the
 * finished ones (and refuses results trained with other settings). At the end {@code summary.json},
 * {@code summary.csv}, {@code summary.txt}, {@code timings.csv} and {@code plots/} are written from the result files.
 * With {@code --spark-master} every (method, seed) is a Spark task running the same single-machine training on an
 * executor ({@link SparkRun}), and the driver then summarises the result files.
 */
@Command(mixinStandardHelpOptions = true, name = "compare", sortOptions = false,
        description = "Train methods over several seeds and compare them: mean +- sd of every metric and of Delta-p against the single-task "
                + "baselines of each seed, paired differences against a reference with 95 %% paired-t and bootstrap intervals, seeds won.")
final class CompareCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin DataOptions data;

    @Option(names = "--model", paramLabel = "NAME", description = "The zoo model (default: the benchmark's, as in train).")
    String model;

    @Option(names = "--methods", split = ",", defaultValue = "stl,ew,rep-mtl", paramLabel = "METHOD",
            description = "Methods, comma-separated (default: ${DEFAULT-VALUE}): stl (single-task baselines, one model per task), a strategy "
                    + "with options (cagrad:c=0.4, pcgrad:gradientMode=representation), rep-mtl[:lambdaTsr=X:lambdaCsa=X:tau=X:csaVariant=paper|infonce"
                    + ":logTransform=true|false] (Rep-MTL on EW; without values train's defaults 0.9/0.9), rep-mtl:config (the --config file's values, "
                    + "or config=FILE), rep-mtl:schedule (the --lambda-schedule file's lambdas and tau by epoch, or schedule=FILE), "
                    + "STRATEGY+rep-mtl[:...] (Rep-MTL on a strategy). stl is trained for every seed in any case (Delta-p's reference).")
    List<String> methods;

    @Option(names = "--seeds", defaultValue = "3", paramLabel = "N|S1,S2,...",
            description = "A count N (N seeds from --seed on: --seed, --seed+1, ...) or a list of seeds, at least 2 (default: ${DEFAULT-VALUE}). "
                    + "Each seed trains every method once, with the data split, shuffling and initialisation of 'repmtl train --seed S'.")
    String seeds;

    @Option(names = "--reference", paramLabel = "METHOD", description = "Method the others are paired against (default: ew if listed, else the first method).")
    String reference;

    @Option(names = "--config", paramLabel = "FILE", description = "Rep-MTL configuration (best-config.json of 'repmtl search') for methods rep-mtl:config.")
    Path config;

    @Option(names = "--lambda-schedule", paramLabel = "FILE",
            description = "Rep-MTL schedule, lambdas and tau by epoch (best-schedule.json of 'repmtl search --generator pbt'), for methods rep-mtl:schedule.")
    Path lambdaSchedule;

    @Mixin OptimizerOptions optimizerOptions;

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate of every method (default 1e-4, as train).")
    Double learningRate;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs per run (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--bootstrap-resamples", defaultValue = "" + SeedStatistics.DEFAULT_RESAMPLES, paramLabel = "B",
            description = "Bootstrap resamples of the seeds (default: ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--bootstrap-seed", defaultValue = "" + SeedStatistics.DEFAULT_BOOTSTRAP_SEED, paramLabel = "SEED",
            description = "Seed of the bootstrap's random generator (default: ${DEFAULT-VALUE}).")
    long bootstrapSeed;

    @Option(names = {"--out", "--save_path"}, paramLabel = "DIR", description = "Output folder; a rerun on it resumes (default: results/compare-<benchmark>).")
    Path out;

    @Option(names = "--no-progress", description = "Hide the progress output (bars on a terminal, one line per epoch otherwise).")
    boolean noProgress;

    @Option(names = "--spark-master", paramLabel = "URL", description = "Run every (method, seed) as a Spark task (the single-machine training on an "
            + "executor): local[N] (N at a time in this JVM) or spark://HOST:PORT, whose executors must all see --out (a shared file system); "
            + "default: one run after the other in this JVM.")
    String sparkMaster;

    @Spec CommandSpec spec;

    private Benchmark benchmark;
    private String modelName;
    private List<Long> seedList;
    private List<CompareMethod> listed;
    private CompareMethod stl;
    private String ref;
    private double lr;
    private Optimizer optimizer;
    private Path outDir;
    private ObjectNode settings;

    /** One (method, seed) obtained: its result, whether it was trained now, and the line that says so. */
    private record Outcome(CompareResult result, boolean trained, String line) {}

    @Override
    public Integer call() {
        prepare();
        System.out.println("compare on " + benchmark.cliName() + ": methods " + listed.stream().map(CompareMethod::label).toList() + ", seeds " + seedList
                + ", reference " + ref + ", model " + modelName + ", " + optimizer + ", " + epochs + " epochs, batch " + data.batchSize + ", output " + outDir
                + (sparkMaster != null ? ", runs as Spark tasks on " + sparkMaster : ""));
        if (!listed.contains(stl)) System.out.println("note: stl (Delta-p's reference) is trained for every seed, but not listed in --methods, so not reported");
        for (CompareMethod m : listed) {
            if (m.configFile() != null)
                System.out.println("note: " + m.label() + " takes " + (m.schedule() == null ? "lambdaTsr, lambdaCsa, tau, " : "") + "csaVariant and logTransform from "
                        + m.configFile() + "; every method trains with --lr " + lr + " and the strategy it names (" + m.strategy() + ")");
            if (m.scheduleFile() != null)
                System.out.println("note: " + m.label() + " takes lambdaTsr, lambdaCsa and tau by epoch from " + m.scheduleFile() + ": " + m.schedule().canonical().segments());
        }

        int trained = 0, reused = 0;
        if (sparkMaster != null) {
            for (Outcome o : onSpark()) {
                System.out.println(o.line());
                if (o.trained()) trained++;
                else reused++;
            }
        }
        Map<String, Map<Long, CompareResult>> results = new LinkedHashMap<>();
        for (CompareMethod m : listed) results.put(m.label(), new LinkedHashMap<>());
        String source = null;
        for (long seed : seedList) {
            BenchmarkData dataset = open(seed);
            if (source == null && dataset.description().contains("bundled subset"))
                System.out.println("NOTE: Fashion-MNIST was not found, so this comparison uses the small subset bundled with repmtl-datavec"
                        + " (Debian package dataset-fashion-mnist, or --data DIR, for the full one)");
            source = dataset.description();
            CompareResult baseline = null;
            for (CompareMethod m : stlFirst()) {
                Outcome o = obtain(m, seed, dataset, baseline);      // after Spark: every run is done, so this only reads and checks
                if (sparkMaster == null) {
                    System.out.println(o.line());
                    if (o.trained()) trained++;
                    else reused++;
                }
                if (m.singleTask()) baseline = o.result();
                if (results.containsKey(m.label())) results.get(m.label()).put(seed, o.result());
            }
        }

        List<String> labels = listed.stream().map(CompareMethod::label).toList();
        CompareSummary summary = new CompareSummary(labels, seedList, results, ref, resamples, bootstrapSeed);
        Map<String, ObjectNode> configurations = new LinkedHashMap<>();
        for (CompareMethod m : listed) configurations.put(m.label(), m.describe(JSON));
        ObjectNode reported = settings.deepCopy();
        reported.put("dataSource", source);
        List<Path> plots = summary.write(outDir, benchmark.cliName(), reported, configurations);
        System.out.println();
        System.out.print(summary.table(benchmark.cliName()));
        System.out.println("results: " + outDir.toAbsolutePath() + " (" + trained + " run(s) trained, " + reused + " reused; summary.json, summary.csv, "
                + "summary.txt, timings.csv, " + plots.size() + " plots in plots/, runs/<method>/seed-<S>/)");
        return 0;
    }

    /** Checks every flag and resolves the settings, before any data is read (driver and Spark tasks alike). */
    private void prepare() {
        benchmark = Benchmark.of(data.benchmark);
        modelName = benchmark.model(model);
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        seedList = seeds();
        listed = methods();
        ref = reference(listed);
        if (resamples < 1) throw new IllegalArgumentException("--bootstrap-resamples must be >= 1, got " + resamples);
        lr = learningRate != null ? learningRate : TrainCommand.DEFAULT_LEARNING_RATE;
        if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        optimizer = optimizerOptions.optimizer(lr, epochs);
        outDir = out != null ? out : Path.of("results", "compare-" + benchmark.cliName());
        settings = commonSettings(benchmark);
        stl = listed.stream().filter(CompareMethod::singleTask).findFirst().orElse(CompareMethod.parse(CompareMethod.STL, null));
    }

    /** The data of one seed's runs (split and shuffling follow the seed, as in {@code train --seed}). */
    private BenchmarkData open(long seed) {
        data.seed = seed;
        BenchmarkData dataset = BenchmarkData.open(data);
        if (!dataset.hasSplit(Split.TEST))
            throw new IllegalArgumentException("compare reports the test split, and " + dataset.description() + " has none (set --test-size)");
        return dataset;
    }

    /**
     * The result of one (method, seed): read from its file when it is there (and trained with these settings), else
     * trained and written atomically. {@code stl} is this seed's single-task result (null for stl itself).
     */
    private Outcome obtain(CompareMethod m, long seed, BenchmarkData dataset, CompareResult stlResult) {
        Path dir = outDir.resolve("runs").resolve(m.folder()).resolve("seed-" + seed);
        Path file = dir.resolve(CompareResult.FILE);
        ObjectNode expected = runSettings(m, seed, dataset);
        if (Files.exists(file)) {
            CompareResult r = CompareResult.read(file);
            checkSameSettings(file, expected, r.settings());
            return new Outcome(r, false, "seed " + seed + " " + m.label() + ": done earlier (" + file + ")");
        }
        CompareResult fresh = m.singleTask() ? trainSingleTask(m, seed, dataset, dir, expected) : trainMultiTask(m, seed, dataset, dir, expected, stlResult);
        fresh.write(dir);
        CompareResult r = CompareResult.read(file);
        return new Outcome(r, true, String.format(Locale.ROOT, "seed %d %s: trained in %.1f s, selected epoch(s) %s, test Delta-p %+.2f", seed, m.label(),
                r.trainingSeconds(), r.selectedEpochs().values(), r.testDeltaP()));
    }

    /** stl first (the other methods' Delta-p needs it), then the other methods in their order. */
    private List<CompareMethod> stlFirst() {
        List<CompareMethod> order = new ArrayList<>(List.of(stl));
        for (CompareMethod m : listed) if (!m.singleTask()) order.add(m);
        return order;
    }

    /**
     * Every (method, seed) as one Spark task that runs the single-machine training on an executor and writes its result
     * file into {@code --out} (which every executor must see): first the seeds' stl runs, then all other runs.
     */
    private List<Outcome> onSpark() {
        String[] args = argumentsForTasks();
        List<Outcome> outcomes = new ArrayList<>();
        try (JavaSparkContext sc = TrainCommand.sparkContext(sparkMaster)) {
            List<String> stage1 = new ArrayList<>(), stage2 = new ArrayList<>();
            for (long seed : seedList) {
                stage1.add(seed + "\t" + stl.label());
                for (CompareMethod m : listed) if (!m.singleTask()) stage2.add(seed + "\t" + m.label());
            }
            for (List<String> stage : List.of(stage1, stage2)) {
                if (stage.isEmpty()) continue;
                for (String line : sc.parallelize(stage, stage.size()).map(new SparkRun(args)).collect()) {
                    outcomes.add(new Outcome(null, line.startsWith("T"), line.substring(1) + " (Spark task)"));
                }
            }
        }
        return outcomes;
    }

    /**
     * The flags this command was given, without {@code --spark-master} and with paths made absolute: each Spark task
     * parses them into its own command.
     */
    private String[] argumentsForTasks() {
        List<String> args = new ArrayList<>();
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String name = o.longestName();
            if (name.equals("--spark-master") || name.equals("--verbose")) continue;
            if (o.arity().max() == 0) args.add(name);
            else for (String v : o.originalStringValues())
                args.addAll(List.of(name, o.type() == Path.class ? Path.of(v).toAbsolutePath().normalize().toString() : v));
        }
        if (!args.contains("--no-progress")) args.add("--no-progress");           // executors' output is not the user's terminal
        return args.toArray(String[]::new);
    }

    /** A Spark task: {@code "SEED\tMETHOD"} in, {@code "T"} (trained) or {@code "R"} (reused) and the outcome's line out. */
    static final class SparkRun implements org.apache.spark.api.java.function.Function<String, String> {
        private static final long serialVersionUID = 1L;
        private final String[] args;

        SparkRun(String[] args) { this.args = args.clone(); }

        @Override
        public String call(String task) {
            int tab = task.indexOf('\t');
            long seed = Long.parseLong(task.substring(0, tab));
            String label = task.substring(tab + 1);
            CompareCommand c = new CompareCommand();
            new picocli.CommandLine(c).parseArgs(args);
            c.prepare();
            CompareMethod m = label.equals(c.stl.label()) ? c.stl : c.listed.stream().filter(x -> x.label().equals(label)).findFirst().orElseThrow();
            BenchmarkData dataset = c.open(seed);
            CompareResult stlResult = null;
            if (!m.singleTask()) {
                Path stlFile = c.outDir.resolve("runs").resolve(c.stl.folder()).resolve("seed-" + seed).resolve(CompareResult.FILE);
                if (!Files.exists(stlFile))
                    throw new IllegalStateException(stlFile + " is not there: the executors must share --out (" + c.outDir + ")");
                stlResult = CompareResult.read(stlFile);
                checkSameSettings(stlFile, c.runSettings(c.stl, seed, dataset), stlResult.settings());
            }
            Outcome o = c.obtain(m, seed, dataset, stlResult);
            return (o.trained() ? "T" : "R") + o.line();
        }
    }

    /** {@code --seeds} as a list: a count from {@code --seed} on, or the seeds given; at least 2, no repeats. */
    List<Long> seeds() {
        String text = seeds == null ? "" : seeds.trim();
        List<Long> list = new ArrayList<>();
        try {
            if (!text.contains(",")) {
                int n = Integer.parseInt(text);
                if (n < 2) throw new IllegalArgumentException("--seeds " + n + ": the confidence intervals need at least 2 seeds");
                for (int i = 0; i < n; i++) list.add(data.seed + i);
                return list;
            }
            for (String s : text.split(",")) list.add(Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seeds must be a count N or a list of seeds like 1,2,3, got '" + seeds + "'");
        }
        if (seedOptionGiven())
            throw new IllegalArgumentException("--seed sets the first seed of --seeds N; with a list of seeds (--seeds " + seeds + ") leave it out");
        if (new LinkedHashSet<>(list).size() != list.size()) throw new IllegalArgumentException("--seeds lists a seed twice: " + seeds);
        if (list.size() < 2) throw new IllegalArgumentException("--seeds " + seeds + ": the confidence intervals need at least 2 seeds");
        return list;
    }

    private boolean seedOptionGiven() {
        return spec != null && spec.commandLine() != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--seed");
    }

    /** The methods parsed, each once (by spelling and by what it trains). */
    List<CompareMethod> methods() {
        if (methods == null || methods.isEmpty()) throw new IllegalArgumentException("--methods lists no method");
        List<CompareMethod> list = new ArrayList<>();
        Map<JsonNode, String> trains = new LinkedHashMap<>();
        Map<String, String> folders = new LinkedHashMap<>();
        for (String text : methods) {
            CompareMethod m = CompareMethod.parse(text, config, lambdaSchedule);
            for (CompareMethod other : list)
                if (other.label().equals(m.label())) throw new IllegalArgumentException("method '" + m.label() + "' is listed twice in --methods");
            String same = trains.put(m.describe(JSON), m.label());
            if (same != null) throw new IllegalArgumentException("methods '" + same + "' and '" + m.label() + "' train the same configuration");
            String folder = folders.put(m.folder(), m.label());
            if (folder != null) throw new IllegalArgumentException("methods '" + folder + "' and '" + m.label() + "' would share the result folder " + m.folder());
            list.add(m);
        }
        return list;
    }

    private String reference(List<CompareMethod> listed) {
        List<String> labels = listed.stream().map(CompareMethod::label).toList();
        if (reference == null) return labels.contains("ew") ? "ew" : labels.get(0);
        String label;
        try {
            label = CompareMethod.parse(reference, config, lambdaSchedule).label();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--reference " + reference + " is not among --methods " + labels);
        }
        if (!labels.contains(label)) throw new IllegalArgumentException("--reference " + reference + " is not among --methods " + labels);
        return label;
    }

    /** The settings every run shares; a result trained with other settings is not reused. */
    private ObjectNode commonSettings(Benchmark benchmark) {
        ObjectNode s = JSON.createObjectNode();
        s.put("benchmark", benchmark.cliName());
        s.put("data", data.data == null ? null : data.data.toAbsolutePath().normalize().toString());
        s.put("model", modelName);
        s.put("batchSize", data.batchSize);
        s.put("evalBatchSize", data.evaluationBatchSize());
        if (data.trainSize != null) s.put("trainSize", data.trainSize);
        if (data.validationSize != null) s.put("validationSize", data.validationSize);
        if (data.testSize != null) s.put("testSize", data.testSize);
        if (data.imageSize != null) s.put("imageSize", data.imageSize);
        s.put("augment", data.augment);
        s.put("optimizer", optimizer.toString());
        s.put("epochs", epochs);
        s.put("selection", "best validation Delta-p against the seed's single-task validation metrics");
        return s;
    }

    private ObjectNode runSettings(CompareMethod m, long seed, BenchmarkData dataset) {
        ObjectNode s = settings.deepCopy();
        s.put("dataSource", dataset.description());
        s.put("seed", seed);
        s.set("method", m.describe(JSON));
        try {                                                   // as read back from a result file (numbers typed as the parser types them)
            return (ObjectNode) JSON.readTree(JSON.writeValueAsString(s));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void checkSameSettings(Path file, ObjectNode expected, ObjectNode stored) {
        if (expected.equals(stored)) return;
        throw new IllegalArgumentException(file + " was trained with other settings (" + firstDifference("", stored, expected)
                + "); use another --out, or delete it to train it again");
    }

    private static String firstDifference(String path, JsonNode stored, JsonNode now) {
        if (stored != null && now != null && stored.isObject() && now.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            for (Iterator<String> it = now.fieldNames(); it.hasNext(); ) keys.add(it.next());
            for (Iterator<String> it = stored.fieldNames(); it.hasNext(); ) keys.add(it.next());
            for (String k : keys) {
                JsonNode a = stored.get(k), b = now.get(k);
                if (a == null ? b != null : !a.equals(b)) return firstDifference(path.isEmpty() ? k : path + "." + k, a, b);
            }
        }
        return path + ": " + stored + " then, " + now + " now";
    }

    private MultiTaskTrainer.Builder withProgress(MultiTaskTrainer.Builder b, String label) {
        if (!noProgress) b.listener(new ProgressBarListener(label));
        return b;
    }

    /** stl: one model per task, each selected by its own validation Delta-p (against its first evaluation, as train without baselines). */
    private CompareResult trainSingleTask(CompareMethod m, long seed, BenchmarkData dataset, Path dir, ObjectNode expected) {
        Map<String, Integer> selected = new LinkedHashMap<>();
        Map<String, Map<String, Double>> validation = new LinkedHashMap<>(), test = new LinkedHashMap<>();
        double seconds = 0, perEpoch = 0;
        List<TaskSpec> tasks = dataset.tasks();
        for (int t = 0; t < tasks.size(); t++) {
            String task = tasks.get(t).name();
            MultiTaskModel single = ZooModels.create(modelName, dataset, List.of(tasks.get(t)), seed, null);
            MultiTaskTrainer.Builder b = TrainCommand.trainer(single, m.settings(modelName, lr, optimizer, epochs), seed, null)
                    .listener(new TrainingLogs(dir.resolve("logs-" + task)));
            withProgress(b, "stl " + task + " seed " + seed);
            dataset.configureSingleTask(b, t, data.batchSize, data.evaluationBatchSize());
            TrainingResult r = b.build().fit();
            EpochSummary chosen = selected(r, "stl " + task + " seed " + seed);
            selected.put(task, chosen.epoch());
            if (chosen.validation() != null) validation.put(task, chosen.validation().get(task).values());
            test.put(task, chosen.test().get(task).values());
            seconds += r.epochs().stream().mapToDouble(EpochSummary::seconds).sum();
            perEpoch += r.epochs().stream().mapToDouble(EpochSummary::seconds).average().orElse(0);
        }
        return new CompareResult(m.label(), seed, expected, selected, validation, test, 0.0, seconds, perEpoch);
    }

    /** A multi-task method, its epoch selected by validation Delta-p against the seed's stl validation metrics; test Delta-p against stl's test metrics. */
    private CompareResult trainMultiTask(CompareMethod m, long seed, BenchmarkData dataset, Path dir, ObjectNode expected, CompareResult stl) {
        Baselines testBaselines = Baselines.of("stl seed " + seed + " (test)", stl.test());
        Baselines selectionBaselines = stl.validation().isEmpty() ? testBaselines : Baselines.of("stl seed " + seed + " (validation)", stl.validation());
        MultiTaskModel model = ZooModels.create(modelName, dataset, seed, null);
        RepMtl regularizer = m.regularizer(model);
        MultiTaskTrainer.Builder b = TrainCommand.trainer(model, m.settings(modelName, lr, optimizer, epochs), seed, regularizer)
                .listener(new TrainingLogs(dir.resolve("logs"))).baselines(selectionBaselines);
        withProgress(b, m.label() + " seed " + seed);
        dataset.configure(b, data.batchSize, data.evaluationBatchSize());
        TrainingResult r = b.build().fit();
        EpochSummary chosen = selected(r, m.label() + " seed " + seed);
        Map<String, Map<String, Double>> validation = new LinkedHashMap<>(), test = new LinkedHashMap<>();
        if (chosen.validation() != null) chosen.validation().forEach((task, result) -> validation.put(task, result.values()));
        chosen.test().forEach((task, result) -> test.put(task, result.values()));
        List<TaskResult> testResults = new ArrayList<>(chosen.test().values());
        double deltaP = DeltaP.compute(testResults, testBaselines).taskAveraged();
        return new CompareResult(m.label(), seed, expected, Map.of("model", chosen.epoch()), validation, test, deltaP,
                r.epochs().stream().mapToDouble(EpochSummary::seconds).sum(), r.epochs().stream().mapToDouble(EpochSummary::seconds).average().orElse(0));
    }

    private static EpochSummary selected(TrainingResult r, String what) {
        if (r.selectedEpochs().isEmpty()) throw new IllegalStateException(what + ": no epoch could be selected (no validation or test Delta-p)");
        int epoch = r.selectedEpochs().get(0);
        EpochSummary chosen = r.epochs().stream().filter(e -> e.epoch() == epoch).findFirst().orElseThrow();
        if (chosen.test() == null) throw new IllegalStateException(what + ": the selected epoch has no test evaluation");
        return chosen;
    }
}
