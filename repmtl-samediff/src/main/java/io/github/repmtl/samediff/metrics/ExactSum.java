package io.github.repmtl.samediff.metrics;

import java.io.Serializable;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * The exact sum of {@code double}s, rounded once when read: every finite double is an integer multiple of
 * {@code 2^-1074}, so the sum is kept as a fixed-point integer in units of {@code 2^-1074} (70 signed 32-bit digits
 * held in {@code long}s, whose spare high bits absorb carries until a periodic normalisation). The sum therefore does
 * not depend on the order of the additions, nor on how they are split between instances that are {@link #merge}d
 * later: two instances that have added the same multiset of values return the same {@link #value()}, bit for bit.
 * That value is the exact sum rounded to the nearest double (ties to even), so it is also at least as accurate as
 * a running {@code double} sum.
 *
 * <p>Non-finite values follow IEEE arithmetic: an infinity makes the sum that infinity, opposite infinities or a
 * NaN make it NaN. A finite sum beyond {@link Double#MAX_VALUE} reads as an infinity.
 *
 * <p>Cost: a few integer operations per addition and 560 bytes per instance.
 */
final class ExactSum implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Digits of 32 bits: positions 0 .. 2^11 + 84 for any double's mantissa, plus room for 2^63 additions. */
    private static final int DIGITS = 70;
    private static final long DIGIT_MASK = 0xFFFF_FFFFL;
    /** Additions between normalisations: each touches a digit by less than 2^32, a long digit holds 2^31 of them. */
    private static final int NORMALIZE_EVERY = 1 << 30;

    private final long[] digits = new long[DIGITS];
    private int pending;
    private boolean positiveInfinity;
    private boolean negativeInfinity;
    private boolean nan;

    /** Adds {@code value} exactly. */
    void add(double value) {
        long bits = Double.doubleToRawLongBits(value);
        int exponent = (int) (bits >>> 52) & 0x7FF;
        long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exponent == 0x7FF) {
            if (mantissa != 0) nan = true;
            else if (bits < 0) negativeInfinity = true;
            else positiveInfinity = true;
            return;
        }
        if (exponent == 0) {
            if (mantissa == 0) return;                                     // +0 and -0
            exponent = 1;                                                  // subnormal: mantissa * 2^-1074
        } else {
            mantissa |= 1L << 52;
        }
        int shift = exponent - 1;                                          // value = mantissa * 2^(shift - 1074)
        int digit = shift >>> 5;
        int offset = shift & 31;
        long low = (mantissa << offset) & DIGIT_MASK;
        long middle = (mantissa >>> (32 - offset)) & DIGIT_MASK;
        long high = offset == 0 ? 0 : mantissa >>> (64 - offset);
        if (bits < 0) {
            digits[digit] -= low;
            digits[digit + 1] -= middle;
            digits[digit + 2] -= high;
        } else {
            digits[digit] += low;
            digits[digit + 1] += middle;
            digits[digit + 2] += high;
        }
        if (++pending == NORMALIZE_EVERY) normalize();
    }

    /** Adds everything {@code other} has added (also when {@code other} is this instance: the sum doubles). */
    void merge(ExactSum other) {
        normalize();                                                       // digits in [0, 2^32): room for other's
        for (int i = 0; i < DIGITS; i++) digits[i] += other.digits[i];
        normalize();
        positiveInfinity |= other.positiveInfinity;
        negativeInfinity |= other.negativeInfinity;
        nan |= other.nan;
    }

    /** Forgets every addition. */
    void clear() {
        Arrays.fill(digits, 0L);
        pending = 0;
        positiveInfinity = false;
        negativeInfinity = false;
        nan = false;
    }

    /** The sum, correctly rounded to the nearest double (ties to even). */
    double value() {
        if (nan || (positiveInfinity && negativeInfinity)) return Double.NaN;
        if (positiveInfinity) return Double.POSITIVE_INFINITY;
        if (negativeInfinity) return Double.NEGATIVE_INFINITY;
        normalize();
        BigInteger units = BigInteger.valueOf(digits[DIGITS - 1]);       // the top digit carries the sign
        for (int i = DIGITS - 2; i >= 0; i--) units = units.shiftLeft(32).add(BigInteger.valueOf(digits[i]));
        int signum = units.signum();
        if (signum == 0) return 0.0;
        BigInteger magnitude = units.abs();
        int length = magnitude.bitLength();
        double rounded;
        int scale;
        if (length <= 55) {
            // at most 53 bits: exact (a subnormal or normal double); 54 or 55 bits: rounded once, and the result is normal
            rounded = (double) magnitude.longValue();
            scale = -1074;
        } else {
            // keep 55 bits, the lowest one also set when any dropped bit is: the conversion to 53 bits then rounds
            // to nearest-even exactly as the full value would (guard bit, and round-or-sticky bit)
            int dropped = length - 55;
            long top = magnitude.shiftRight(dropped).longValue();
            if (magnitude.getLowestSetBit() < dropped) top |= 1;
            rounded = (double) top;
            scale = dropped - 1074;
        }
        double value = Math.scalb(rounded, scale);                         // exact: the result is normal or was exact
        return signum < 0 ? -value : value;
    }

    /** Moves each digit's carries into the next one, leaving digits 0 .. DIGITS-2 in [0, 2^32). */
    private void normalize() {
        long carry = 0;
        for (int i = 0; i < DIGITS - 1; i++) {
            long d = digits[i] + carry;
            carry = d >> 32;                                               // arithmetic shift: negative digits borrow
            digits[i] = d & DIGIT_MASK;
        }
        digits[DIGITS - 1] += carry;
        pending = 0;
    }
}
