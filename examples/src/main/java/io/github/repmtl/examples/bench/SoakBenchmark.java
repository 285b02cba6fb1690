package io.github.repmtl.examples.bench;

import io.github.repmtl.datavec.iterator.IndexedBatchIterator;
import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.train.MemoryUsage;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.StepStats;
import io.github.repmtl.samediff.train.TrainingListener;
import io.github.repmtl.samediff.train.TrainingLogs;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * Memory over a long training run, measured from inside: trains a model with Rep-MTL through
 * {@link MultiTaskTrainer#fit()} as {@code repmtl train} does (seeded shuffled in-memory data, a validation
 * split evaluated every epoch, {@link TrainingLogs}, a checkpoint every epoch), samples every few steps the Java
 * heap in use after the last GC, JavaCPP's {@code physicalBytes()} and {@code totalBytes()} and the process's
 * {@code VmRSS}, and reports each figure's least-squares growth over the second half of the samples (after the
 * heap and the native allocator have settled), in MB (10^6 bytes) and in % of the figure's mean, per 1000 steps.
 */
public final class SoakBenchmark {
    /** One case: a model factory, the input shape of one sample, classes per task. */
    public record Case(String name, Supplier<MultiTaskModel> model, long[] sampleShape, int classes) {}

    /** One sample of the four figures (bytes) after {@code step} steps. */
    public record Sample(long step, double seconds, long heapAfterGc, long physical, long total, long rss, long arrayCache) {}

    /**
     * A least-squares line through (step, value): its slope per 1000 steps, the slope's standard error (how far
     * sampling noise alone moves it; NaN for two points) and the values' mean.
     */
    public record Growth(double per1000, double standardError, double mean) {
        /** Slope per 1000 steps as a percentage of the mean. */
        public double percentPer1000() { return 100 * per1000 / mean; }

        /** Least-squares fit of {@code values} against {@code steps} (at least two distinct steps). */
        public static Growth fit(long[] steps, double[] values) {
            if (steps.length != values.length || steps.length < 2) throw new IllegalArgumentException("need at least 2 points of equal count, got " + steps.length + " and " + values.length);
            double mx = 0, my = 0;
            for (int i = 0; i < steps.length; i++) { mx += steps[i]; my += values[i]; }
            mx /= steps.length;
            my /= steps.length;
            double sxy = 0, sxx = 0;
            for (int i = 0; i < steps.length; i++) {
                sxy += (steps[i] - mx) * (values[i] - my);
                sxx += (steps[i] - mx) * (steps[i] - mx);
            }
            if (sxx == 0) throw new IllegalArgumentException("all samples are at one step");
            double slope = sxy / sxx, residuals = 0;
            for (int i = 0; i < steps.length; i++) {
                double r = values[i] - (my + slope * (steps[i] - mx));
                residuals += r * r;
            }
            double se = steps.length > 2 ? Math.sqrt(residuals / (steps.length - 2) / sxx) : Double.NaN;
            return new Growth(1000 * slope, 1000 * se, my);
        }

        /** The fit over the samples of the second half of the run (step >= last step / 2). */
        public static Growth secondHalf(List<Sample> samples, ToDoubleFunction<Sample> figure) {
            long last = samples.get(samples.size() - 1).step();
            List<Sample> half = samples.stream().filter(s -> s.step() * 2 >= last).toList();
            long[] x = half.stream().mapToLong(Sample::step).toArray();
            double[] y = half.stream().mapToDouble(figure).toArray();
            return fit(x, y);
        }
    }

    /**
     * The samples and each figure's second-half growth. {@code liveHeap}: per epoch from the second on, the heap in
     * use after the full collection the trainer runs at each epoch end, read at the epoch's first step (the live
     * set: free of the young-generation garbage that makes {@code heapAfterGc} saw-tooth).
     */
    public record Result(String name, int steps, int batch, double seconds, List<Sample> samples, List<Sample> liveHeap) {
        public Growth growth(ToDoubleFunction<Sample> figure) { return Growth.secondHalf(samples, figure); }

        public List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add(String.format(Locale.ROOT, "soak %s steps=%d batch=%d seconds=%.0f samples=%d (growth over the second half, per 1000 steps; MB = 10^6 bytes)",
                    name, steps, batch, seconds, samples.size()));
            out.add(line("heap_after_gc", Sample::heapAfterGc));
            if (liveHeap.size() >= 4) out.add(line("heap_live", liveHeap, Sample::heapAfterGc));
            out.add(line("physical_bytes", Sample::physical));
            out.add(line("total_bytes", Sample::total));
            if (samples.stream().allMatch(s -> s.rss() > 0)) out.add(line("vm_rss", Sample::rss));
            out.add(line("array_cache", Sample::arrayCache));
            return out;
        }

        private String line(String figure, ToDoubleFunction<Sample> f) { return line(figure, samples, f); }

