package io.github.repmtl.examples.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cost model's formulas against values worked out by hand. */
class SparkCostModelTest {
    // B = 256, c = 0.25 ms/example, L = 100 ms/job, S_p = S_g = 1 MB, S_s = 3 MB, mu = 1 ns/byte, J1 = 1, J2 = 2,
    // BW = 8 Gbit/s = 1e6 bytes/ms (1 MB takes 1 ms), K = 5
    private static final SparkCostModel M = new SparkCostModel(256, 0.25, 100, 1_000_000, 1_000_000, 3_000_000, 1e-6, 1, 2, 8, 5);

    @Test
    void gradientMaster() {
        assertEquals(1e6, M.bytesPerMs(), 1e-9);
        assertEquals(64, M.oneMachineMs(), 1e-12);
        assertEquals(1, SparkCostModel.broadcastRounds(1), 0);
        assertEquals(1, SparkCostModel.broadcastRounds(2), 0);
        assertEquals(3, SparkCostModel.broadcastRounds(8), 1e-12);
        assertEquals(7, SparkCostModel.broadcastRounds(128), 1e-12);
        // W = 1, n = 256: 64 + 1 x (100 + 1 x 1) + 1 x 1 + 0 merges = 166
        assertEquals(166, M.gradient(1, 256).stepMs(), 1e-9);
        // W = 8, n = 32: compute 8; 2 jobs x (100 + 3 rounds x 1) = 206; collect 8 x 1 = 8; merge 7 x 1e-6 x 1e6 = 7: 229
        SparkCostModel.Prediction p = M.gradient(8, 32);
        assertEquals(8, p.computeMs(), 1e-12);
        assertEquals(229, p.stepMs(), 1e-9);
        assertEquals(221, p.overheadMs(), 1e-9);
        assertEquals(8 * 32 / 229.0 * 1000, p.examplesPerSecond(), 1e-9);
        // W = 32, n = 8: 2 + 2 x (100 + 5) + 32 + 31 = 275
        assertEquals(275, M.gradient(32, 8).stepMs(), 1e-9);
    }

    @Test
    void parameterAveraging() {
        // W = 8: s = 3, ceil(8/3) = 3 partial sums; R = 100 + 3 x 3 + (3 + 3) x (3 + 3) = 145; per step 8 + 145/5 = 37
        assertEquals(145, M.averagingRoundMs(8), 1e-9);
        assertEquals(37, M.averaging(8, 32).stepMs(), 1e-9);
        // W = 32: s = 6, ceil(32/6) = 6; R = 100 + 5 x 3 + 12 x 6 = 187; per step 2 + 37.4 = 39.4
        assertEquals(187, M.averagingRoundMs(32), 1e-9);
        assertEquals(39.4, M.averaging(32, 8).stepMs(), 1e-9);
        // W = 128: s = 12, ceil(128/12) = 11; R = 100 + 7 x 3 + 23 x 6 = 259
        assertEquals(259, M.averagingRoundMs(128), 1e-9);
    }

    @Test
    void recommendation() {
        // W = 8, global batch: the gradient master 229 ms vs averaging 37 ms, both above one machine's 4000 examples/s? averaging
        // does 256 / 37 ms = 6919/s: averaging
        assertEquals("averaging", M.recommend(SparkCostModel.Scaling.GLOBAL_BATCH, 8));
        assertEquals(256.0 / 8, M.examplesPerWorker(SparkCostModel.Scaling.GLOBAL_BATCH, 8), 0);
        assertEquals(256.0, M.examplesPerWorker(SparkCostModel.Scaling.PER_WORKER_BATCH, 8), 0);
        // cheap jobs, no state: gradient 32 + 2 x 1 = 34 ms vs averaging 32 + 1/5 = 32.2 ms: within 10%, the exact master
        SparkCostModel cheap = new SparkCostModel(256, 1, 1, 0, 0, 0, 0, 1, 2, 10, 5);
        assertEquals(34, cheap.gradient(8, 32).stepMs(), 1e-12);
        assertEquals(32.2, cheap.averaging(8, 32).stepMs(), 1e-12);
        assertEquals("gradient", cheap.recommend(SparkCostModel.Scaling.GLOBAL_BATCH, 8));
        // 10 s per job: nothing beats one machine
        SparkCostModel slow = new SparkCostModel(256, 0.25, 10_000, 0, 0, 0, 0, 1, 2, 10, 5);
        assertEquals("one machine", slow.recommend(SparkCostModel.Scaling.GLOBAL_BATCH, 8));
    }

    @Test
    void batchAtWhichTheOverheadIsATenthOfTheStep() {
        // the overhead beyond compute does not depend on n: gradient W = 8: 229 - 8 = 221 ms; compute 0.25 n >= 9 x 221
        assertEquals(9 * 221 / 0.25, M.batchForOverheadShare(SparkCostModel.Master.GRADIENT, 8, 0.1), 1e-6);
        // averaging W = 8: 145 / 5 = 29 ms; half of the step at n = 29 / 0.25
        assertEquals(29 / 0.25, M.batchForOverheadShare(SparkCostModel.Master.AVERAGING, 8, 0.5), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> M.batchForOverheadShare(SparkCostModel.Master.GRADIENT, 8, 1));
    }

    @Test
    void tableHasOneRowPerScalingWorkerCountAndMaster() {
        List<String> t = M.table("x", new int[]{8, 32, 128});
        assertEquals(1 + 2 * 3 * 2 + 1 + 2, t.size(), String.join("\n", t));
        assertTrue(t.get(t.size() - 3).startsWith("spark x overhead<=10% from examples/worker: W=8 gradient 7956, averaging 1044;"), t.get(t.size() - 3));
        assertTrue(t.get(1).matches("spark x predict global_batch +8 +32\\.00 +gradient +229\\.0 .*"), t.get(1));
        assertTrue(t.get(t.size() - 2).startsWith("spark x recommend global_batch: W=8 averaging; W=32 averaging;"), t.get(t.size() - 2));
        assertTrue(M.inputsLine("x").contains("L=100.0ms/job J1=1 J2=2 S_p=1.000MB"), M.inputsLine("x"));
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new SparkCostModel(0, 0.25, 100, 1, 1, 1, 0, 1, 2, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> new SparkCostModel(256, 0.25, 100, 1, 1, 1, 0, 1, 2, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> M.gradient(0, 1));
    }
}
