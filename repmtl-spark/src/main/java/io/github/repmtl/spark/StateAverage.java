package io.github.repmtl.spark;

import io.github.repmtl.samediff.train.StepStats;
import io.github.repmtl.samediff.train.TrainerState;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A partial sum of parameter-averaging round results, in float64, for the driver or a level of the aggregation
 * tree: each worker's state scaled by its example share (so that with one worker the result is its state, exactly),
 * integral counters (step counts) as their maximum. Strategy state is averaged entry by entry: floating-point
 * numbers and {@code double} arrays by their share, integers by the maximum, strings and other values must agree.
 * Sums are formed in partition order at every level, so a round's result depends only on its inputs.
 */
final class StateAverage implements Serializable {
    private final int firstPartition;
    private final Map<String, INDArray> parameters = new LinkedHashMap<>(), statistics = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>();
    private final Map<String, DataType> types = new LinkedHashMap<>();    // of the workers' arrays, by kind/name
    private Map<String, Object> strategy;
    private long optimizerSteps = Long.MIN_VALUE, step = Long.MIN_VALUE;
    private final List<WorkerRound> workers = new ArrayList<>();      // without their states: statistics and failures

    private StateAverage(int firstPartition) { this.firstPartition = firstPartition; }

    /** One worker's round, scaled by its share. */
    static StateAverage of(WorkerRound r) {
        StateAverage a = new StateAverage(r.partition());
        a.workers.add(new WorkerRound(r.partition(), r.fraction(), r.stepExamples(), r.steps(), null, r.failure()));
        if (r.failure() != null) return a;
        TrainerState s = r.state();
        a.scaled("param/", s.parameters(), r.fraction(), a.parameters);
        a.scaled("stat/", s.statistics(), r.fraction(), a.statistics);
        a.scaled("opt/", s.optimizer(), r.fraction(), a.optimizer);
        a.strategy = castMap(scale(s.strategy(), r.fraction()));
        a.optimizerSteps = s.optimizerSteps();
        a.step = s.step();
        return a;
    }

    /** The sum of {@code parts} in partition order. */
    static StateAverage sum(Iterable<StateAverage> parts) {
        List<StateAverage> sorted = new ArrayList<>();
        parts.forEach(sorted::add);
        if (sorted.isEmpty()) throw new IllegalArgumentException("no partial sums to add");
        sorted.sort(Comparator.comparingInt(p -> p.firstPartition));
        StateAverage total = new StateAverage(sorted.get(0).firstPartition);
        for (StateAverage p : sorted) total.add(p);
        return total;
    }

    private void add(StateAverage o) {
        workers.addAll(o.workers);
        if (o.strategy == null) return;                                // only failures
        if (strategy == null) {
            o.parameters.forEach((k, v) -> parameters.put(k, v.dup()));
            o.statistics.forEach((k, v) -> statistics.put(k, v.dup()));
            o.optimizer.forEach((k, v) -> optimizer.put(k, v.dup()));
            strategy = o.strategy;
            types.putAll(o.types);
        } else {
            addInto(parameters, o.parameters, "parameter");
            addInto(statistics, o.statistics, "running statistic");
            addInto(optimizer, o.optimizer, "optimizer state");
            strategy = castMap(plus(strategy, o.strategy, "strategy state"));
        }
        optimizerSteps = Math.max(optimizerSteps, o.optimizerSteps);
        step = Math.max(step, o.step);
    }

    /** The first failure in partition order, or {@code null}. */
    String failure() {
        return workers.stream().filter(w -> w.failure() != null).map(WorkerRound::failure).findFirst().orElse(null);
    }

    /** The averaged state, its arrays in the workers' data types. */
    TrainerState mean() {
        if (strategy == null) throw new IllegalStateException("no worker trained in this round");
        return new TrainerState(cast("param/", parameters), cast("stat/", statistics), cast("opt/", optimizer), optimizerSteps, strategy, step);
    }

    /**
     * The round's steps for listeners: local step j of every worker that ran it, averaged by the examples of that
     * step (losses, Rep-MTL terms, objective, weights; times as their mean), numbered from {@code firstStep}.
     */
    List<StepStats> steps(long firstStep) {
        int longest = workers.stream().mapToInt(w -> w.steps().size()).max().orElse(0);
        List<StepStats> out = new ArrayList<>();
        for (int j = 0; j < longest; j++) {
            List<StepStats> at = new ArrayList<>();
            List<Long> n = new ArrayList<>();
            for (WorkerRound w : workers) if (w.steps().size() > j) { at.add(w.steps().get(j)); n.add(w.stepExamples()[j]); }
            double total = n.stream().mapToLong(Long::longValue).sum();
            double[] f = n.stream().mapToDouble(x -> x / total).toArray();
            StepStats first = at.get(0);
            Map<String, Double> losses = new LinkedHashMap<>();
            for (String t : first.taskLosses().keySet()) {
                double v = 0;
                for (int i = 0; i < at.size(); i++) v += f[i] * at.get(i).taskLosses().get(t);
                losses.put(t, v);
            }
            double[] weights = new double[first.weights().length];
            double tsr = 0, csa = 0, objective = 0, fb = 0, strategyMs = 0, update = 0;
            for (int i = 0; i < at.size(); i++) {
                StepStats s = at.get(i);
                tsr += f[i] * s.tsr();
                csa += f[i] * s.csa();
                objective += f[i] * s.objective();
                for (int t = 0; t < weights.length; t++) weights[t] += f[i] * s.weights()[t];
                fb += s.forwardBackwardMs() / at.size();
                strategyMs += s.strategyMs() / at.size();
                update += s.updateMs() / at.size();
            }
            out.add(new StepStats(first.epoch(), firstStep + j, j, longest, losses, tsr, csa, objective, weights, first.learningRate(), fb, strategyMs, update));
        }
        return out;
    }

