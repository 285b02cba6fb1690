package io.github.repmtl.samediff.train;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's memory figures, read without forcing a collection: the Java heap in use after the last garbage
 * collection (the sum of the heap pools' collection usage; before the first collection, the heap in use now),
 * JavaCPP's {@link Pointer#physicalBytes()} (the resident memory of the whole process, as JavaCPP sees it) and
 * {@link Pointer#totalBytes()} (the native memory held by JavaCPP pointers with deallocators: ND4J's off-heap
 * arrays).
 */
public record MemoryUsage(long heapAfterGcBytes, long physicalBytes, long totalBytes) {

    /** The three figures now. */
    public static MemoryUsage now() { return new MemoryUsage(heapAfterLastGc(), Pointer.physicalBytes(), Pointer.totalBytes()); }

    /**
     * The Java heap in use after the most recent collection: the collection usage of every heap pool (G1: eden,
     * survivor, old), summed. Before any collection has run the pools report 0, so the heap in use now is returned.
     */
    public static long heapAfterLastGc() {
        long collections = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) collections += Math.max(0, gc.getCollectionCount());
        long sum = 0;
        boolean any = false;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() != MemoryType.HEAP || !p.isValid()) continue;
            java.lang.management.MemoryUsage u = p.getCollectionUsage();
            if (u == null) continue;
            sum += u.getUsed();
            any = true;
        }
        if (collections == 0 || !any || sum <= 0) return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return sum;
    }

    /** The process's resident set size from {@code /proc/self/status} ({@code VmRSS}), or -1 where that file is missing. */
    public static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (!line.startsWith("VmRSS:")) continue;
                String[] f = line.substring(6).trim().split("\\s+");
                return Long.parseLong(f[0]) * 1024L;                          // the kernel prints kB
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Bytes held by the array caches of a graph's SameDiff sessions (M2.1's {@code ArrayCacheMemoryMgr}), its gradient
     * function's included: arrays released by earlier executions and kept for reuse, part of {@link #physicalBytes()}.
     */
    public static long arrayCacheBytes(SameDiff sd) {
        long sum = 0;
        for (SameDiff g : new SameDiff[]{sd, sd.getFunction("grad")}) {
            if (g == null) continue;
            for (InferenceSession s : g.getSessions().values()) if (s.getMmgr() instanceof ArrayCacheMemoryMgr m) sum += m.getCurrentCacheSize();
        }
        return sum;
    }

    public double heapAfterGcMb() { return heapAfterGcBytes / 1e6; }

    public double physicalMb() { return physicalBytes / 1e6; }

    public double totalMb() { return totalBytes / 1e6; }
}
