package io.github.repmtl.examples.cli;

import io.github.repmtl.arbiter.PbtConfig;
import io.github.repmtl.arbiter.PbtResult;
import io.github.repmtl.arbiter.PbtRun;
import io.github.repmtl.arbiter.RepMtlSearch;
import io.github.repmtl.arbiter.RepMtlSpace;
import io.github.repmtl.arbiter.SearchData;
import io.github.repmtl.arbiter.SearchGenerator;
import io.github.repmtl.arbiter.SearchObjective;
import io.github.repmtl.arbiter.SearchResult;
import io.github.repmtl.datavec.Split;
import io.github.repmtl.examples.plots.PbtPlots;
import io.github.repmtl.samediff.metrics.Baselines;
import io.github.repmtl.samediff.model.MultiTaskModelFiles;
import io.github.repmtl.samediff.regularizer.CsaVariant;
import io.github.repmtl.zoo.ResNetTrunk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code repmtl search}: Rep-MTL hyperparameter search with Arbiter ({@link RepMtlSearch}) on a benchmark: grid
 * (default: the paper's grid of both lambdas over {0.7, 0.9, 1.1, 1.3, 1.5}), random or genetic search, each
 * candidate trained from scratch and scored on the validation split. The output folder holds one record per
 * candidate, {@code results.csv}, {@code summary.txt} and {@code best-config.json} for {@code repmtl train --config};
 * running again on the same folder resumes. {@code --generator pbt} runs population-based training ({@link PbtRun}) of
 * lambda_tsr, lambda_csa and tau within the bounds the space options give, and writes {@code pbt.json},
 * {@code schedules.csv}, {@code lineage.csv}, {@code best-schedule.json} (for {@code repmtl train --lambda-schedule}),
 * {@code best-config.json}, the best member's {@code model/} and {@code plots/pbt-schedules.png}.
 */
@Command(mixinStandardHelpOptions = true, name = "search", sortOptions = false,
        description = "Search Rep-MTL hyperparameters (Arbiter: grid, random or genetic; or population-based training).")
final class SearchCommand implements Callable<Integer> {
    @Mixin DataOptions data;

    @Option(names = "--model", paramLabel = "NAME", description = "The zoo model (default: the benchmark's, as in train).")
    String model;

    @Option(names = "--pretrained", paramLabel = "FILE", description = "ResNet trunk weights (.npz; ResNet-50 also .zip / .h5), as in train.")
    Path pretrained;

    @Option(names = "--generator", defaultValue = "grid", paramLabel = "NAME",
            description = "grid, random, genetic, or pbt (population-based training of both lambdas and tau; default: ${DEFAULT-VALUE}).")
    String generator;

    @Option(names = "--lambda-tsr", split = ",", paramLabel = "X", description = "lambda_tsr values (default: the paper's 0.7,0.9,1.1,1.3,1.5).")
    List<Double> lambdaTsr;

    @Option(names = "--lambda-csa", split = ",", paramLabel = "X", description = "lambda_csa values (default: the paper's 0.7,0.9,1.1,1.3,1.5).")
    List<Double> lambdaCsa;

    @Option(names = "--lambda-range", paramLabel = "MIN:MAX", description = "Both lambdas uniform in [MIN, MAX] instead of value lists (pbt: their bounds).")
    String lambdaRange;

    @Option(names = "--lambda-log-range", paramLabel = "MIN:MAX", description = "Both lambdas log-uniform in [MIN, MAX], MIN > 0 (pbt: their bounds, resampled log-uniformly).")
    String lambdaLogRange;

    @Option(names = "--tau", split = ",", paramLabel = "X", description = "CSA temperatures (default 0.5; pbt: a list's smallest and largest value bound tau).")
    List<Double> tau;

    @Option(names = "--tau-range", paramLabel = "MIN:MAX", description = "tau uniform in [MIN, MAX] (pbt: its bounds).")
    String tauRange;

    @Option(names = "--csa-variant", split = ",", paramLabel = "NAME", description = "CSA variants: paper, infonce (default paper).")
    List<String> csaVariants;

    @Option(names = "--log-transform", split = ",", paramLabel = "BOOL", description = "Log transform values: true, false (default true).")
    List<Boolean> logTransform;

    @Option(names = "--lr", split = ",", paramLabel = "LR", description = "Learning rates (default 1e-3).")
    List<Double> learningRates;

    @Option(names = "--lr-range", paramLabel = "MIN:MAX", description = "Learning rate log-uniform in [MIN, MAX].")
    String learningRateRange;

    @Option(names = {"--strategies", "--weighting"}, split = ",", paramLabel = "NAME", description = "Loss-weighting strategies (default ew).")
    List<String> strategies;

    @Mixin OptimizerOptions optimizerOptions;

    @Option(names = "--objective", paramLabel = "NAME",
            description = "delta-p (against --baselines; default where baselines exist) or validation-loss (default otherwise).")
    String objective;

    @Option(names = "--baselines", paramLabel = "bundled|FILE", description = "Single-task baselines for delta-p (default: bundled where shipped).")
    String baselines;

    @Option(names = "--max-candidates", paramLabel = "N", description = "Stop after N candidates (required for random and genetic unless --max-time).")
    Integer maxCandidates;

    @Option(names = "--max-time", paramLabel = "DURATION", description = "Stop proposing candidates after this wall time, e.g. 90m, 2h, 300s.")
    String maxTime;

    @Option(names = "--epochs-per-candidate", paramLabel = "N", description = "Training epochs per candidate (default: 1; pbt: --rounds x --ready-epochs).")
    Integer epochsPerCandidate;

    @Option(names = "--max-steps-per-epoch", paramLabel = "N", description = "Cap every candidate epoch at N batches.")
    Integer maxStepsPerEpoch;

    @Option(names = "--grid-points", defaultValue = "5", paramLabel = "N", description = "Grid search: points per continuous range (default: ${DEFAULT-VALUE}).")
    int gridPoints;

    @Option(names = "--population", defaultValue = "10", paramLabel = "N", description = "Genetic search and pbt: population size (default: ${DEFAULT-VALUE}).")
    int population;

    @Option(names = "--ready-epochs", paramLabel = "K", description = "pbt: epochs of a round, between two rankings (default: 1).")
    Integer readyEpochs;

    @Option(names = "--rounds", paramLabel = "R", description = "pbt: rounds; every member trains R x K epochs (default: 4).")
    Integer rounds;

    @Option(names = "--pbt-quantile", paramLabel = "Q", description = "pbt: the bottom Q of the members copy one of the top Q after each round (default: 0.25; at least one member).")
    Double pbtQuantile;

    @Option(names = "--resample-probability", paramLabel = "P", description = "pbt: probability that explore draws a value anew within the bounds instead of x0.8 or x1.25 (default: 0.25).")
    Double resampleProbability;

    @Option(names = {"--out", "--save_path"}, paramLabel = "DIR", description = "Output folder (default: results/search-<benchmark>).")
    Path out;

    @Override
    public Integer call() {
        Benchmark benchmark = Benchmark.of(data.benchmark);
        String modelName = benchmark.model(model);
        boolean pbt = generator.trim().equalsIgnoreCase("pbt");
        SearchGenerator gen = pbt ? null : generator(generator);
        RepMtlSpace space = space();
        if (!pbt && (readyEpochs != null || rounds != null || pbtQuantile != null || resampleProbability != null))
            throw new IllegalArgumentException("--ready-epochs, --rounds, --pbt-quantile and --resample-probability need --generator pbt");
        int epochs = epochsPerCandidate != null ? epochsPerCandidate : 1;
        Baselines reference = BaselineChoice.forSavedModel(baselines, benchmark, "search").orElse(null);
        SearchObjective goal = objective(reference);
        PbtConfig pbtConfig = pbt ? pbtConfig(space, goal) : null;
        Path outDir = out != null ? out : Path.of("results", (pbt ? "pbt-" : "search-") + benchmark.cliName());
        BenchmarkData dataset = BenchmarkData.open(data);
        if (!dataset.hasSplit(Split.VALIDATION))
            throw new IllegalArgumentException("the search scores candidates on the validation split, and " + dataset.description() + " has none: set --val-size");
        ResNetTrunk trunk = ZooModels.pretrainedTrunk(modelName, pretrained);
        int batch = data.batchSize, evalBatch = data.evaluationBatchSize();
        SearchData searchData = benchmark.multiInput()
                ? SearchData.perTaskFromSplits(s -> dataset.perTask(s, s == Split.TRAIN ? batch : evalBatch, s == Split.TRAIN))
                : SearchData.fromSplits(s -> dataset.iterator(s, s == Split.TRAIN ? batch : evalBatch, s == Split.TRAIN));
        if (pbt) return runPbt(benchmark, modelName, dataset, trunk, searchData, space, pbtConfig, goal, reference, outDir);
        RepMtlSearch.Builder b = RepMtlSearch.builder()
                .modelFactory(() -> ZooModels.create(modelName, dataset, data.seed, trunk))
                .data(searchData).space(space).generator(gen).objective(goal)
                .gridPoints(gridPoints).populationSize(population).epochsPerCandidate(epochs)
                .optimizer(lr -> optimizerOptions.optimizer(lr, epochs)).seed(data.seed).outputDir(outDir);
        if (reference != null) b.baselines(reference);
        if (maxCandidates != null) b.maxCandidates(maxCandidates);
        if (maxTime != null) b.maxTime(duration(maxTime));
        if (maxStepsPerEpoch != null) b.maxStepsPerEpoch(maxStepsPerEpoch);
        optimizerOptions.optimizer(1e-3, epochs);                               // checks the optimiser flags before the first candidate
        System.out.println("search " + dataset.description() + ": model " + modelName + ", " + gen.name().toLowerCase(Locale.ROOT) + " over " + space
                + ", objective " + goal.name().toLowerCase(Locale.ROOT).replace('_', '-') + (reference != null ? " vs " + reference.name() : "")
                + ", " + epochs + " epoch(s) per candidate, output " + outDir);
        SearchResult result = b.build().run();
        System.out.print(result.summary(5));
        if (result.best().isPresent())
            System.out.println("best configuration: " + result.bestConfigFile() + " (use: repmtl train --benchmark " + benchmark.cliName()
                    + " --config " + result.bestConfigFile() + " ...)");
        else
            System.out.println("no candidate completed; see " + result.outputDir().resolve("candidates"));
        return 0;
    }

    /** Population-based training: the settings checked before any data is read. */
    private PbtConfig pbtConfig(RepMtlSpace space, SearchObjective goal) {
        if (epochsPerCandidate != null)
            throw new IllegalArgumentException("--epochs-per-candidate does not apply to --generator pbt: every member trains --rounds x --ready-epochs epochs");
        if (maxCandidates != null || maxTime != null)
            throw new IllegalArgumentException("--max-candidates and --max-time do not apply to --generator pbt: it runs --rounds rounds of --population members");
        PbtConfig.Builder c = PbtConfig.builder().population(population).space(space).objective(goal).seed(data.seed);
        if (readyEpochs != null) c.readyEpochs(readyEpochs);
        if (rounds != null) c.rounds(rounds);
        if (pbtQuantile != null) c.quantile(pbtQuantile);
        if (resampleProbability != null) c.resampleProbability(resampleProbability);
        return c.build();
    }

    private Integer runPbt(Benchmark benchmark, String modelName, BenchmarkData dataset, ResNetTrunk trunk, SearchData searchData, RepMtlSpace space,
                           PbtConfig cfg, SearchObjective goal, Baselines reference, Path outDir) {
        int epochs = cfg.totalEpochs();
        optimizerOptions.optimizer(1e-3, epochs);                               // checks the optimiser flags before the first member
        // members train the model as saved and loaded, as repmtl train does: replaying best-schedule.json there gives the best model bit for bit
        PbtRun.Builder b = PbtRun.builder().modelFactory(() -> MultiTaskModelFiles.copyOf(ZooModels.create(modelName, dataset, data.seed, trunk))).data(searchData)
                .config(cfg).optimizer(lr -> optimizerOptions.optimizer(lr, epochs)).outputDir(outDir);
        if (reference != null) b.baselines(reference);
        if (maxStepsPerEpoch != null) b.maxStepsPerEpoch(maxStepsPerEpoch);
        System.out.println("search " + dataset.description() + ": model " + modelName + ", population-based training of " + cfg.population()
                + " members, " + cfg.rounds() + " rounds of " + cfg.readyEpochs() + " epoch(s), bounds " + cfg.bounds() + ", objective " + goal.cliName()
                + (reference != null ? " vs " + reference.name() : "") + ", output " + outDir);
        PbtResult result = b.build().run();
        Path plot = PbtPlots.write(result.schedulesFile(), outDir.resolve("plots").resolve("pbt-schedules.png"));
        System.out.print(result.summary());
        System.out.println("best schedule: " + result.bestScheduleFile() + " (replay: repmtl train --benchmark " + benchmark.cliName() + " --config "
                + result.bestConfigFile() + " --lambda-schedule " + result.bestScheduleFile() + " --epochs " + epochs + " ...); model "
                + result.modelDir() + ", lineage " + result.lineageFile() + ", plot " + plot);
        return 0;
    }

    private RepMtlSpace space() {
        RepMtlSpace.Builder s = RepMtlSpace.builder();
        if (lambdaRange != null && lambdaLogRange != null) throw new IllegalArgumentException("give either --lambda-range or --lambda-log-range");
        if (lambdaRange != null || lambdaLogRange != null) {
            if (lambdaTsr != null || lambdaCsa != null)
                throw new IllegalArgumentException("give either --lambda-range/--lambda-log-range or --lambda-tsr/--lambda-csa values");
            if (lambdaRange != null) {
                double[] r = range(lambdaRange, "--lambda-range");
                s.lambdaTsrRange(r[0], r[1]).lambdaCsaRange(r[0], r[1]);
            } else {
                double[] r = range(lambdaLogRange, "--lambda-log-range");
                s.lambdaTsrLogRange(r[0], r[1]).lambdaCsaLogRange(r[0], r[1]);
            }
        } else {
            s.lambdaTsr(lambdaTsr != null ? lambdaTsr : RepMtlSpace.PAPER_LAMBDAS).lambdaCsa(lambdaCsa != null ? lambdaCsa : RepMtlSpace.PAPER_LAMBDAS);
        }
        if (tau != null && tauRange != null) throw new IllegalArgumentException("give either --tau values or --tau-range");
        if (tau != null) s.tau(tau.stream().mapToDouble(Double::doubleValue).toArray());
        if (tauRange != null) {
            double[] r = range(tauRange, "--tau-range");
            s.tauRange(r[0], r[1]);
        }
        if (csaVariants != null) s.csaVariant(csaVariants.stream().map(RepMtlOptions::variant).toArray(CsaVariant[]::new));
        if (logTransform != null) s.logTransform(logTransform.toArray(Boolean[]::new));
        if (learningRates != null && learningRateRange != null) throw new IllegalArgumentException("give either --lr values or --lr-range");
        if (learningRates != null) s.learningRate(learningRates.stream().mapToDouble(Double::doubleValue).toArray());
        if (learningRateRange != null) {
            double[] r = range(learningRateRange, "--lr-range");
            s.learningRateLogRange(r[0], r[1]);
        }
        if (strategies != null) s.strategy(strategies.toArray(String[]::new));
        return s.build();
    }

    private SearchObjective objective(Baselines reference) {
        if (objective == null) return reference != null ? SearchObjective.DELTA_P : SearchObjective.VALIDATION_LOSS;
        SearchObjective o = SearchObjective.parse(objective);
        if (o == SearchObjective.DELTA_P && reference == null) throw new IllegalArgumentException("--objective delta-p needs single-task baselines: give --baselines FILE");
        return o;
    }

    static SearchGenerator generator(String name) {
        for (SearchGenerator g : SearchGenerator.values()) if (g.name().equalsIgnoreCase(name.trim())) return g;
        throw new IllegalArgumentException("unknown generator '" + name + "'; valid: grid, random, genetic, pbt");
    }

    static double[] range(String text, String flag) {
        String[] parts = text.split(":");
        try {
            if (parts.length != 2) throw new NumberFormatException();
            return new double[]{Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be MIN:MAX, got '" + text + "'");
        }
    }

    /** A duration like {@code 90m}, {@code 2h}, {@code 300s} or ISO-8601 ({@code PT1H30M}). */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) return Duration.parse(t.toUpperCase(Locale.ROOT));
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--max-time must look like 90m, 2h, 300s or PT1H30M, got '" + text + "'");
        }
    }
}