    // ------------------------------------------------------------------ arrays

    private void scaled(String kind, Map<String, INDArray> from, double f, Map<String, INDArray> into) {
        from.forEach((k, v) -> {
            types.put(kind + k, v.dataType());
            into.put(k, v.castTo(DataType.DOUBLE).muli(f));
        });
    }

    private static void addInto(Map<String, INDArray> sum, Map<String, INDArray> add, String kind) {
        if (!sum.keySet().equals(add.keySet())) throw new IllegalStateException("workers returned different " + kind + " entries: " + sum.keySet() + " and " + add.keySet());
        sum.forEach((k, v) -> v.addi(add.get(k)));
    }

    private Map<String, INDArray> cast(String kind, Map<String, INDArray> sums) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        sums.forEach((k, v) -> out.put(k, v.castTo(types.get(kind + k))));
        return out;
    }

    // ------------------------------------------------------------------ strategy state trees

    private static Object scale(Object v, double f) {
        if (v instanceof Double || v instanceof Float) return f * ((Number) v).doubleValue();
        if (v instanceof double[] a) {
            double[] r = new double[a.length];
            for (int i = 0; i < a.length; i++) r[i] = f * a[i];
            return r;
        }
        if (v instanceof Object[] a) return Arrays.stream(a).map(x -> scale(x, f)).toArray(n -> (Object[]) java.lang.reflect.Array.newInstance(a.getClass().getComponentType(), n));
        if (v instanceof List<?> l) return l.stream().map(x -> scale(x, f)).toList();
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> r = new LinkedHashMap<>();
            m.forEach((k, x) -> r.put(k, scale(x, f)));
            return r;
        }
        return v;                                                  // integers, strings, booleans, null: not scaled
    }

    private static Object plus(Object a, Object b, String where) {
        if (a == null || b == null) {
            if (a == b) return null;
            throw new IllegalStateException("workers' " + where + " differ: one is empty, one is " + (a == null ? b : a));
        }
        if ((a instanceof Double || a instanceof Float) && (b instanceof Double || b instanceof Float))
            return ((Number) a).doubleValue() + ((Number) b).doubleValue();
        if ((a instanceof Integer || a instanceof Long) && (b instanceof Integer || b instanceof Long))
            return a instanceof Integer && b instanceof Integer ? (Object) Math.max((Integer) a, (Integer) b) : (Object) Math.max(((Number) a).longValue(), ((Number) b).longValue());
        if (a instanceof double[] x && b instanceof double[] y) {
            if (x.length != y.length) throw new IllegalStateException("workers' " + where + " arrays have lengths " + x.length + " and " + y.length);
            double[] r = x.clone();
            for (int i = 0; i < r.length; i++) r[i] += y[i];
            return r;
        }
        if (a instanceof Object[] x && b instanceof Object[] y) {
            if (x.length != y.length) throw new IllegalStateException("workers' " + where + " arrays have lengths " + x.length + " and " + y.length);
            Object[] r = (Object[]) java.lang.reflect.Array.newInstance(x.getClass().getComponentType(), x.length);
            for (int i = 0; i < r.length; i++) r[i] = plus(x[i], y[i], where + "[" + i + "]");
            return r;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) throw new IllegalStateException("workers' " + where + " lists have sizes " + x.size() + " and " + y.size());
            List<Object> r = new ArrayList<>();
            for (int i = 0; i < x.size(); i++) r.add(plus(x.get(i), y.get(i), where + "[" + i + "]"));
            return r;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (!x.keySet().equals(y.keySet())) throw new IllegalStateException("workers' " + where + " have entries " + x.keySet() + " and " + y.keySet());
            Map<Object, Object> r = new LinkedHashMap<>();
            x.forEach((k, v) -> r.put(k, plus(v, y.get(k), where + "." + k)));
            return r;
        }
        if (a.equals(b)) return a;
        throw new IllegalStateException("workers' " + where + " differ and cannot be averaged: " + a + " and " + b);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) { return (Map<String, Object>) o; }
}
