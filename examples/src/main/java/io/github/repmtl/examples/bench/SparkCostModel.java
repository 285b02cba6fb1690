package io.github.repmtl.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Predicted training-step time on a Spark cluster of {@code W} workers, from what {@code repmtl bench spark} measures
 * on one machine ({@link SparkOverheadBenchmark}). Symbols (times in ms, sizes in bytes):
 * <ul>
 *   <li>{@code c}: compute time per example, the single-machine step (arm a) divided by its batch {@code B};</li>
 *   <li>{@code L}: fixed Spark overhead per job, {@code (b - a) / J1} from the local[1] arm: scheduling, task launch,
 *       creating the parameters' broadcast (serialization, compression) and fetching and deserializing one result, all
 *       in one JVM (no network);</li>
 *   <li>{@code S_p}: bytes broadcast per job (parameters and request, Java serialization, as shipped);
 *       {@code S_g}: bytes one worker returns per step (its gradient result, Spark's task result size);
 *       {@code S_s}: the parameter-averaging state, parameters and Adam's two moment arrays ({@code 3 S_p});</li>
 *   <li>{@code mu}: driver time per result byte to deserialize a result and add it into the sum (measured);</li>
 *   <li>{@code BW}: network bandwidth in bytes per ms ({@code Gbit/s * 1e9 / 8 / 1000});</li>
 *   <li>{@code J(W)}: Spark jobs per step, {@code J1} with one worker, {@code J2} when the step is split (Rep-MTL's
 *       log-transformed task terms need the whole batch's losses first: one LOSSES job before the GRADIENTS job);</li>
 *   <li>{@code beta(W) = max(1, log2 W)}: rounds of the torrent broadcast; {@code K}: averaging frequency.</li>
 * </ul>
 * Gradient master ({@code GradientTrainingMaster}), {@code n} examples per worker and step:
 * <pre>
 *   T_grad(W, n) = c n + J(W) (L + beta(W) S_p / BW) + W S_g / BW + (W - 1) mu S_g
 * </pre>
 * (every job broadcasts the parameters; all W results travel to the driver, which merges them one by one; {@code L}
 * already holds one result's merge). Parameter averaging (DL4J's {@code ParameterAveragingTrainingMaster}): per
 * round of {@code K} local steps of {@code n} examples, one broadcast of the state and a depth-2 {@code treeAggregate}
 * (the W states summed in {@code s = ceil(sqrt W)} groups on the executors, each group's reducer receiving {@code s}
 * states, then {@code ceil(W / s)} partial sums to the driver):
 * <pre>
 *   T_avg(W, n) = c n + R(W) / K,   R(W) = L + beta(W) S_s / BW + (s + ceil(W / s)) (S_s / BW + mu S_s)
 * </pre>
 * One machine: {@code T_1 = c B}. Compute is taken as linear in the examples (optimistic for small per-worker
 * batches, where fixed per-op costs dominate), each worker as fast as the measuring machine, and the network as
 * one full-duplex link per node at {@code BW} with no contention beyond the driver's link. Parameter averaging is
 * not the same algorithm: K local steps then an average, not the big-batch step.
 *
 * @param batch              B, the measured single-machine batch
 * @param computeMsPerExample c
 * @param jobOverheadMs      L
 * @param parameterBytes     S_p
 * @param resultBytes        S_g
 * @param stateBytes         S_s
 * @param mergeMsPerByte     mu
 * @param jobsOneWorker      J1
 * @param jobsSplit          J2
 * @param bandwidthGbit      network bandwidth in Gbit/s
 * @param averagingFrequency K
 */
public record SparkCostModel(int batch, double computeMsPerExample, double jobOverheadMs, long parameterBytes, long resultBytes,
                             long stateBytes, double mergeMsPerByte, int jobsOneWorker, int jobsSplit, double bandwidthGbit,
                             int averagingFrequency) {
    /** Which training master. */
    public enum Master { GRADIENT, AVERAGING }

    /** How the batch grows with the workers in a table. */
    public enum Scaling {
        /** The global batch stays B: {@code B / W} examples per worker. */
        GLOBAL_BATCH,
        /** Every worker holds B examples: a global batch of {@code W B}. */
        PER_WORKER_BATCH
    }

    /**
     * One prediction: step time split into compute and the rest (communication and Spark's fixed costs), and the
     * throughput in examples per second over all workers.
     */
    public record Prediction(Master master, int workers, double examplesPerWorker, double computeMs, double stepMs) {
        public double overheadMs() { return stepMs - computeMs; }

        public double examplesPerSecond() { return workers * examplesPerWorker / stepMs * 1000; }
    }

    public SparkCostModel {
        if (batch < 1 || jobsOneWorker < 1 || jobsSplit < 1 || averagingFrequency < 1)
            throw new IllegalArgumentException("batch, jobs per step and averaging frequency must be >= 1");
        if (!(computeMsPerExample > 0) || !(bandwidthGbit > 0) || !(jobOverheadMs >= 0) || !(mergeMsPerByte >= 0))
            throw new IllegalArgumentException("compute per example and bandwidth must be > 0, job overhead and merge cost >= 0");
        if (parameterBytes < 0 || resultBytes < 0 || stateBytes < 0) throw new IllegalArgumentException("sizes must be >= 0");
    }

    /** {@code BW}: bytes per millisecond. */
    public double bytesPerMs() { return bandwidthGbit * 1e9 / 8 / 1000; }

    /** {@code T_1 = c B}: the single-machine step. */
    public double oneMachineMs() { return computeMsPerExample * batch; }

    /** {@code J(W)}. */
    public int jobsPerStep(int workers) { return workers == 1 ? jobsOneWorker : jobsSplit; }

    /** {@code beta(W) = max(1, log2 W)}. */
    public static double broadcastRounds(int workers) { return Math.max(1, Math.log(workers) / Math.log(2)); }

    /** {@code T_grad(W, n)}. */
    public Prediction gradient(int workers, double examplesPerWorker) {
        check(workers, examplesPerWorker);
        double bw = bytesPerMs(), compute = computeMsPerExample * examplesPerWorker;
        double step = compute + jobsPerStep(workers) * (jobOverheadMs + broadcastRounds(workers) * parameterBytes / bw)
                + workers * resultBytes / bw + (workers - 1) * mergeMsPerByte * resultBytes;
        return new Prediction(Master.GRADIENT, workers, examplesPerWorker, compute, step);
    }

    /** {@code R(W)}: one parameter-averaging round's cost beyond its local steps. */
    public double averagingRoundMs(int workers) {
        check(workers, 1);
        long s = (long) Math.ceil(Math.sqrt(workers));
        long toDriver = (workers + s - 1) / s;
        double bw = bytesPerMs();
        return jobOverheadMs + broadcastRounds(workers) * stateBytes / bw + (s + toDriver) * (stateBytes / bw + mergeMsPerByte * stateBytes);
    }

    /** {@code T_avg(W, n)} per local step. */
    public Prediction averaging(int workers, double examplesPerWorker) {
        check(workers, examplesPerWorker);
        double compute = computeMsPerExample * examplesPerWorker;
        return new Prediction(Master.AVERAGING, workers, examplesPerWorker, compute, compute + averagingRoundMs(workers) / averagingFrequency);
    }

    /**
     * The smallest per-worker batch at which {@code master}'s cost beyond compute is at most {@code share} of its step
     * on {@code workers} workers: that cost does not depend on the batch, so {@code n = (1 - share) / share * other / c}.
     */
    public double batchForOverheadShare(Master master, int workers, double share) {
        if (!(share > 0 && share < 1)) throw new IllegalArgumentException("share must be in (0, 1), got " + share);
        Prediction p = master == Master.GRADIENT ? gradient(workers, 1) : averaging(workers, 1);
        return (1 - share) / share * p.overheadMs() / computeMsPerExample;
    }

    /** Examples per worker under {@code scaling}. */
    public double examplesPerWorker(Scaling scaling, int workers) { return scaling == Scaling.GLOBAL_BATCH ? (double) batch / workers : batch; }

    /**
     * The master to use for {@code workers} under {@code scaling}: the gradient master (the exact big-batch step, the
     * same results as one machine) unless parameter averaging is more than 10% faster; "one machine" when neither
     * beats the single machine's throughput.
     */
    public String recommend(Scaling scaling, int workers) {
        double n = examplesPerWorker(scaling, workers);
        Prediction g = gradient(workers, n), a = averaging(workers, n);
        double single = 1000 / computeMsPerExample;
        if (Math.max(g.examplesPerSecond(), a.examplesPerSecond()) < single) return "one machine";
        return g.stepMs() <= 1.1 * a.stepMs() ? "gradient" : "averaging";
    }

    /** The model's inputs in one line. */
    public String inputsLine(String name) {
        return String.format(Locale.ROOT, "spark %s model: c=%.4fms/example (T_1=%.1fms at B=%d) L=%.1fms/job J1=%d J2=%d S_p=%s S_g=%s S_s=%s mu=%.3fns/byte BW=%.1fGbit/s K=%d",
                name, computeMsPerExample, oneMachineMs(), batch, jobOverheadMs, jobsOneWorker, jobsSplit, mb(parameterBytes), mb(resultBytes),
                mb(stateBytes), mergeMsPerByte * 1e6, bandwidthGbit, averagingFrequency);
    }

    /**
     * A table of predictions for {@code workers} under both scalings, the per-worker batch from which each master's
     * overhead is at most 10% of its step, and a recommendation line per scaling.
     */
    public List<String> table(String name, int[] workers) {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "spark %s predict %-16s %5s %9s %8s %10s %10s %10s %9s %8s", name, "scaling", "W", "ex/worker", "master",
                "step_ms", "compute_ms", "other_ms", "ex/s", "speedup"));
        double single = 1000 / computeMsPerExample;
        for (Scaling s : Scaling.values()) {
            for (int w : workers) {
                double n = examplesPerWorker(s, w);
                for (Prediction p : List.of(gradient(w, n), averaging(w, n)))
                    out.add(String.format(Locale.ROOT, "spark %s predict %-16s %5d %9.2f %8s %10.1f %10.2f %10.1f %9.0f %8.2f", name, s.name().toLowerCase(Locale.ROOT),
                            w, n, p.master().name().toLowerCase(Locale.ROOT), p.stepMs(), p.computeMs(), p.overheadMs(), p.examplesPerSecond(), p.examplesPerSecond() / single));
            }
        }
        StringBuilder even = new StringBuilder(String.format(Locale.ROOT, "spark %s overhead<=10%% from examples/worker:", name));
        for (int w : workers)
            even.append(String.format(Locale.ROOT, " W=%d gradient %.0f, averaging %.0f;", w, batchForOverheadShare(Master.GRADIENT, w, 0.1), batchForOverheadShare(Master.AVERAGING, w, 0.1)));
        out.add(even.substring(0, even.length() - 1));
        for (Scaling s : Scaling.values()) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "spark %s recommend %s:", name, s.name().toLowerCase(Locale.ROOT)));
            for (int w : workers) b.append(String.format(Locale.ROOT, " W=%d %s;", w, recommend(s, w)));
            out.add(b.substring(0, b.length() - 1));
        }
        return out;
    }

    private static String mb(long bytes) { return String.format(Locale.ROOT, "%.3fMB", bytes / 1e6); }

    private static void check(int workers, double examplesPerWorker) {
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        if (!(examplesPerWorker > 0)) throw new IllegalArgumentException("examples per worker must be > 0, got " + examplesPerWorker);
    }
}
