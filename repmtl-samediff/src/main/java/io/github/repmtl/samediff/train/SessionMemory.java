package io.github.repmtl.samediff.train;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Gives back the memory SameDiff 1.0.0-M2.1 accumulates over a long run, between epochs. Each of a graph's
 * execution sessions (one per thread, also those of its gradient function) records the id of every array it
 * has released in a set that is never cleared, and its array cache keeps released arrays for reuse; and the
 * native buffers of ND4J arrays are freed only once the garbage collector has found their Java objects, which
 * for objects in the old generation of a large, mostly empty heap can take very long, while glibc's allocator
 * keeps what it has. {@link #release} closes every session's array cache, drops the sessions (the next execution
 * starts fresh ones; nothing a session holds outlives an execution) and runs one collection. Measured by
 * {@code bench/soak.sh}: without it the resident memory of an HpsLeNet Rep-MTL run grew by GBs per 1000 steps.
 */
final class SessionMemory {
    private SessionMemory() {}

    /** Releases the sessions of {@code sd} and of its functions, then collects garbage. */
    static void release(SameDiff sd) {
        List<SameDiff> graphs = new ArrayList<>();
        graphs.add(sd);
        for (String name : sd.definedFunctionNames()) graphs.add(sd.getFunction(name));
        for (SameDiff g : graphs) {
            if (g == null) continue;
            for (InferenceSession s : g.getSessions().values()) if (s.getMmgr() != null) s.getMmgr().close();
            g.getSessions().clear();
        }
        Nd4j.getMemoryManager().invokeGc();
    }
}
