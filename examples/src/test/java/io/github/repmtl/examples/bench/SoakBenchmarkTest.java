package io.github.repmtl.examples.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The least-squares growth the soak benchmark reports, against values worked out by hand. */
class SoakBenchmarkTest {
    @Test
    void slopeOfALineIsItsGrowthPer1000Steps() {
        // y = 100 + 10 per 1000 steps; mean 115, so 10 / 115 = 8.6957 % per 1000 steps
        SoakBenchmark.Growth g = SoakBenchmark.Growth.fit(new long[]{0, 1000, 2000, 3000}, new double[]{100, 110, 120, 130});
        assertEquals(10.0, g.per1000(), 1e-12);
        assertEquals(115.0, g.mean(), 1e-12);
        assertEquals(100 * 10.0 / 115.0, g.percentPer1000(), 1e-12);
    }

    @Test
    void slopeOfScatteredPoints() {
        // x = 0, 500, 1000 steps, y = 1, 3, 2: mean x 500, mean y 2; sum dx dy = (-500)(-1) + 0 + 500 * 0 = 500,
        // sum dx^2 = 2 * 500^2 = 500000; slope 0.001 per step = 1 per 1000 steps, 50 % of the mean
        SoakBenchmark.Growth g = SoakBenchmark.Growth.fit(new long[]{0, 500, 1000}, new double[]{1, 3, 2});
        assertEquals(1.0, g.per1000(), 1e-12);
        assertEquals(50.0, g.percentPer1000(), 1e-12);
        // fitted values 1.5, 2, 2.5, residuals -0.5, 1, -0.5: sum of squares 1.5 over n - 2 = 1 degree of freedom;
        // standard error sqrt(1.5 / 500000) per step = 1.7321 per 1000 steps
        assertEquals(1000 * Math.sqrt(1.5 / 500000), g.standardError(), 1e-12);
        SoakBenchmark.Growth flat = SoakBenchmark.Growth.fit(new long[]{10, 20, 30}, new double[]{5, 5, 5});
        assertEquals(0.0, flat.per1000(), 0.0);
        assertEquals(0.0, flat.standardError(), 0.0);
        assertEquals(Double.NaN, SoakBenchmark.Growth.fit(new long[]{1, 2}, new double[]{1, 2}).standardError());
        assertThrows(IllegalArgumentException.class, () -> SoakBenchmark.Growth.fit(new long[]{7, 7}, new double[]{1, 2}));
    }

    @Test
    void secondHalfUsesOnlyTheSamplesFromHalfwayOn() {
        // steps 100..400: the first half (100) rises steeply, the second (200, 300, 400) by 2 per 100 steps
        List<SoakBenchmark.Sample> s = List.of(sample(100, 0), sample(200, 50), sample(300, 52), sample(400, 54));
        SoakBenchmark.Growth g = SoakBenchmark.Growth.secondHalf(s, SoakBenchmark.Sample::physical);
        assertEquals(20.0, g.per1000(), 1e-9);
        assertEquals(52.0, g.mean(), 1e-12);
    }

    @Test
    void theLiveHeapIsReportedFromItsOwnSamples() {
        // live heap 50 MB flat; the per-step heap saw-tooths. With fewer than 4 epoch samples there is no heap_live line.
        List<SoakBenchmark.Sample> steps = List.of(sample(100, 1), sample(200, 1), sample(300, 1), sample(400, 1));
        List<SoakBenchmark.Sample> live = List.of(heap(100, 50e6), heap(200, 50e6), heap(300, 50e6), heap(400, 50e6));
        List<String> lines = new SoakBenchmark.Result("t", 400, 8, 1, steps, live).lines();
        String heapLive = lines.stream().filter(l -> l.contains(" heap_live ")).findFirst().orElseThrow();
        assertTrue(heapLive.contains("half2_mean=50.0MB growth=+0.00±0.00MB/1000steps"), heapLive);
        assertTrue(new SoakBenchmark.Result("t", 400, 8, 1, steps, live.subList(0, 3)).lines().stream().noneMatch(l -> l.contains(" heap_live ")));
    }

    private static SoakBenchmark.Sample heap(long step, double bytes) { return new SoakBenchmark.Sample(step, step, (long) bytes, 0, 0, 0, 0); }

    private static SoakBenchmark.Sample sample(long step, long physical) { return new SoakBenchmark.Sample(step, step, 1, physical, 1, 1, 0); }
}
