package io.github.repmtl.examples.bench;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.Strategies;
import io.github.repmtl.samediff.strategy.StrategyDescriptor;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import io.github.repmtl.samediff.train.StepStats;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Median training-step time of every strategy (in its preferred gradient mode) relative to equal weighting on
 * the same model and batch, EW steps interleaved with each strategy's steps so noise hits both alike.
 */
public final class StrategyBenchmark {
    /**
     * One row: strategy, gradient mode, median step times and their ratio, and the median time of the strategy's
     * own work inside its step (gradient rows, solver, combined gradient; the rest is graph execution and update).
     */
    public record Row(String strategy, GradientMode mode, double ewMs, double strategyMs, double solverMs) {
        public String line() {
            return String.format(Locale.ROOT, "strategy %s mode=%s ew_ms=%.1f strategy_ms=%.1f ratio=%.2f solver_ms=%.1f",
                    strategy, mode, ewMs, strategyMs, strategyMs / ewMs, solverMs);
        }
    }

    private StrategyBenchmark() {}

    public static List<Row> run(Supplier<MultiTaskModel> models, MultiDataSet batch, List<String> names, int warmup, int steps) {
        MultiTaskModel ewModel = models.get();
        MultiTaskTrainer ew = MultiTaskTrainer.builder(ewModel).optimizer(Optimizer.adam(1e-4)).build();
        List<Row> rows = new ArrayList<>();
        for (String name : names) {
            StrategyDescriptor d = Strategies.descriptor(name);
            MultiTaskModel m = models.get();
            var strategy = Strategies.create(name, m.taskNames(), Map.of());
            GradientMode mode = strategy.preferredMode();
            MultiTaskTrainer t = MultiTaskTrainer.builder(m).optimizer(Optimizer.adam(1e-4)).strategy(strategy).gradientMode(mode).build();
            for (int i = 0; i < warmup; i++) {
                ew.step(batch);
                t.step(batch);
            }
            double[] a = new double[steps], b = new double[steps], c = new double[steps];
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                ew.step(batch);
                long t1 = System.nanoTime();
                StepStats s = t.step(batch);
                long t2 = System.nanoTime();
                a[i] = (t1 - t0) / 1e6;
                b[i] = (t2 - t1) / 1e6;
                c[i] = s.strategyMs();
            }
            rows.add(new Row(d.name(), mode, OverheadBenchmark.median(a), OverheadBenchmark.median(b), OverheadBenchmark.median(c)));
        }
        return rows;
    }
}
