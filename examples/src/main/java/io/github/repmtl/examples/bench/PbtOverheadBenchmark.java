package io.github.repmtl.examples.bench;

import io.github.repmtl.arbiter.PbtConfig;
import io.github.repmtl.arbiter.PbtHyperparameters;
import io.github.repmtl.arbiter.PbtResult;
import io.github.repmtl.arbiter.PbtRun;
import io.github.repmtl.arbiter.RepMtlSpace;
import io.github.repmtl.arbiter.SearchData;
import io.github.repmtl.arbiter.SearchObjective;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.datavec.fashion.MultiFashion;
import io.github.repmtl.datavec.fashion.MultiItemDataset;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.zoo.HpsLeNet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Wall time of population-based training against the trainings it replaces (issue 16: at most +5%): P members, R
 * rounds of K epochs ({@link PbtRun}: members kept between rounds, a model rebuilt and resumed from the copied checkpoint
 * after each exploit, the validation-loss ranking, checkpoint copies, state writes, the best member's model) against P independent trainings
 * of R x K epochs with the members' start values, each as {@code repmtl train} runs it (a checkpoint and a validation
 * evaluation every epoch, the model saved at the end). HPS LeNet on MultiFashion (Fashion-MNIST), Rep-MTL (EW),
 * Adam 1e-3, the model as saved and loaded (as train and search --generator pbt train it). The arms alternate
 * (I P P I ...), each from a fresh directory; the output is one line per arm and the ratio of the sums.
 *
 * <p>Arguments: {@code population rounds readyEpochs trainSize validationSize batch repetitions outDir}.
 */
public final class PbtOverheadBenchmark {
    private PbtOverheadBenchmark() {}

    public static void main(String[] args) throws Exception {
        int population = Integer.parseInt(args[0]), rounds = Integer.parseInt(args[1]), ready = Integer.parseInt(args[2]);
        int trainSize = Integer.parseInt(args[3]), valSize = Integer.parseInt(args[4]), batch = Integer.parseInt(args[5]), repetitions = Integer.parseInt(args[6]);
        Path out = Path.of(args[7]);
        long seed = 42;
        MultiItemDataset data = MultiFashion.builder().seed(seed).trainSize(trainSize).validationSize(valSize).testSize(16).build();
        List<TaskSpec> tasks = MultiItemDataset.TASKS.stream().map(t -> TaskSpec.classification(t, data.classNames().size())).toList();
        Supplier<MultiTaskModel> models = () -> MultiTaskModelFiles.copyOf(HpsLeNet.builder().seed(seed).tasks(tasks).init());
        SearchData searchData = SearchData.fromSplits(s -> data.iterator(s, batch, s == Split.TRAIN));
        List<PbtHyperparameters> starts = new ArrayList<>();
        for (int i = 0; i < population; i++) starts.add(new PbtHyperparameters(0.5 + i * 0.8 / population, 1.3 - i * 0.8 / population, 0.5));
        PbtConfig cfg = PbtConfig.builder().population(population).rounds(rounds).readyEpochs(ready).objective(SearchObjective.VALIDATION_LOSS)
                .space(RepMtlSpace.builder().lambdaTsrRange(0.3, 1.5).lambdaCsaRange(0.3, 1.5).tauRange(0.25, 1.0).build()).startValues(starts)
                .seed(seed).build();
        System.out.printf(Locale.ROOT, "pbt-overhead: %d members, %d rounds of %d epoch(s) (%d epochs each), MultiFashion %d/%d, batch %d, HPS LeNet, Rep-MTL%n",
                population, rounds, ready, cfg.totalEpochs(), trainSize, valSize, batch);
        long w0 = System.nanoTime();                                           // JIT warm-up, not counted: one member, three epochs
        independent(models, data, batch, starts.get(0), PbtConfig.builder().population(2).rounds(3).seed(seed).build(), out.resolve("warmup"));
        delete(out.resolve("warmup"));
        System.out.printf(Locale.ROOT, "pbt-overhead warm-up seconds=%.1f (not counted)%n", (System.nanoTime() - w0) / 1e9);
        double pbtTotal = 0, independentTotal = 0;
        double[] pbtSeconds = new double[repetitions], independentSeconds = new double[repetitions];
        for (int rep = 0; rep < repetitions; rep++) {
            boolean pbtFirst = rep % 2 == 1;                                   // I P, P I, I P, ...
            for (int arm = 0; arm < 2; arm++) {
                boolean pbt = (arm == 0) == pbtFirst;
                Path dir = out.resolve((pbt ? "pbt-" : "independent-") + rep);
                delete(dir);
                long t0 = System.nanoTime();
                if (pbt) {
                    PbtResult r = PbtRun.builder().modelFactory(models).data(searchData).config(cfg).optimizer(Optimizer::adam).outputDir(dir).build().run();
                    if (rep == 0) System.out.print(r.summary());
                } else {
                    for (int i = 0; i < population; i++) independent(models, data, batch, starts.get(i), cfg, dir.resolve("member-" + i));
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (pbt) pbtSeconds[rep] = s;
                else independentSeconds[rep] = s;
                if (pbt) pbtTotal += s;
                else independentTotal += s;
                System.out.printf(Locale.ROOT, "pbt-overhead %s rep=%d seconds=%.1f%n", pbt ? "pbt" : "independent", rep, s);
            }
        }
        StringBuilder ratios = new StringBuilder();
        for (int rep = 0; rep < repetitions; rep++) ratios.append(rep == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", pbtSeconds[rep] / independentSeconds[rep]));
        System.out.printf(Locale.ROOT, "pbt-overhead total pbt_s=%.1f independent_s=%.1f ratio=%.4f (target <= 1.05) per-repetition ratios %s%n", pbtTotal,
                independentTotal, pbtTotal / independentTotal, ratios);
    }

    /** One member trained alone for all epochs with its start values, as repmtl train does it. */
    private static void independent(Supplier<MultiTaskModel> models, MultiItemDataset data, int batch, PbtHyperparameters h, PbtConfig cfg, Path dir) {
        Nd4j.getRandom().setSeed(cfg.seed());
        MultiTaskModel model = models.get();
        MultiTaskTrainer.builder(model).repMtl(RepMtl.builder(model).lambdaTsr(h.lambdaTsr()).lambdaCsa(h.lambdaCsa()).tau(h.tau()).build())
                .optimizer(Optimizer.adam(cfg.template().learningRate())).epochs(cfg.totalEpochs()).seed(cfg.seed())
                .train(data.iterator(Split.TRAIN, batch, true)).validation(data.iterator(Split.VALIDATION, batch, false))
                .checkpoints(dir.resolve("checkpoints"), 2).build().fit();
        MultiTaskModelFiles.save(model, dir.resolve("model"));
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
