package io.github.repmtl.datavec.npy;

/**
 * Conversion between IEEE 754 half precision (numpy {@code f2}) bit patterns and {@code float}
 * (Java 17 has no {@code Float.float16ToFloat}).
 */
final class HalfFloat {
    private HalfFloat() {
    }

    /** The float value of a half-precision bit pattern; exact for every input, including NaN and infinities. */
    static float toFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The half-precision bit pattern nearest to a float (round half to even, overflow to infinity). */
    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        if (magnitude >= 0x7f800000) {
            boolean nan = magnitude > 0x7f800000;
            return (short) (sign | 0x7c00 | (nan ? 0x200 | ((magnitude >>> 13) & 0x3ff) : 0));
        }
        if (magnitude >= 0x477ff000) {
            return (short) (sign | 0x7c00);
        }
        if (magnitude < 0x38800000) {
            if (magnitude <= 0x33000000) {
                return (short) sign;
            }
            int exponent = magnitude >>> 23;
            int mantissa = (magnitude & 0x7fffff) | 0x800000;
            int shift = 126 - exponent;
            int result = mantissa >>> shift;
            int remainder = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (remainder > halfway || (remainder == halfway && (result & 1) != 0)) {
                result++;
            }
            return (short) (sign | result);
        }
        int result = (((magnitude >>> 23) - 112) << 10) | ((magnitude & 0x7fffff) >>> 13);
        int remainder = magnitude & 0x1fff;
        if (remainder > 0x1000 || (remainder == 0x1000 && (result & 1) != 0)) {
            result++;
        }
        return (short) (sign | result);
    }
}
