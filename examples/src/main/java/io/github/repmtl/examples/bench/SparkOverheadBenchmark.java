package io.github.repmtl.examples.bench;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.ShardRequest;
import io.github.repmtl.samediff.train.ShardResult;
import io.github.repmtl.samediff.train.StepStats;
import io.github.repmtl.samediff.train.TrainingGraph;
import io.github.repmtl.samediff.train.TrainingListener;
import io.github.repmtl.spark.GradientTrainingMaster;
import io.github.repmtl.spark.SparkMultiTaskTrainer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.io.LZ4CompressionCodec;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.util.SizeEstimator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Spark's per-step overhead with the synchronous gradient master ({@link GradientTrainingMaster}), measured in one
 * JVM on the same model (one seeded factory) and batch, trained with Rep-MTL (EW) and Adam 1e-4, in three arms:
 * <ol type="a">
 *   <li>the single-machine {@link MultiTaskTrainer} step on the whole batch;</li>
 *   <li>{@link SparkMultiTaskTrainer} with {@code workers(1)} on {@code local[1]}: the same compute, so the difference
 *       is Spark's own cost (jobs, broadcasts, task results);</li>
 *   <li>{@code workers(2)} on {@code local[2]}: two shards of half the batch each, computed concurrently.</li>
 * </ol>
 * A JVM holds one SparkContext at a time, and starting one costs seconds, so the Spark arms run in blocks: a block
 * starts a context, fits a fresh copy of the model for {@code steps + blockWarmup} steps through
 * {@code SparkMultiTaskTrainer.fit(JavaRDD)} and stops the context; after every Spark step a training listener runs one
 * step of arm (a) (whose trainer lives through the whole run), so each Spark step is paired with an adjacent
 * single-machine step. The first {@code blockWarmup} steps of a block (executors preparing their graphs) are not
 * recorded. Blocks alternate (b, c, then c, b, ...) over the rounds. Before the rounds a warm-up round of both arms
 * and single-machine steps run for at least {@code warmupSeconds} (JIT; see DL4J-M2.1-FACTS, "warm-up"). Overheads
 * are ratios of medians against the single-machine steps paired with the arm: {@code (b - a) / a} and
 * {@code (c - a) / a}.
 *
 * <p>Where the time goes, per Spark step (medians): jobs started (a {@code SparkListener}), the trainer's time in its
 * requests ({@link StepStats#forwardBackwardMs()}: broadcast, job and combining the results), the jobs' time from
 * submission to end, the longest task per job (launch to finish) and its run time, task deserialization, result
 * serialization and result fetch, Spark's task result size. Probes on the driver: Java serialization of the parameter
 * map and request as {@code PartitionedStepSource} broadcasts them (bytes, lz4-compressed bytes as Spark's broadcast
 * sends them, time), {@code sc.broadcast} of the map and of a {@code byte[]} of the same size, Spark's
 * {@code SizeEstimator} on it, Java deserialization of one gradient result and {@link ShardResult#combine} of two, and
 * the parameters' serialization round trip as an INDArray map against their raw buffer bytes. These feed
 * {@link SparkCostModel}; its inputs are printed with its predictions.
 */
public final class SparkOverheadBenchmark {
    static final double LEARNING_RATE = 1e-4;
    private static final int PROBE_REPS = 7;

    /**
     * One case: a model factory (called once per arm block and once for arm a), its batch, and the target for
     * {@code (c - a) / a} (NaN for none).
     */
    public record Case(String name, Supplier<MultiTaskModel> model, MultiDataSet batch, double target) {}

    /**
     * How to measure and predict.
     *
     * @param steps              measured steps per Spark arm (and as many paired single-machine steps), over all rounds
     * @param rounds             blocks per Spark arm
     * @param blockWarmup        unrecorded steps at the start of each block
     * @param warmupSeconds      warm up for at least this long (0: no warm-up round)
     * @param warmupSteps        steps per arm in the warm-up round
     * @param bandwidthGbit      the cost model's network bandwidth
     * @param averagingFrequency the cost model's K
     * @param predictWorkers     worker counts to predict
     * @param sparkConf          extra Spark settings for every context (e.g. {@code spark.task.maxDirectResultSize})
     */
    public record Options(int steps, int rounds, int blockWarmup, double warmupSeconds, int warmupSteps, double bandwidthGbit,
                          int averagingFrequency, int[] predictWorkers, Map<String, String> sparkConf) {
        public Options {
            if (steps < 1 || rounds < 1 || blockWarmup < 0 || warmupSteps < 0 || averagingFrequency < 1)
                throw new IllegalArgumentException("steps, rounds and averaging frequency >= 1, warm-ups >= 0");
            if (!(warmupSeconds >= 0) || Double.isInfinite(warmupSeconds)) throw new IllegalArgumentException("warm-up seconds must be finite and >= 0, got " + warmupSeconds);
            if (!(bandwidthGbit > 0) || Double.isInfinite(bandwidthGbit)) throw new IllegalArgumentException("bandwidth must be finite and > 0 Gbit/s, got " + bandwidthGbit);
            if (predictWorkers == null || predictWorkers.length == 0) throw new IllegalArgumentException("no worker counts to predict");
            predictWorkers = predictWorkers.clone();
            sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
        }

        /** Two rounds, 3 unrecorded steps per block, a warm-up round of 3 steps per arm, K = 5, W = 8, 32, 128. */
        public static Options of(int steps, double warmupSeconds, double bandwidthGbit) {
            return new Options(steps, 2, 3, warmupSeconds, 3, bandwidthGbit, 5, new int[]{8, 32, 128}, Map.of());
        }
    }

    /**
     * Where a Spark arm's step time goes, medians over its measured steps (ms, bytes).
     *
     * @param jobs              Spark jobs started in the step
     * @param stepMs            the step
     * @param requestsMs        the trainer's time in its requests (broadcast + job + combining the results)
     * @param jobsMs            the jobs, submission to end
     * @param tasksMs           per job the longest task, launch to finish (summed over the jobs)
     * @param runMs             per job the longest task's run time (graph compute, setting parameters, building the result)
     * @param deserializeMs     per job the longest task deserialization
     * @param resultSerializeMs per job the longest result serialization
     * @param fetchResultMs     per job the longest fetch of a large task result by the driver
     * @param updateMs          the driver's optimizer update
     * @param resultBytes       per job the largest task result (Spark's result size), summed over the jobs: what one worker returns
     * @param gcMs              per job the longest JVM GC time during a task (local mode: the driver's JVM)
     */
    public record Profile(double jobs, double stepMs, double requestsMs, double jobsMs, double tasksMs, double runMs, double deserializeMs,
                          double resultSerializeMs, double fetchResultMs, double updateMs, double resultBytes, double gcMs) {
        /** Time in requests outside the jobs: creating broadcasts (serializing the parameters), combining results. */
        public double driverMs() { return requestsMs - jobsMs; }

        /** Time in jobs outside their longest tasks: scheduling, task launch, result handling. */
        public double schedulingMs() { return jobsMs - tasksMs; }

        String line(String name, String arm) {
            return String.format(Locale.ROOT, "spark %s profile %s: jobs/step=%.0f step=%.1fms requests=%.1fms (outside jobs %.1fms: broadcast creation, combine) jobs=%.1fms "
                            + "(scheduling outside tasks %.1fms) tasks=%.1fms run=%.1fms task_deserialize=%.1fms result_serialize=%.1fms result_fetch=%.1fms gc_in_tasks=%.1fms update=%.1fms result_bytes/worker=%.3fMB",
                    name, arm, jobs, stepMs, requestsMs, driverMs(), jobsMs, schedulingMs(), tasksMs, runMs, deserializeMs, resultSerializeMs, fetchResultMs, gcMs, updateMs, resultBytes / 1e6);
        }
    }

    /**
     * Driver-side probes (bytes, ms).
     *
     * @param parameterCount       trainable parameters (elements)
     * @param rawBytes             their bytes by dtype
     * @param broadcastBytes       Java serialization of the request and parameter map one job broadcasts
     * @param broadcastLz4Bytes    the same lz4-compressed (Spark's default broadcast compression): what a broadcast sends
     * @param serializeMs          Java serialization of it
     * @param sparkBroadcastMs     {@code sc.broadcast} of the parameter map (local mode: size estimation, serialization,
     *                             compression, storing)
     * @param sparkBroadcastBytesMs {@code sc.broadcast} of a {@code byte[]} as large as the parameters' raw bytes
     * @param sizeEstimateMs       Spark's {@code SizeEstimator} on the parameter map (what storing a broadcast's value costs)
     * @param resultBytes          Java serialization of one gradient result (one worker, whole batch)
     * @param resultDeserializeMs  its deserialization
     * @param combineMs            {@link ShardResult#combine} of two such results
     * @param mapRoundTripMs       the parameter map (name to INDArray) Java-serialized and deserialized
     * @param bytesRoundTripMs     the same values as each array's raw buffer bytes: bulk-copied out into a {@code byte[]} per
     *                             name, Java-serialized, deserialized and bulk-copied into new arrays (NaN if they differ)
     */
    public record Probe(long parameterCount, long rawBytes, long broadcastBytes, long broadcastLz4Bytes, double serializeMs, double sparkBroadcastMs,
                        double sparkBroadcastBytesMs, double sizeEstimateMs, long resultBytes, double resultDeserializeMs, double combineMs, double mapRoundTripMs, double bytesRoundTripMs) {
        /** Driver time per result byte to take in one more result: deserialize it, add it (half of combining two). */
        public double mergeMsPerByte() { return (resultDeserializeMs + combineMs / 2) / resultBytes; }
    }

    /** All measurements of one case and the cost model built from them. */
    public record Result(String name, int batch, double target, Options options, double[] aWithB, double[] aWithC, double[] b, double[] c,
                         Profile profileB, Profile profileC, Probe probe, double seconds) {
        public double aMs() { return OverheadBenchmark.median(concat(aWithB, aWithC)); }

        public double bMs() { return OverheadBenchmark.median(b); }

        public double cMs() { return OverheadBenchmark.median(c); }

        /** {@code (b - a) / a} against the single-machine steps paired with arm b. */
        public double overheadB() { return bMs() / OverheadBenchmark.median(aWithB) - 1; }

        /** {@code (c - a) / a} against the single-machine steps paired with arm c. */
        public double overheadC() { return cMs() / OverheadBenchmark.median(aWithC) - 1; }

        /**
         * The cost model: {@code c} from arm a, {@code L = (b - a) / J1}, {@code S_p} the lz4-compressed broadcast,
         * {@code S_g} Spark's result size per worker in arm c, {@code S_s = 3 S_p}, {@code mu} from the probes.
         */
        public SparkCostModel model() {
            int j1 = (int) Math.max(1, Math.round(profileB.jobs())), j2 = (int) Math.max(1, Math.round(profileC.jobs()));
            double l = Math.max(0, (bMs() - OverheadBenchmark.median(aWithB)) / j1);
            return new SparkCostModel(batch, aMs() / batch, l, probe.broadcastLz4Bytes(), Math.round(profileC.resultBytes()), 3 * probe.broadcastLz4Bytes(),
                    probe.mergeMsPerByte(), j1, j2, options.bandwidthGbit(), options.averagingFrequency());
        }

        public List<String> lines() {
            List<String> out = new ArrayList<>();
            if (!options.sparkConf().isEmpty()) out.add("spark " + name + " spark-conf " + new TreeMap<>(options.sparkConf()));
            out.add(String.format(Locale.ROOT, "spark %s batch=%d params=%d steps/arm=%d rounds=%d seconds=%.0f a_ms=%.1f b_ms=%.1f c_ms=%.1f overhead_b=%+.3f overhead_c=%+.3f "
                            + "(a paired with b %.1fms, with c %.1fms)", name, batch, probe.parameterCount(), b.length, options.rounds(), seconds, aMs(), bMs(), cMs(),
                    overheadB(), overheadC(), OverheadBenchmark.median(aWithB), OverheadBenchmark.median(aWithC)));
            if (!Double.isNaN(target))
                out.add(String.format(Locale.ROOT, "spark %s target (c-a)/a <= %.0f%% (local[2], two workers of %d vs one machine at %d): %s (%+.1f%%)", name, 100 * target,
                        batch / 2, batch, overheadC() <= target ? "met" : "NOT met", 100 * overheadC()));
            out.add(String.format(Locale.ROOT, "spark %s state: parameters %d (%.3fMB raw); broadcast per job %.3fMB Java-serialized, %.3fMB lz4 (sent); result per worker per step "
                            + "%.3fMB (Spark task result; Java serialization of one gradient result %.3fMB); jobs/step b=%.0f c=%.0f; per step b: %.3fMB out + %.3fMB in, c: %.3fMB out + 2 x %.3fMB in",
                    name, probe.parameterCount(), probe.rawBytes() / 1e6, probe.broadcastBytes() / 1e6, probe.broadcastLz4Bytes() / 1e6, profileC.resultBytes() / 1e6,
                    probe.resultBytes() / 1e6, profileB.jobs(), profileC.jobs(), profileB.jobs() * probe.broadcastLz4Bytes() / 1e6, profileB.resultBytes() / 1e6,
                    profileC.jobs() * probe.broadcastLz4Bytes() / 1e6, profileC.resultBytes() / 1e6));
            out.add(profileB.line(name, "b (local[1], 1 worker)"));
            out.add(profileC.line(name, "c (local[2], 2 workers)"));
            out.add(String.format(Locale.ROOT, "spark %s probe: serialize parameters+request %.1fms, sc.broadcast(parameter map) %.1fms (SizeEstimator %.1fms), sc.broadcast(byte[] of the raw size) %.1fms, "
                            + "deserialize one result %.1fms, combine two results %.1fms; parameter round trip (serialize + deserialize) as INDArray map %.1fms, as raw bytes %.1fms",
                    name, probe.serializeMs(), probe.sparkBroadcastMs(), probe.sizeEstimateMs(), probe.sparkBroadcastBytesMs(), probe.resultDeserializeMs(), probe.combineMs(),
                    probe.mapRoundTripMs(), probe.bytesRoundTripMs()));
            SparkCostModel m = model();
            out.add(m.inputsLine(name));
            out.addAll(m.table(name, options.predictWorkers()));
            return out;
        }
    }

    private SparkOverheadBenchmark() {}

    /** Runs the three arms of {@code c} (see the class comment). */
    public static Result run(Case c, Options o) {
        long t0 = System.nanoTime();
        MultiTaskModel localModel = c.model().get();
        MultiTaskTrainer local = trainer(MultiTaskTrainer.builder(localModel), localModel).build();
        if (o.warmupSeconds() > 0 && o.warmupSteps() > 0) {
            block(c, o, local, 1, 0, o.warmupSteps(), false);
            block(c, o, local, 2, 0, o.warmupSteps(), false);
        }
        while (System.nanoTime() - t0 < o.warmupSeconds() * 1e9) local.step(c.batch());
        int perRound = (o.steps() + o.rounds() - 1) / o.rounds();
        List<Block> b = new ArrayList<>(), cc = new ArrayList<>();
        double[] broadcastMs = null;
        for (int r = 0; r < o.rounds(); r++) {
            int n = Math.min(perRound, o.steps() - r * perRound);
            if (n <= 0) break;
            for (int workers : r % 2 == 0 ? new int[]{1, 2} : new int[]{2, 1}) {
                Block k = block(c, o, local, workers, n, o.blockWarmup(), workers == 1 && broadcastMs == null);
                if (workers == 1) {
                    b.add(k);
                    if (k.broadcastMs() != null) broadcastMs = k.broadcastMs();
                } else {
                    cc.add(k);
                }
            }
        }
        Probe probe = probe(local, c.batch(), broadcastMs);
        return new Result(c.name(), (int) c.batch().getFeatures(0).size(0), c.target(), o, localTimes(b), localTimes(cc), sparkTimes(b), sparkTimes(cc),
                profile(b), profile(cc), probe, (System.nanoTime() - t0) / 1e9);
    }

    private static MultiTaskTrainer.Builder trainer(MultiTaskTrainer.Builder b, MultiTaskModel m) {
        return b.optimizer(Optimizer.adam(LEARNING_RATE)).repMtl(RepMtl.builder(m).build());
    }

    // ------------------------------------------------------------------ one block of Spark steps

    /** One step of a Spark arm and the single-machine step after it. */
    private record Step(double sparkMs, double localMs, double requestsMs, double updateMs, long fromMillis, long toMillis) {}

    /** The recorded steps of one block, Spark's events, and the broadcast probe (NaN when not taken). */
    private record Block(int workers, List<Step> steps, Recorder events, double[] broadcastMs) {}

    /** Times each step of the Spark trainer it listens to and runs a single-machine step after it. */
    private static final class Pairing implements TrainingListener {
        private final MultiTaskTrainer local;
        private final MultiDataSet batch;
        private final int skip;
        private final List<Step> steps = new ArrayList<>();
        private long last, lastMillis;
        private int seen;

        Pairing(MultiTaskTrainer local, MultiDataSet batch, int skip) {
            this.local = local;
            this.batch = batch;
            this.skip = skip;
        }

        @Override public void onTrainingStart(MultiTaskTrainer trainer, int firstEpoch, int epochs, int batchesPerEpoch) {
            last = System.nanoTime();
            lastMillis = System.currentTimeMillis();
        }

        @Override public void onStep(StepStats s) {
            long now = System.nanoTime(), nowMillis = System.currentTimeMillis();
            long l0 = System.nanoTime();
            local.step(batch);
            long l1 = System.nanoTime();
            if (seen++ >= skip) steps.add(new Step((now - last) / 1e6, (l1 - l0) / 1e6, s.forwardBackwardMs(), s.updateMs(), lastMillis, nowMillis));
            last = System.nanoTime();
            lastMillis = System.currentTimeMillis();
        }
    }

    private static Block block(Case c, Options o, MultiTaskTrainer local, int workers, int steps, int skip, boolean probeBroadcast) {
        Recorder events = new Recorder();
        Pairing pairing = new Pairing(local, c.batch(), skip);
        double[] broadcastMs = null;
        JavaSparkContext sc = context("local[" + workers + "]", o.sparkConf());
        try {
            sc.sc().addSparkListener(events);
            Broadcast<MultiDataSet[]> shards = sc.broadcast(split(c.batch(), workers));
            int n = steps + skip;
            List<Integer> partitions = new ArrayList<>();
            for (int k = 0; k < workers; k++) partitions.add(k);
            JavaRDD<MultiDataSet> data = sc.parallelize(partitions, workers)
                    .mapPartitionsWithIndex((k, it) -> Collections.nCopies(n, shards.value()[k]).iterator(), true);
            MultiTaskModel m = c.model().get();
            SparkMultiTaskTrainer.builder(sc).training(trainer(MultiTaskTrainer.builder(m), m).epochs(1).listener(pairing))
                    .trainingMaster(GradientTrainingMaster.builder().workers(workers).build()).build().fit(data);
            if (probeBroadcast) broadcastMs = broadcastProbe(sc, parameters(local.trainingGraph()));
            shards.destroy();
        } finally {
            sc.stop();                                                   // drains the listener bus: events is complete
        }
        System.gc();                                                     // the block's graphs and their native arrays
        return new Block(workers, pairing.steps, events, broadcastMs);
    }

    /** A local Spark context for the benchmark: loopback only, no web UI, Spark's logging at WARN, plus {@code extra}. */
    static JavaSparkContext context(String master, Map<String, String> extra) {
        quietSpark();
        SparkConf conf = new SparkConf().setMaster(master).setAppName("repmtl bench spark").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        extra.forEach(conf::set);
        return new JavaSparkContext(conf);
    }

    private static void quietSpark() {
        for (String name : List.of("org.apache.spark", "org.sparkproject", "org.apache.hadoop", "io.netty"))
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l && l.getLevel() == null) l.setLevel(ch.qos.logback.classic.Level.WARN);
    }

    /** {@code batch} split by rows into {@code workers} contiguous shards (copies). */
    static MultiDataSet[] split(MultiDataSet batch, int workers) {
        long n = batch.getFeatures(0).size(0);
        if (n < workers) throw new IllegalArgumentException("batch of " + n + " cannot be split over " + workers + " workers");
        MultiDataSet[] out = new MultiDataSet[workers];
        for (int k = 0; k < workers; k++) {
            long from = n * k / workers, to = n * (k + 1) / workers;
            INDArray[] f = new INDArray[batch.getFeatures().length], l = new INDArray[batch.getLabels().length];
            for (int i = 0; i < f.length; i++) f[i] = rows(batch.getFeatures(i), from, to);
            for (int i = 0; i < l.length; i++) l[i] = rows(batch.getLabels(i), from, to);
            out[k] = new org.nd4j.linalg.dataset.MultiDataSet(f, l);
        }
        return out;
    }

    private static INDArray rows(INDArray x, long from, long to) {
        INDArrayIndex[] at = new INDArrayIndex[x.rank()];
        at[0] = NDArrayIndex.interval(from, to);
        for (int d = 1; d < at.length; d++) at[d] = NDArrayIndex.all();
        return x.get(at).dup();
    }

    // ------------------------------------------------------------------ Spark's events

    /** Spark's job and task events of one context (read after the context stopped). */
    static final class Recorder extends SparkListener {
        private final Map<Integer, Long> started = new ConcurrentHashMap<>();
        private final List<long[]> jobs = Collections.synchronizedList(new ArrayList<>());      // {start, end}
        private final List<long[]> tasks = Collections.synchronizedList(new ArrayList<>());     // see onTaskEnd

        @Override public void onJobStart(SparkListenerJobStart e) { started.put(e.jobId(), e.time()); }

        @Override public void onJobEnd(SparkListenerJobEnd e) {
            Long s = started.get(e.jobId());
            if (s != null) jobs.add(new long[]{s, e.time()});
        }

        @Override public void onTaskEnd(SparkListenerTaskEnd e) {
            TaskInfo i = e.taskInfo();
            TaskMetrics m = e.taskMetrics();
            if (i == null || m == null) return;
            long fetch = i.gettingResultTime() > 0 ? i.finishTime() - i.gettingResultTime() : 0;
            tasks.add(new long[]{e.stageId(), i.launchTime(), i.finishTime(), m.executorRunTime(), m.executorDeserializeTime(), m.resultSerializationTime(), fetch, m.resultSize(),
                    m.jvmGCTime()});
        }
    }

    private static double[] sparkTimes(List<Block> blocks) { return blocks.stream().flatMap(k -> k.steps().stream()).mapToDouble(Step::sparkMs).toArray(); }

    private static double[] localTimes(List<Block> blocks) { return blocks.stream().flatMap(k -> k.steps().stream()).mapToDouble(Step::localMs).toArray(); }

    /** Medians over the blocks' recorded steps of each figure of {@link Profile}. */
    private static Profile profile(List<Block> blocks) {
        List<double[]> rows = new ArrayList<>();                     // per step: the Profile's figures in order
        for (Block k : blocks) {
            List<long[]> jobs, tasks;
            synchronized (k.events().jobs) { jobs = new ArrayList<>(k.events().jobs); }
            synchronized (k.events().tasks) { tasks = new ArrayList<>(k.events().tasks); }
            for (Step s : k.steps()) {
                double nJobs = 0, jobsMs = 0;
                for (long[] j : jobs) {
                    if (j[0] < s.fromMillis() || j[0] > s.toMillis()) continue;
                    nJobs++;
                    jobsMs += j[1] - j[0];
                }
                Map<Long, long[]> stages = new TreeMap<>();              // per stage the maxima of duration, run, deserialize, serialize, fetch, size, GC
                for (long[] t : tasks) {
                    if (t[1] < s.fromMillis() || t[1] > s.toMillis()) continue;
                    long[] max = stages.computeIfAbsent(t[0], x -> new long[7]);
                    long[] v = {t[2] - t[1], t[3], t[4], t[5], t[6], t[7], t[8]};
                    for (int i = 0; i < v.length; i++) max[i] = Math.max(max[i], v[i]);
                }
                double[] sum = new double[7];
                for (long[] max : stages.values()) for (int i = 0; i < sum.length; i++) sum[i] += max[i];
                rows.add(new double[]{nJobs, s.sparkMs(), s.requestsMs(), jobsMs, sum[0], sum[1], sum[2], sum[3], sum[4], s.updateMs(), sum[5], sum[6]});
            }
        }
        if (rows.isEmpty()) throw new IllegalStateException("no recorded Spark steps");
        double[] m = new double[12];
        for (int i = 0; i < m.length; i++) {
            final int f = i;
            m[i] = OverheadBenchmark.median(rows.stream().mapToDouble(r -> r[f]).toArray());
        }
        return new Profile(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11]);
    }

    // ------------------------------------------------------------------ driver-side probes

    /** The trainable parameters as {@code PartitionedStepSource} ships them: name to array. */
    private static Map<String, INDArray> parameters(TrainingGraph g) {
        Map<String, INDArray> values = new HashMap<>();
        for (String p : g.parameters()) values.put(p, g.model().sameDiff().getVariable(p).getArr());
        return values;
    }

    /** Median times of {@code sc.broadcast} of the parameter map and of a byte[] of the parameters' raw size. */
    private static double[] broadcastProbe(JavaSparkContext sc, Map<String, INDArray> parameters) {
        long raw = 0;
        for (INDArray a : parameters.values()) raw += a.length() * a.dataType().width();
        byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 16, raw)];
        new java.util.Random(1).nextBytes(bytes);                    // incompressible, as trained weights are
        double[] map = new double[5], flat = new double[5];
        for (int i = 0; i < map.length; i++) {
            long t0 = System.nanoTime();
            Broadcast<Map<String, INDArray>> b = sc.broadcast(parameters);
            long t1 = System.nanoTime();
            Broadcast<byte[]> f = sc.broadcast(bytes);
            long t2 = System.nanoTime();
            map[i] = (t1 - t0) / 1e6;
            flat[i] = (t2 - t1) / 1e6;
            b.destroy();
            f.destroy();
        }
        return new double[]{OverheadBenchmark.median(map), OverheadBenchmark.median(flat)};
    }

    private static Probe probe(MultiTaskTrainer local, MultiDataSet batch, double[] sparkBroadcastMs) {
        TrainingGraph g = local.trainingGraph();
        Map<String, INDArray> params = parameters(g);
        long count = 0, raw = 0;
        for (INDArray a : params.values()) {
            count += a.length();
            raw += a.length() * a.dataType().width();
        }
        Map<String, INDArray> feed = g.feed(batch, "probe");
        double[] ones = new double[g.model().numTasks()];
        Arrays.fill(ones, 1.0);
        ShardRequest request = ShardRequest.gradients(ones, null, null, new long[][]{g.examples(feed)}, 1, "probe");
        List<Object> shipped = new ArrayList<>(List.of(request, params, 0, new int[]{0}));      // PartitionedStepSource's StepTask
        double[] ser = new double[PROBE_REPS];
        byte[] bytes = null;
        for (int i = -1; i < ser.length; i++) {            // i = -1: warm-up, not recorded
            long t0 = System.nanoTime();
            bytes = serialize(shipped);
            if (i >= 0) ser[i] = (System.nanoTime() - t0) / 1e6;
        }
        long lz4 = lz4Size(bytes);
        ShardResult result = g.compute(request, feed, 0);
        byte[] resultBytes = serialize(result);
        double[] de = new double[PROBE_REPS], comb = new double[PROBE_REPS];
        for (int i = -1; i < de.length; i++) {            // i = -1: warm-up, not recorded
            long t0 = System.nanoTime();
            ShardResult copy = (ShardResult) deserialize(resultBytes);
            long t1 = System.nanoTime();
            ShardResult.combine(List.of(result, copy));
            long t2 = System.nanoTime();
            if (i < 0) continue;
            de[i] = (t1 - t0) / 1e6;
            comb[i] = (t2 - t1) / 1e6;
        }
        double[] map = new double[PROBE_REPS], flat = new double[PROBE_REPS];
        for (int i = -1; i < map.length; i++) {            // i = -1: warm-up, not recorded
            long t0 = System.nanoTime();
            deserialize(serialize(new HashMap<>(params)));
            long t1 = System.nanoTime();
            Map<String, byte[]> arrays = new HashMap<>();
            params.forEach((k, v) -> {
                ByteBuffer view = v.data().asNio();
                byte[] b = new byte[(int) (v.length() * v.dataType().width())];
                view.get(b);
                arrays.put(k, b);
            });
            @SuppressWarnings("unchecked") Map<String, byte[]> back = (Map<String, byte[]>) deserialize(serialize(arrays));
            Map<String, INDArray> restored = new HashMap<>();
            back.forEach((k, b) -> {
                INDArray like = params.get(k), x = Nd4j.create(like.dataType(), like.shape());
                x.data().asNio().put(b);
                restored.put(k, x);
            });
            long t2 = System.nanoTime();
            if (i < 0) continue;
            map[i] = (t1 - t0) / 1e6;
            flat[i] = restored.equals(params) ? (t2 - t1) / 1e6 : Double.NaN;     // NaN: the bulk copy did not restore the values
        }
        double[] estimate = new double[PROBE_REPS];
        for (int i = -1; i < estimate.length; i++) {            // i = -1: warm-up, not recorded
            long t0 = System.nanoTime();
            SizeEstimator.estimate(params);
            if (i >= 0) estimate[i] = (System.nanoTime() - t0) / 1e6;
        }
        double bMap = sparkBroadcastMs == null ? Double.NaN : sparkBroadcastMs[0], bFlat = sparkBroadcastMs == null ? Double.NaN : sparkBroadcastMs[1];
        return new Probe(count, raw, bytes.length, lz4, OverheadBenchmark.median(ser), bMap, bFlat, OverheadBenchmark.median(estimate), resultBytes.length,
                OverheadBenchmark.median(de), OverheadBenchmark.median(comb), OverheadBenchmark.median(map), OverheadBenchmark.median(flat));
    }

    static byte[] serialize(Object o) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream s = new ObjectOutputStream(out)) {
            s.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Object deserialize(byte[] bytes) {
        try (ObjectInputStream s = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return s.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes of {@code bytes} compressed with Spark's default codec (lz4, as broadcasts are). */
    private static long lz4Size(byte[] bytes) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = new LZ4CompressionCodec(new SparkConf()).compressedOutputStream(sink)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sink.size();
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
