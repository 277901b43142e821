package io.ringfold.data;

/**
 * The SplitMix64 generator (Steele, Lea, Flood: "Fast splittable pseudorandom number generators",
 * OOPSLA 2014), written out here so that a split made with a seed is the same on every JDK: the
 * algorithm behind {@code java.util} generators is not part of their contract.
 */
final class SplitMix64 {

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Uniform in {@code [0, bound)}: 63 random bits modulo bound, redrawing the few values from the last,
     * incomplete block of {@code bound} so that no remainder is favoured.
     */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound: " + bound + " (expected: > 0)");
        }
        long bits;
        long value;
        do {
            bits = nextLong() >>> 1;
            value = bits % bound;
        } while (bits - value + (bound - 1) < 0);
        return (int) value;
    }

    /**
     * A permutation of {@code 0..n-1}: Fisher-Yates from the top, for i = n-1 down to 1 swap i with
     * {@code nextInt(i + 1)}.
     */
    int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
