package io.github.repmtl.samediff.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SeedStatistics against a table worked out by hand: Delta-p of three methods on four seeds,
 * <pre>
 *   seed      1    2    3    4
 *   ew       -4   -2   -3   -1
 *   rep      -3   -2   -1   -2
 *   uw       -3   -6   -2   -4
 * </pre>
 */
class SeedStatisticsTest {
    /** t_{3, 0.975}: 3.18244630528370952 (Student's t, 3 degrees of freedom; tables give 3.182), from the incomplete beta function. */
    private static final double T3 = 3.18244630528370952;

    private static Map<Long, Double> seeds(double... v) {
        Map<Long, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) m.put((long) (i + 1), v[i]);
        return m;
    }

    private static SeedStatistics table() {
        Map<String, Map<Long, Double>> t = new LinkedHashMap<>();
        t.put("ew", seeds(-4, -2, -3, -1));
        t.put("rep", seeds(-3, -2, -1, -2));
        t.put("uw", seeds(-3, -6, -2, -4));
        return SeedStatistics.of("Delta-p", t);
    }

    @Test
    void meanAndSampleStandardDeviation() {
        SeedStatistics s = table();
        // ew: mean -10/4 = -2.5; deviations -1.5 0.5 -0.5 1.5, squares 2.25 + 0.25 + 0.25 + 2.25 = 5, sd = sqrt(5/3) = 1.29099...
        assertEquals(new MeanAndDeviation(4, -2.5, Math.sqrt(5.0 / 3)), s.summary("ew"));
        // rep: mean -8/4 = -2; deviations -1 0 1 0, squares sum 2, sd = sqrt(2/3) = 0.81650...
        MeanAndDeviation rep = s.summary("rep");
        assertEquals(-2.0, rep.mean(), 0);
        assertEquals(Math.sqrt(2.0 / 3), rep.sd(), 1e-15);
        // uw: mean -15/4 = -3.75; deviations 0.75 -2.25 1.75 -0.25, squares 0.5625 + 5.0625 + 3.0625 + 0.0625 = 8.75, sd = sqrt(8.75/3)
        MeanAndDeviation uw = s.summary("uw");
        assertEquals(-3.75, uw.mean(), 0);
        assertEquals(Math.sqrt(8.75 / 3), uw.sd(), 1e-15);
        assertEquals(java.util.List.of(1L, 2L, 3L, 4L), s.seeds());
    }

    @Test
    void pairedTInterval() {
        SeedStatistics s = table();
        // rep - ew: d = 1 0 2 -1, dbar = 0.5, deviations 0.5 -0.5 1.5 -1.5, squares sum 5, s_d = sqrt(5/3) = 1.29099...,
        // half width t_{3,0.975} s_d / sqrt(4) = 3.182446 * 1.290994 / 2 = 2.054260: [-1.554260, 2.554260]
        PairedDifference rep = s.difference("rep", "ew");
        assertEquals(0.5, rep.mean(), 1e-15);
        assertEquals(Math.sqrt(5.0 / 3), rep.sd(), 1e-15);
        assertEquals(0.5 - T3 * Math.sqrt(5.0 / 3) / 2, rep.pairedT().low(), 1e-12);
        assertEquals(0.5 + T3 * Math.sqrt(5.0 / 3) / 2, rep.pairedT().high(), 1e-12);
        assertEquals(-1.554260256760522, rep.pairedT().low(), 1e-12);
        assertEquals(0.95, rep.pairedT().level());
        // uw - ew: d = 1 -4 1 -3, dbar = -1.25, deviations 2.25 -2.75 2.25 -1.75, squares 5.0625 + 7.5625 + 5.0625 + 3.0625 = 20.75,
        // s_d = sqrt(20.75/3) = 2.629956, half width 3.182446 * 2.629956 / 2 = 4.184846: [-5.434846, 2.934846]
        PairedDifference uw = s.difference("uw", "ew");
        assertEquals(-1.25, uw.mean(), 1e-15);
        assertEquals(Math.sqrt(20.75 / 3), uw.sd(), 1e-15);
        assertEquals(-5.434846304274399, uw.pairedT().low(), 1e-12);
        assertEquals(2.934846304274399, uw.pairedT().high(), 1e-12);
        // the reference against itself: every d_i is 0, so both intervals are [0, 0]
        PairedDifference self = s.difference("ew", "ew");
        assertEquals(new ConfidenceInterval(0.95, 0, 0), self.pairedT());
        assertEquals(new ConfidenceInterval(0.95, 0, 0), self.bootstrap());
    }

    @Test
    void bootstrapIntervalWithTheFixedSeed() {
        SeedStatistics s = table();
        PairedDifference rep = s.difference("rep", "ew");
        assertEquals(SeedStatistics.DEFAULT_RESAMPLES, rep.resamples());
        assertEquals(10_000, rep.resamples());
        assertEquals(SeedStatistics.DEFAULT_BOOTSTRAP_SEED, rep.bootstrapSeed());
        // By hand: d = 1 0 2 -1 takes each of -1, 0, 1, 2 once, so a resample's sum is 4 draws from {-1, 0, 1, 2}; with k = sum + 4
        // (4 draws from {0, 1, 2, 3}) the 256 equally likely draws give k = 0..12 in 1 4 10 20 31 40 44 40 31 20 10 4 1 ways, and the
        // resample mean is (k - 4) / 4. P(k <= 1) = 5/256 = 2.0 %, P(k <= 2) = 15/256 = 5.9 %: the 2.5 % point is k = 2, mean -0.5;
        // symmetrically the 97.5 % point is k = 10, mean 1.5. Of 10,000 resamples about 195 +- 14 have k <= 1, so the order statistics
        // 249 and 250 that the 2.5 % quantile interpolates (h = 9999 * 0.025 = 249.975) both have k = 2 (likewise 9749 and 9750 at the top):
        assertEquals(new ConfidenceInterval(0.95, -0.5, 1.5), rep.bootstrap());
        // and an independent, straightforward recomputation of the resampling agrees exactly for both differences
        assertEquals(recomputed(new double[]{1, 0, 2, -1}, 10_000, 1), rep.bootstrap());
        PairedDifference uw = s.difference("uw", "ew");
        assertEquals(recomputed(new double[]{1, -4, 1, -3}, 10_000, 1), uw.bootstrap());
        // ... and lies where the exact bootstrap distribution (all 4^4 resamples enumerated) puts its 2.5 % and 97.5 % points
        double[] exact = exactResampleMeans(new double[]{1, -4, 1, -3});
        assertTrue(uw.bootstrap().low() >= exact[(int) (0.015 * 256)] && uw.bootstrap().low() <= exact[(int) (0.035 * 256)], uw.bootstrap().toString());
        assertTrue(uw.bootstrap().high() >= exact[(int) (0.965 * 256)] && uw.bootstrap().high() <= exact[(int) (0.985 * 256)], uw.bootstrap().toString());
        // another seed or number of resamples is stated and used
        PairedDifference other = s.difference("uw", "ew", 2_000, 7);
        assertEquals(2_000, other.resamples());
        assertEquals(7, other.bootstrapSeed());
        assertEquals(recomputed(new double[]{1, -4, 1, -3}, 2_000, 7), other.bootstrap());
    }

    /** The bootstrap written out plainly: B means of n draws with replacement from one Random, sorted, quantiles by linear interpolation. */
    private static ConfidenceInterval recomputed(double[] d, int resamples, long seed) {
        Random random = new Random(seed);
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double total = 0;
            for (int draw = 0; draw < d.length; draw++) {
                int pick = random.nextInt(d.length);
                total = total + d[pick];
            }
            means[b] = total / d.length;
        }
        Arrays.sort(means);
        double lowPosition = 0.025 * (resamples - 1), highPosition = 0.975 * (resamples - 1);
        int lo = (int) lowPosition, hi = (int) highPosition;
        double low = means[lo] + (lowPosition - lo) * (means[lo + 1] - means[lo]);
        double high = means[hi] + (highPosition - hi) * (means[hi + 1] - means[hi]);
        return new ConfidenceInterval(0.95, low, high);
    }

    private static double[] exactResampleMeans(double[] d) {
        double[] means = new double[256];
        int i = 0;
        for (double a : d) for (double b : d) for (double c : d) for (double e : d) means[i++] = (a + b + c + e) / 4;
        Arrays.sort(means);
        return means;
    }

    @Test
    void winsAndTies() {
        // seed 1: rep and uw share -3 (tie); seed 2: ew and rep share -2 (tie); seed 3: rep -1 alone; seed 4: ew -1 alone
        Map<String, SeedWins> wins = table().wins();
        assertEquals(new SeedWins(1, 1), wins.get("ew"));
        assertEquals(new SeedWins(1, 2), wins.get("rep"));
        assertEquals(new SeedWins(0, 1), wins.get("uw"));
        assertEquals(java.util.List.of("ew", "rep", "uw"), java.util.List.copyOf(wins.keySet()));
    }

    @Test
    void seedOrderOfTheInputDoesNotMatter() {
        Map<String, Map<Long, Double>> t = new LinkedHashMap<>();
        t.put("ew", new LinkedHashMap<>(Map.of(4L, -1.0, 3L, -3.0, 2L, -2.0, 1L, -4.0)));
        t.put("rep", new LinkedHashMap<>(Map.of(2L, -2.0, 4L, -2.0, 1L, -3.0, 3L, -1.0)));
        SeedStatistics s = SeedStatistics.of("Delta-p", t);
        assertEquals(table().difference("rep", "ew"), s.difference("rep", "ew"));
    }

    @Test
    void badInputIsRejectedClearly() {
        Map<String, Map<Long, Double>> one = new LinkedHashMap<>();
        one.put("ew", seeds(-4));
        one.put("rep", seeds(-3));
        SeedStatistics single = SeedStatistics.of("Delta-p", one);
        assertTrue(Double.isNaN(single.summary("ew").sd()), "a single seed has no sample standard deviation");
        IllegalArgumentException fewer = assertThrows(IllegalArgumentException.class, () -> single.difference("rep", "ew"));
        assertTrue(fewer.getMessage().contains("needs at least 2 seeds, got 1"), fewer.getMessage());

        Map<String, Map<Long, Double>> unequal = new LinkedHashMap<>();
        unequal.put("ew", seeds(-4, -2, -3));
        unequal.put("rep", Map.of(1L, -3.0, 2L, -2.0, 5L, -1.0));
        IllegalArgumentException seeds = assertThrows(IllegalArgumentException.class, () -> SeedStatistics.of("Delta-p", unequal));
        assertTrue(seeds.getMessage().contains("method 'rep' has seeds [1, 2, 5] but 'ew' has [1, 2, 3]"), seeds.getMessage());

        Map<String, Map<Long, Double>> nan = new LinkedHashMap<>();
        nan.put("ew", seeds(-4, Double.NaN));
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class, () -> SeedStatistics.of("Delta-p", nan));
        assertTrue(notANumber.getMessage().contains("method 'ew' seed 2 has no finite value (NaN)"), notANumber.getMessage());

        IllegalArgumentException reference = assertThrows(IllegalArgumentException.class, () -> table().difference("rep", "stl"));
        assertTrue(reference.getMessage().contains("unknown reference 'stl'; methods: [ew, rep, uw]"), reference.getMessage());
        IllegalArgumentException method = assertThrows(IllegalArgumentException.class, () -> table().summary("pcgrad"));
        assertTrue(method.getMessage().contains("unknown method 'pcgrad'"), method.getMessage());
        assertThrows(IllegalArgumentException.class, () -> table().difference("rep", "ew", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> SeedStatistics.of("Delta-p", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SeedStatistics.of("Delta-p", Map.of("ew", Map.of())));
    }
}
