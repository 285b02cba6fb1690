package io.github.repmtl.spark;

import io.github.repmtl.samediff.train.TrainingGraph;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * Each executor JVM's prepared training graphs, per run: preparing a graph (loading it, adding Rep-MTL and the
 * gradient function) costs seconds, so a task borrows one and gives it back. A graph is never shared by two
 * concurrent tasks (tasks set its parameters and task weights), so an executor with c cores holds up to c.
 */
final class WorkerGraphs {
    private static final Map<String, Queue<TrainingGraph>> POOLS = new ConcurrentHashMap<>();

    private WorkerGraphs() {}

    /** Runs {@code work} on a graph of {@code spec}'s run (prepared when none is free). */
    static <T> T with(WorkerSpec spec, Function<TrainingGraph, T> work) {
        Queue<TrainingGraph> pool = POOLS.computeIfAbsent(spec.runId(), k -> new ConcurrentLinkedQueue<>());
        TrainingGraph g = pool.poll();
        if (g == null) g = spec.prepare();
        try {
            return work.apply(g);
        } finally {
            pool.add(g);
        }
    }

    /** Drops this JVM's graphs of a finished run. */
    static void release(String runId) { POOLS.remove(runId); }
}
