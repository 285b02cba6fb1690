package io.github.repmtl.datavec.iterator;

import java.util.SplittableRandom;

/**
 * Derives independent, reproducible random streams from a user seed and a few integers (split,
 * epoch, sample index), so that shuffling and augmentation do not depend on thread scheduling or on
 * the order in which samples happen to be loaded.
 */
public final class Seeds {
    private Seeds() {
    }

    /** A well-mixed 64-bit seed derived from a base seed and any number of discriminating values. */
    public static long derive(long seed, long... parts) {
        long state = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (long part : parts) {
            state = mix(state + 0x9E3779B97F4A7C15L + part);
        }
        return state;
    }

    /** A random generator for the stream identified by a base seed and discriminating values. */
    public static SplittableRandom random(long seed, long... parts) {
        return new SplittableRandom(derive(seed, parts));
    }

    /** A random permutation of {@code 0..n-1} (Fisher-Yates), reproducible from the generator's seed. */
    public static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
