package io.github.repmtl.spark;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Each executor JVM's prepared objects (training graphs, trainers, evaluation models) per key (a run, or a run and
 * a partition): preparing one (loading the model, adding Rep-MTL and the gradient function) costs seconds, so a task
 * borrows one and gives it back. An object is never shared by two concurrent tasks (tasks set its parameters and
 * state), so an executor with c cores holds up to c per key.
 */
final class WorkerPools {
    private static final Map<String, Queue<Object>> POOLS = new ConcurrentHashMap<>();

    private WorkerPools() {}

    /** Runs {@code work} on an object of {@code key}'s pool ({@code prepare}d when none is free). */
    @SuppressWarnings("unchecked")
    static <T, R> R with(String key, Supplier<T> prepare, Function<T, R> work) {
        Queue<Object> pool = POOLS.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>());
        Object o = pool.poll();
        T item = o != null ? (T) o : prepare.get();
        try {
            return work.apply(item);
        } finally {
            pool.add(item);
        }
    }

    /** Drops this JVM's objects of every key that starts with {@code prefix} (a finished run's id). */
    static void release(String prefix) { POOLS.keySet().removeIf(k -> k.startsWith(prefix)); }
}
