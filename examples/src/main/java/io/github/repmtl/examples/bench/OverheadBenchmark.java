package io.github.repmtl.examples.bench;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Median training-step time (forward, backward, update) of the same graph and batch trained with plain
 * equal weighting and with Rep-MTL (EW), steps interleaved in one run so machine noise hits both alike.
 */
public final class OverheadBenchmark {
    /** One benchmark case: a model factory (called twice) and a fixed batch. */
    public record Case(String name, Supplier<MultiTaskModel> model, MultiDataSet batch) {}

    /** Medians in milliseconds and their ratio. */
    public record Result(String name, double ewMs, double repMtlMs) {
        public double ratio() { return repMtlMs / ewMs; }

        public String line() {
            return String.format(Locale.ROOT, "overhead %s ew_ms=%.1f repmtl_ms=%.1f ratio=%.3f", name, ewMs, repMtlMs, ratio());
        }
    }

    private OverheadBenchmark() {}

    /**
     * Warms both trainers up for at least {@code warmup} steps and {@code warmupSeconds} (the JIT compiles
     * SameDiff's session and the Rep-MTL listener during the first seconds of a JVM: a LeNet EW step measured
     * ~90 ms after 10 warm-up steps and ~62 ms after 100), then times {@code steps} interleaved steps of each.
     */
    public static Result run(Case c, int warmup, double warmupSeconds, int steps) {
        MultiTaskModel ewModel = c.model().get();
        MultiTaskTrainer ew = MultiTaskTrainer.builder(ewModel).optimizer(Optimizer.adam(1e-4)).build();
        MultiTaskModel repModel = c.model().get();
        MultiTaskTrainer rep = MultiTaskTrainer.builder(repModel).optimizer(Optimizer.adam(1e-4)).repMtl(RepMtl.builder(repModel).build()).build();
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < warmup || System.nanoTime() < warmupEnd; i++) {
            ew.step(c.batch());
            rep.step(c.batch());
        }
        double[] a = new double[steps], b = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            ew.step(c.batch());
            long t1 = System.nanoTime();
            rep.step(c.batch());
            long t2 = System.nanoTime();
            a[i] = (t1 - t0) / 1e6;
            b[i] = (t2 - t1) / 1e6;
        }
        return new Result(c.name(), median(a), median(b));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
