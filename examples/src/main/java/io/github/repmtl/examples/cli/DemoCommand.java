package io.github.repmtl.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.fashion.ItemSource;
import io.github.repmtl.datavec.fashion.MultiFashion;
import io.github.repmtl.datavec.fashion.MultiItemDataset;
import io.github.repmtl.examples.plots.TrainingPlots;
import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.metrics.TaskResult;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.CsaVariant;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.EpochSummary;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.ProgressBarListener;
import io.github.repmtl.samediff.train.TrainingLogs;
import io.github.repmtl.samediff.train.TrainingResult;
import io.github.repmtl.zoo.HpsLeNet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code repmtl demo}: the main job. Trains HpsLeNet on MultiFashion as two single-task baselines, as an
 * equal-weighting multi-task model and as Rep-MTL (EW), all with the same seed and budget, selects each run's
 * epoch on the validation split and prints per-task test accuracy, Delta-p against the single-task baselines
 * and seconds per epoch. Logs, a summary and plots go to the results folder.
 */
@Command(mixinStandardHelpOptions = true, name = "demo", sortOptions = false, description = "Train HpsLeNet on MultiFashion: single-task baselines, EW and Rep-MTL (EW); print the comparison.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", description = "Fashion-MNIST idx directory (default: /usr/share/datasets/fashion-mnist, else the bundled subset).")
    Path data;
    @Option(names = "--out", defaultValue = "results/demo", description = "Results folder (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--epochs", defaultValue = "10", description = "Epochs per run (default: ${DEFAULT-VALUE}).") int epochs;
    @Option(names = "--batch", defaultValue = "256", description = "Batch size (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--train-size", defaultValue = "10000", description = "Training pairs (default: ${DEFAULT-VALUE}).") int trainSize;
    @Option(names = "--val-size", defaultValue = "2000", description = "Validation pairs, used to select each run's epoch (default: ${DEFAULT-VALUE}).") int valSize;
    @Option(names = "--test-size", defaultValue = "2000", description = "Test pairs, reported (default: ${DEFAULT-VALUE}).") int testSize;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of data split, initialisation and shuffling (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--lambda-tsr", defaultValue = "0.001", description = "Rep-MTL lambda_tsr (default: ${DEFAULT-VALUE}, chosen by the project's search, see README).") double lambdaTsr;
    @Option(names = "--lambda-csa", defaultValue = "0.1", description = "Rep-MTL lambda_csa (default: ${DEFAULT-VALUE}, chosen by the project's search, see README).") double lambdaCsa;
    @Option(names = "--tau", defaultValue = "0.5", description = "Rep-MTL CSA temperature (default: ${DEFAULT-VALUE}).") double tau;
    @Option(names = "--csa-variant", defaultValue = "PAPER", description = "CSA form: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).") CsaVariant csaVariant;
    @Option(names = "--no-progress", description = "Hide the progress output (bars on a terminal, one line per epoch otherwise).") boolean noProgress;
    @Option(names = "--seeds", paramLabel = "N", description = "Run N seeds (--seed, --seed+1, ...) of STL, EW and Rep-MTL (EW) through 'repmtl compare' and "
            + "report mean +- sd, the paired difference against EW with 95 %% intervals and seeds won, into <out>/compare (default: the single seed --seed).")
    Integer seeds;

    /** One row of the comparison table. */
    record Row(String method, Map<String, Double> accuracy, double deltaP, double secondsPerEpoch, int selectedEpoch) {}

    @Override
    public Integer call() throws Exception {
        if (seeds != null) return compare();
        MultiItemDataset dataset = MultiFashion.builder().dataDir(data).seed(seed).trainSize(trainSize).validationSize(valSize)
                .testSize(testSize).build();
        System.out.println("MultiFashion from " + dataset.source() + ": " + trainSize + " train / " + valSize + " validation / "
                + testSize + " test pairs, " + epochs + " epochs, batch " + batch + ", Adam lr " + lr + ", seed " + seed);
        if (dataset.source().kind() == ItemSource.Kind.BUNDLED_SUBSET) {
            System.out.println("NOTE: Fashion-MNIST was not found, so this demo uses the small subset bundled with repmtl-datavec;"
                    + " its figures are NOT comparable with README's table, which was made on the full Fashion-MNIST"
                    + " (Debian package dataset-fashion-mnist, or --data DIR).");
        }
        Files.createDirectories(out);
        List<String> tasks = MultiItemDataset.TASKS;
        List<Row> rows = new ArrayList<>();
        Map<String, Path> logs = new LinkedHashMap<>();

        Map<String, Map<String, Double>> stl = new LinkedHashMap<>();
        for (int t = 0; t < tasks.size(); t++) {
            String task = tasks.get(t);
            Run run = train("stl-" + task, List.of(task), t, null, dataset, false);
            logs.put("stl-" + task, run.logDir);
            stl.put(task, Map.of("accuracy", run.test.get(task).value("accuracy")));
            rows.add(new Row("STL " + task, Map.of(task, run.test.get(task).value("accuracy")), 0.0, run.secondsPerEpoch, run.epoch));
        }
        Baselines baselines = Baselines.of("single-task (this run)", stl);
        for (boolean withRep : new boolean[]{false, true}) {
            String name = withRep ? "repmtl-ew" : "ew";
            Run run = train(name, tasks, -1, baselines, dataset, withRep);
            logs.put(name, run.logDir);
            Map<String, Double> acc = new LinkedHashMap<>();
            for (String task : tasks) acc.put(task, run.test.get(task).value("accuracy"));
            rows.add(new Row(withRep ? "Rep-MTL (EW)" : "EW", acc, run.testDeltaP, run.secondsPerEpoch, run.epoch));
        }
        String table = table(rows, tasks);
        System.out.println();
        System.out.print(table);
        Files.writeString(out.resolve("summary.txt"), table);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("summary.json").toFile(), rows);
        List<Path> plots = TrainingPlots.write(logs, List.of("ew", "repmtl-ew"), out.resolve("plots"));
        System.out.println("results: " + out.toAbsolutePath() + " (logs per run, summary.json, summary.txt, " + plots.size() + " plots)");
        return 0;
    }

    /** {@code --seeds N}: the demo's three methods and settings over N seeds, as {@code repmtl compare} runs them. */
    private int compare() {
        List<String> args = new ArrayList<>(List.of("--benchmark", "multifashion", "--seeds", Integer.toString(seeds), "--seed", Long.toString(seed),
                "--methods", String.format(Locale.ROOT, "stl,ew,rep-mtl:lambdaTsr=%s:lambdaCsa=%s:tau=%s:csaVariant=%s", lambdaTsr, lambdaCsa, tau,
                        csaVariant.name().toLowerCase(Locale.ROOT)),
                "--reference", "ew", "--epochs", Integer.toString(epochs), "--batch-size", Integer.toString(batch), "--train-size", Integer.toString(trainSize),
                "--val-size", Integer.toString(valSize), "--test-size", Integer.toString(testSize), "--lr", Double.toString(lr), "--weight-decay", "0",
                "--out", out.resolve("compare").toString()));
        if (data != null) args.addAll(List.of("--data", data.toString()));
        if (noProgress) args.add("--no-progress");
        CompareCommand compare = new CompareCommand();
        new picocli.CommandLine(compare).parseArgs(args.toArray(String[]::new));
        return compare.call();
    }

    private record Run(Map<String, TaskResult> test, double testDeltaP, double secondsPerEpoch, int epoch, Path logDir) {}

    private Run train(String name, List<String> tasks, int onlyLabel, Baselines baselines, MultiItemDataset dataset, boolean withRepMtl) {
        List<TaskSpec> specs = tasks.stream().map(t -> TaskSpec.classification(t, 10)).toList();
        MultiTaskModel model = HpsLeNet.builder().seed(seed).tasks(specs).init();
        Path logDir = out.resolve(name);
        MultiTaskTrainer.Builder b = MultiTaskTrainer.builder(model).optimizer(Optimizer.adam(lr)).epochs(epochs).seed(seed)
                .train(select(dataset.iterator(Split.TRAIN, batch, true), onlyLabel))
                .validation(select(dataset.iterator(Split.VALIDATION, batch, false), onlyLabel))
                .test(select(dataset.iterator(Split.TEST, batch, false), onlyLabel))
                .listener(new TrainingLogs(logDir));
        if (!noProgress) b.listener(new ProgressBarListener(name));
        if (baselines != null) b.baselines(baselines);
        if (withRepMtl) b.repMtl(RepMtl.builder(model).lambdaTsr(lambdaTsr).lambdaCsa(lambdaCsa).tau(tau).csaVariant(csaVariant).build());
        TrainingResult result = b.build().fit();
        EpochSummary chosen = result.epochs().get(result.selectedEpochs().get(0));
        double seconds = result.epochs().stream().mapToDouble(EpochSummary::seconds).average().orElse(Double.NaN);
        return new Run(chosen.test(), chosen.testDeltaP() == null ? Double.NaN : chosen.testDeltaP().taskAveraged(), seconds, chosen.epoch(), logDir);
    }

    /** Keeps only one task's label array (single-task baselines), or all when {@code onlyLabel < 0}. */
    private static MultiDataSetIterator select(MultiDataSetIterator it, int onlyLabel) {
        if (onlyLabel >= 0) it.setPreProcessor(m -> m.setLabels(new INDArray[]{m.getLabels(onlyLabel)}));
        return it;
    }

    static String table(List<Row> rows, List<String> tasks) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-14s", "method"));
        for (String t : tasks) sb.append(String.format(Locale.ROOT, " %10s", "acc " + t));
        sb.append(String.format(Locale.ROOT, " %9s %9s %6s%n", "Delta-p", "s/epoch", "epoch"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-14s", r.method()));
            for (String t : tasks) {
                Double a = r.accuracy().get(t);
                sb.append(a == null ? String.format(Locale.ROOT, " %10s", "-") : String.format(Locale.ROOT, " %10.2f", a));
            }
            sb.append(String.format(Locale.ROOT, " %+9.2f %9.1f %6d%n", r.deltaP(), r.secondsPerEpoch(), r.selectedEpoch()));
        }
        return sb.toString();
    }
}
