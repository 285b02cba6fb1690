package io.github.repmtl.samediff.metrics;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The exact sum: the correctly rounded sum of any doubles, whatever the order and the split into merged parts. */
class ExactSumTest {

    @Test
    void isTheCorrectlyRoundedExactSum() {
        Random r = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            List<Double> values = randomValues(r, 1 + r.nextInt(300), trial % 4);
            assertEquals(reference(values), sum(values), "trial " + trial);
        }
    }

    @Test
    void roundingTiesCancellationSubnormalsAndOverflow() {
        double ulpHalf = Math.scalb(1.0, -53);
        assertEquals(1.0, sum(List.of(1.0, ulpHalf)));                                     // a tie: to even
        assertEquals(Math.nextUp(Math.nextUp(1.0)), sum(List.of(Math.nextUp(1.0), ulpHalf)));   // a tie: to even (up)
        assertEquals(Math.nextUp(1.0), sum(List.of(1.0, ulpHalf, Math.scalb(1.0, -300)))); // just above the tie
        assertEquals(1.0, sum(List.of(1e308, 1.0, -1e308)));                              // the naive sum gives 0
        assertEquals(3 * Double.MIN_VALUE, sum(List.of(Double.MIN_VALUE, Double.MIN_VALUE, Double.MIN_VALUE)));
        assertEquals(Double.MIN_NORMAL, sum(List.of(Double.MIN_NORMAL - Double.MIN_VALUE, Double.MIN_VALUE)));
        assertEquals(Double.MAX_VALUE, sum(List.of(Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE)));
        assertEquals(Double.POSITIVE_INFINITY, sum(List.of(Double.MAX_VALUE, Double.MAX_VALUE)));
        assertEquals(Double.NEGATIVE_INFINITY, sum(List.of(-Double.MAX_VALUE, -Double.MAX_VALUE)));
        assertEquals(0.0, sum(List.of(-0.0, 0.0, 2.5, -2.5)));
        assertEquals(0.0, sum(List.of()));
        assertEquals(-7.25, sum(List.of(-7.25)));
        assertEquals(Double.POSITIVE_INFINITY, sum(List.of(1.0, Double.POSITIVE_INFINITY)));
        assertEquals(Double.NaN, sum(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)));
        assertEquals(Double.NaN, sum(List.of(1.0, Double.NaN)));
    }

    @Test
    void manyFullMantissaValuesCarryExactly() {
        double v = Math.scalb((double) ((1L << 53) - 1), -20);
        List<Double> values = new ArrayList<>(Collections.nCopies(200_000, v));
        values.addAll(Collections.nCopies(100_000, -Math.scalb(1.0, -30)));
        assertEquals(reference(values), sum(values));
    }

    @Test
    void orderSplitsMergesAndSerializationDoNotChangeTheValue() throws Exception {
        Random r = new Random(5);
        List<Double> values = randomValues(r, 1000, 1);
        double whole = sum(values);
        List<Double> shuffled = new ArrayList<>(values);
        Collections.shuffle(shuffled, r);
        assertEquals(whole, sum(shuffled));
        // the data is order-sensitive for a running double sum, which is what the exact sum avoids
        assertNotEquals(naive(values), naive(shuffled));

        ExactSum a = of(values.subList(0, 300)), b = of(values.subList(300, 301)), c = of(values.subList(301, 1000));
        ExactSum merged = new ExactSum();
        merged.merge(c);
        merged.merge(a);
        merged.merge(b);
        assertEquals(whole, merged.value());
        assertEquals(of(values.subList(301, 1000)).value(), c.value(), "merge leaves its argument unchanged");

        ExactSum copy = roundTrip(merged);
        assertEquals(whole, copy.value());
        copy.add(0.125);
        merged.add(0.125);
        assertEquals(merged.value(), copy.value());

        ExactSum twice = of(values);
        twice.merge(twice);
        List<Double> doubled = new ArrayList<>(values);
        doubled.addAll(values);
        assertEquals(sum(doubled), twice.value());

        twice.clear();
        assertEquals(0.0, twice.value());
    }

    /** Values of magnitudes over {@code 10^-6 .. 10^6} (kind 0), the whole double range (1), subnormals (2) or errors >= 0 (3). */
    private static List<Double> randomValues(Random r, int n, int kind) {
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double v = switch (kind) {
                case 0 -> Math.pow(10, 12 * r.nextDouble() - 6) * (r.nextBoolean() ? 1 : -1);
                case 1 -> Math.scalb(r.nextDouble(), r.nextInt(2040) - 1070) * (r.nextBoolean() ? 1 : -1);
                case 2 -> Math.scalb(r.nextDouble(), -1040 - r.nextInt(40)) * (r.nextBoolean() ? 1 : -1);
                default -> Math.abs(r.nextGaussian()) * 3;
            };
            values.add(v);
        }
        return values;
    }

    private static double reference(List<Double> values) {
        BigDecimal s = BigDecimal.ZERO;
        for (double v : values) s = s.add(new BigDecimal(v));
        return s.doubleValue();                                             // correctly rounded
    }

    private static double naive(List<Double> values) {
        double s = 0;
        for (double v : values) s += v;
        return s;
    }

    private static ExactSum of(List<Double> values) {
        ExactSum s = new ExactSum();
        for (double v : values) s.add(v);
        return s;
    }

    private static double sum(List<Double> values) { return of(values).value(); }

    private static ExactSum roundTrip(ExactSum s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (ExactSum) in.readObject();
        }
    }
}
