package io.github.repmtl.spark;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Each executor JVM's prepared objects (training graphs, trainers, evaluation models) per key (a run, or a run and
 * a partition): preparing one (loading the model, adding Rep-MTL and the gradient function) costs seconds, so a task
 * borrows one and gives it back. An object is never shared by two concurrent tasks (tasks set its parameters and
 * state), so an executor with c cores holds up to c per key. The driver releases a finished run's keys in its own
 * JVM; executors of a cluster drop the pools of keys no task has used for {@link #IDLE_MINUTES} minutes.
 */
final class WorkerPools {
    static final long IDLE_MINUTES = 10;
    private static final Map<String, Pool> POOLS = new ConcurrentHashMap<>();

    private record Pool(Queue<Object> items, long[] lastUse) {}

    private WorkerPools() {}

    /** Runs {@code work} on an object of {@code key}'s pool ({@code prepare}d when none is free). */
    @SuppressWarnings("unchecked")
    static <T, R> R with(String key, Supplier<T> prepare, Function<T, R> work) {
        long now = System.nanoTime();
        POOLS.entrySet().removeIf(e -> !e.getKey().equals(key) && now - e.getValue().lastUse()[0] > TimeUnit.MINUTES.toNanos(IDLE_MINUTES));
        Pool pool = POOLS.computeIfAbsent(key, k -> new Pool(new ConcurrentLinkedQueue<>(), new long[]{now}));
        pool.lastUse()[0] = now;
        Object o = pool.items().poll();
        T item = o != null ? (T) o : prepare.get();
        try {
            return work.apply(item);
        } finally {
            pool.lastUse()[0] = System.nanoTime();
            pool.items().add(item);
        }
    }

    /** Drops this JVM's objects of every key that starts with {@code prefix} (a finished run's id). */
    static void release(String prefix) { POOLS.keySet().removeIf(k -> k.startsWith(prefix)); }
}