        private String line(String figure, List<Sample> samples, ToDoubleFunction<Sample> f) {
            Growth g = Growth.secondHalf(samples, f);
            Sample first = samples.get(0), last = samples.get(samples.size() - 1);
            return String.format(Locale.ROOT, "soak %s %-14s first=%.1fMB last=%.1fMB max=%.1fMB half2_mean=%.1fMB growth=%+.2f±%.2fMB/1000steps (%+.3f±%.3f%%/1000steps; ± one standard error)",
                    name, figure, f.applyAsDouble(first) / 1e6, f.applyAsDouble(last) / 1e6,
                    samples.stream().mapToDouble(f).max().orElse(Double.NaN) / 1e6, g.mean() / 1e6, g.per1000() / 1e6,
                    g.standardError() / 1e6, g.percentPer1000(), 100 * g.standardError() / g.mean());
        }

        /** Writes the samples as CSV (step, seconds and the four figures in bytes). */
        public void writeCsv(Path file) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
                w.println("step,seconds,heap_after_gc,physical_bytes,total_bytes,vm_rss,array_cache");
                for (Sample s : samples)
                    w.printf(Locale.ROOT, "%d,%.2f,%d,%d,%d,%d,%d%n", s.step(), s.seconds(), s.heapAfterGc(), s.physical(), s.total(), s.rss(), s.arrayCache());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private SoakBenchmark() {}

    /**
     * Trains {@code steps} steps (rounded up to whole epochs of {@code batchesPerEpoch} batches of {@code batch}
     * samples) and samples the memory figures every {@code every} steps.
     */
    public static Result run(Case c, int steps, int batch, int batchesPerEpoch, int every) {
        if (steps < 4 || batch < 1 || batchesPerEpoch < 1 || every < 1) throw new IllegalArgumentException("steps >= 4, batch, batches per epoch and sample interval >= 1");
        MultiTaskModel model = c.model().get();
        int tasks = model.numTasks();
        int n = batch * batchesPerEpoch;
        Nd4j.getRandom().setSeed(7);
        long[] xShape = new long[c.sampleShape().length + 1];
        xShape[0] = n;
        System.arraycopy(c.sampleShape(), 0, xShape, 1, c.sampleShape().length);
        INDArray x = Nd4j.rand(DataType.FLOAT, xShape);
        INDArray[] y = new INDArray[tasks];
        for (int t = 0; t < tasks; t++) y[t] = Nd4j.rand(DataType.FLOAT, n).muli(c.classes()).castTo(DataType.INT64);
        int valBatches = Math.min(2, batchesPerEpoch);
        IndexedBatchIterator train = new IndexedBatchIterator(n, batch, true, 11, (idx, epoch) -> gather(x, y, idx));
        IndexedBatchIterator val = new IndexedBatchIterator(batch * valBatches, batch, false, 0, (idx, epoch) -> gather(x, y, idx));
        int epochs = (steps + batchesPerEpoch - 1) / batchesPerEpoch;
        Path dir;
        try {
            dir = Files.createTempDirectory("repmtl-soak-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Sample> samples = new ArrayList<>(), liveHeap = new ArrayList<>();
        long t0 = System.nanoTime();
        TrainingListener sampler = new TrainingListener() {
            @Override
            public void onStep(StepStats s) {
                long done = s.step() + 1;
                if (s.batch() == 0 && s.epoch() > 0)                   // after the previous epoch's full collection
                    liveHeap.add(new Sample(done, (System.nanoTime() - t0) / 1e9, MemoryUsage.heapAfterLastGc(), 0, 0, 0, 0));
                if (done % every == 0) {
                    MemoryUsage m = MemoryUsage.now();
                    samples.add(new Sample(done, (System.nanoTime() - t0) / 1e9, m.heapAfterGcBytes(), m.physicalBytes(), m.totalBytes(), MemoryUsage.residentBytes(),
                            MemoryUsage.arrayCacheBytes(model.sameDiff())));
                }
            }
        };
        try {
            MultiTaskTrainer.builder(model).optimizer(Optimizer.adam(1e-4)).repMtl(RepMtl.builder(model).build()).epochs(epochs).seed(1)
                    .train(train).validation(val).listener(new TrainingLogs(dir.resolve("logs"))).listener(sampler)
                    .checkpoints(dir.resolve("checkpoints"), 2).build().fit();
        } finally {
            deleteTree(dir);
        }
        if (samples.size() < 4) throw new IllegalStateException("only " + samples.size() + " samples: lower the sample interval");
        return new Result(c.name(), epochs * batchesPerEpoch, batch, (System.nanoTime() - t0) / 1e9, samples, liveHeap);
    }

    private static org.nd4j.linalg.dataset.MultiDataSet gather(INDArray x, INDArray[] y, int[] idx) {
        INDArray[] labels = new INDArray[y.length];
        for (int t = 0; t < y.length; t++) labels[t] = y[t].get(NDArrayIndex.indices(toLong(idx))).dup();
        org.nd4j.linalg.indexing.INDArrayIndex[] at = new org.nd4j.linalg.indexing.INDArrayIndex[x.rank()];
        at[0] = NDArrayIndex.indices(toLong(idx));
        for (int d = 1; d < at.length; d++) at[d] = NDArrayIndex.all();
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{x.get(at).dup()}, labels);
    }

    private static long[] toLong(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) l[i] = v[i];
        return l;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: best effort
        }
    }
}
