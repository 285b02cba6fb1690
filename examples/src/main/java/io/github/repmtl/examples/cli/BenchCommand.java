package io.github.repmtl.examples.cli;

import io.github.repmtl.examples.bench.OverheadBenchmark;
import io.github.repmtl.examples.bench.SmallDenseNet;
import io.github.repmtl.examples.bench.SoakBenchmark;
import io.github.repmtl.examples.bench.SparkOverheadBenchmark;
import io.github.repmtl.examples.bench.StrategyBenchmark;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.util.QuietConsole;
import io.github.repmtl.zoo.HpsResNet;
import io.github.repmtl.zoo.ResNetTrunk;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.zoo.HpsLeNet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code repmtl bench overhead}: median training-step time with Rep-MTL and with plain equal weighting on the same
 * graph and data, interleaved, one line per case: {@code overhead <case> ew_ms=<median> repmtl_ms=<median> ratio=<r>}.
 * {@code repmtl bench spark}: {@link SparkOverheadBenchmark} (Spark's per-step overhead, the cost model's predictions).
 */
@Command(mixinStandardHelpOptions = true, name = "bench", description = "Benchmarks: 'overhead' = Rep-MTL step time relative to EW; 'strategies' = each strategy's step time relative to EW (HPS ResNet-18); 'soak' = memory growth per 1000 steps of a long Rep-MTL run (--cases lenet|resnet18, --steps, --batch); 'spark' = Spark's per-step overhead with the gradient master (local[1], local[2] against one machine) and a cost model for 8-128 workers (--cases lenet,resnet18).")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "WHAT", description = "overhead | strategies | soak | spark") String what;
    @Option(names = "--cases", split = ",", defaultValue = "lenet,resnet18,dense", description = "Cases (default: ${DEFAULT-VALUE} for overhead; soak: lenet; spark: lenet,resnet18).")
    List<String> cases;
    @Option(names = "--steps", description = "Measured steps per arm (default: 40 for overhead, 5 for strategies; spark: 60 for lenet, 24 for resnet18); soak: training steps (default: 10000 for lenet, 1000 for resnet18).") Integer steps;
    @Option(names = "--warmup", description = "Warm-up steps per arm (default: 10 for overhead, 2 for strategies).") Integer warmup;
    @Option(names = "--warmup-seconds", defaultValue = "20", description = "Overhead and spark: warm up for at least this long too (default: ${DEFAULT-VALUE}).") double warmupSeconds;

    @Option(names = "--batch", description = "Soak: batch size (default: 256 for lenet, 32 for resnet18).") Integer soakBatch;
    @Option(names = "--samples-csv", paramLabel = "PREFIX", description = "Soak: also write the samples to PREFIX-<case>.csv.") String soakCsv;

    @Option(names = "--bandwidth-gbit", defaultValue = "10", description = "Spark: the cost model's network bandwidth in Gbit/s (default: ${DEFAULT-VALUE}).") double bandwidthGbit;
    @Option(names = "--rounds", defaultValue = "2", description = "Spark: blocks per Spark arm, alternated (default: ${DEFAULT-VALUE}).") int rounds;
    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "Spark: an extra Spark setting for every context, repeatable (default: none), e.g. spark.task.maxDirectResultSize=256m.")
    Map<String, String> sparkConf;
    @Option(names = "--averaging-frequency", defaultValue = "5", description = "Spark: the cost model's parameter-averaging frequency K (default: ${DEFAULT-VALUE}, DL4J's).") int averagingFrequency;

    @Option(names = "--strategies", split = ",", description = "Strategies to time (default: all registered).")
    List<String> strategies;

    @Override
    public Integer call() {
        if (steps != null && steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        if (warmup != null && warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        if (!(warmupSeconds >= 0) || Double.isInfinite(warmupSeconds)) throw new IllegalArgumentException("--warmup-seconds must be finite and >= 0, got " + warmupSeconds);
        switch (what) {
            case "overhead" -> {
                List<OverheadBenchmark.Case> list = new ArrayList<>();
                for (String c : cases) list.add(switch (c) {
                    case "lenet" -> new OverheadBenchmark.Case("lenet", BenchCommand::lenet, classificationBatch(256, 1, 36, 36, 10, 2));
                    case "resnet18" -> new OverheadBenchmark.Case("resnet18", BenchCommand::resnet18, classificationBatch(32, 3, 64, 64, 31, 3));
                    case "dense" -> new OverheadBenchmark.Case("dense", () -> SmallDenseNet.create(1), SmallDenseNet.batch(8, 1));
                    default -> throw new IllegalArgumentException("unknown case '" + c + "'; available: lenet, resnet18, dense");
                });
                for (OverheadBenchmark.Case c : list) System.out.println(OverheadBenchmark.run(c, orElse(warmup, 10), warmupSeconds, orElse(steps, 40)).line());
            }
            case "strategies" -> {
                List<String> names = strategies == null ? List.copyOf(Strategies.names()) : strategies;
                for (StrategyBenchmark.Row r : StrategyBenchmark.run(BenchCommand::resnet18, classificationBatch(32, 3, 64, 64, 31, 3), names, orElse(warmup, 2), orElse(steps, 5)))
                    System.out.println(r.line());
            }
            case "soak" -> {                                                  // memory growth over a long Rep-MTL run
                List<String> soakCases = cases.equals(List.of("lenet", "resnet18", "dense")) ? List.of("lenet") : cases;
                for (String c : soakCases) {
                    boolean lenet = c.equals("lenet");
                    if (!lenet && !c.equals("resnet18")) throw new IllegalArgumentException("unknown soak case '" + c + "'; available: lenet, resnet18");
                    SoakBenchmark.Case sc = lenet ? new SoakBenchmark.Case("lenet", BenchCommand::lenet, new long[]{1, 36, 36}, 10)
                            : new SoakBenchmark.Case("resnet18", BenchCommand::resnet18, new long[]{3, 64, 64}, 31);
                    int n = orElse(steps, lenet ? 10_000 : 1_000);
                    SoakBenchmark.Result r = SoakBenchmark.run(sc, n, soakBatch != null ? soakBatch : lenet ? 256 : 32, lenet ? 40 : 100, Math.max(1, n / 200));
                    r.lines().forEach(System.out::println);
                    if (soakCsv != null) r.writeCsv(java.nio.file.Path.of(soakCsv + "-" + c + ".csv"));
                }
            }
            case "spark" -> {                                                 // Spark's per-step overhead and the cost model
                List<String> sparkCases = cases.equals(List.of("lenet", "resnet18", "dense")) ? List.of("lenet", "resnet18") : cases;
                List<SparkOverheadBenchmark.Case> list = new ArrayList<>();
                for (String c : sparkCases) list.add(switch (c) {
                    case "lenet" -> new SparkOverheadBenchmark.Case("lenet", BenchCommand::lenet, classificationBatch(256, 1, 36, 36, 10, 2), 0.20);
                    case "resnet18" -> new SparkOverheadBenchmark.Case("resnet18", BenchCommand::resnet18, classificationBatch(32, 3, 64, 64, 31, 3), 0.10);
                    default -> throw new IllegalArgumentException("unknown spark case '" + c + "'; available: lenet, resnet18");
                });
                // SameDiff's gradient-function noise stays out of the output; executors of local[2] prepare their graphs
                // (QuietConsole around System.out) concurrently, so the results go to the stream saved here
                PrintStream out = System.out;
                QuietConsole.run(() -> {
                    for (SparkOverheadBenchmark.Case c : list) {
                        SparkOverheadBenchmark.Options o = SparkOverheadBenchmark.Options.of(orElse(steps, c.name().equals("lenet") ? 60 : 24), warmupSeconds, bandwidthGbit);
                        o = new SparkOverheadBenchmark.Options(o.steps(), rounds, o.blockWarmup(), o.warmupSeconds(), o.warmupSteps(), o.bandwidthGbit(), averagingFrequency,
                                o.predictWorkers(), sparkConf == null ? Map.of() : sparkConf);
                        SparkOverheadBenchmark.run(c, o).lines().forEach(l -> {
                            out.println(l);
                            out.flush();
                        });
                    }
                });
            }
            default -> throw new IllegalArgumentException("unknown benchmark '" + what + "'; available: overhead, strategies, soak, spark");
        }
        return 0;
    }

    private static int orElse(Integer value, int fallback) { return value == null ? fallback : value; }

    /** (a) HPS LeNet on 1x36x36, 2 tasks x 10 classes. */
    private static MultiTaskModel lenet() {
        return HpsLeNet.builder().seed(1).tasks(List.of(TaskSpec.classification("left", 10), TaskSpec.classification("right", 10))).init();
    }

    /** (b) HPS ResNet-18 on 3x64x64, 3 tasks x 31 classes (512-d representation). */
    private static MultiTaskModel resnet18() {
        return HpsResNet.builder().depth(ResNetTrunk.Depth.RESNET18).inputShape(3, 64, 64).seed(1)
                .tasks(List.of(TaskSpec.classification("amazon", 31), TaskSpec.classification("dslr", 31), TaskSpec.classification("webcam", 31))).init();
    }

    /** A random single-input classification batch with one label array per task. */
    private static MultiDataSet classificationBatch(int batch, int channels, int h, int w, int classes, int tasks) {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, channels, h, w);
        INDArray[] labels = new INDArray[tasks];
        for (int t = 0; t < tasks; t++) labels[t] = Nd4j.rand(DataType.FLOAT, batch).muli(classes).castTo(DataType.INT64);
        return new MultiDataSet(new INDArray[]{x}, labels);
    }
}
