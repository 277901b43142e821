package io.ringfold.random;

/**
 * SplitMix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number generators", OOPSLA 2014),
 * written out here rather than taken from {@link java.util.SplittableRandom} so that the exact stream
 * is part of Ringfold's own contract: the same seed gives the same weights and shuffles on every JVM,
 * which the bit-identical-model guarantee depends on. Not thread-safe; one instance per purpose.
 */
public final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** A generator for a named sub-purpose of a seed (e.g. epoch e's shuffle), independent of the others. */
    public static SplitMix64 derive(long seed, long purpose, long index) {
        return new SplitMix64(mix(mix(seed ^ mix(purpose)) + index * GOLDEN_GAMMA));
    }

    /**
     * The first {@link #nextLong} of {@code derive(seed, purpose, index)}, without a generator: a counter-based
     * draw, for choices made per item (an example's inclusion in a batch, a parameter's noise) that must not
     * depend on which worker makes them or in what order.
     */
    public static long hash(long seed, long purpose, long index) {
        return mix(mix(mix(seed ^ mix(purpose)) + index * GOLDEN_GAMMA) + GOLDEN_GAMMA);
    }

    /**
     * Draw {@code index} (0-based) of the stream {@code new SplitMix64(state)}, without walking it: one mixing
     * of a counter, for many per-item draws from one {@link #hash}ed key.
     */
    public static long draw(long state, long index) {
        return mix(state + (index + 1) * GOLDEN_GAMMA);
    }

    /** {@code hash}'s value as a uniform double in [0, 1) with 53 random bits. */
    public static double unit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }

    public long nextLong() {
        return mix(state += GOLDEN_GAMMA);
    }

    /**
     * Moves the stream past {@code draws} values of {@link #nextLong} without computing them (each
     * {@link #nextDouble} takes one, each {@link #nextGaussian} two): a generator that skips n draws then
     * gives what the n+1-th call would have, so a part of a long stream is reproduced without the rest.
     */
    public void skip(long draws) {
        state += draws * GOLDEN_GAMMA;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Uniform in {@code [0, bound)}: 63 random bits modulo bound, redrawing the few values from the last,
     * incomplete block of {@code bound} so that no remainder is favoured.
     */
    public int nextInt(int bound) {
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

    /** Standard normal by Box-Muller (one of the pair is discarded to keep the stream stateless). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A permutation of {@code 0..n-1}: the identity put through {@link #shuffle}. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, n);
        return p;
    }

    /** Fisher-Yates shuffle of a[0..n): for i = n-1 down to 1, swap a[i] with a[nextInt(i + 1)]. */
    public void shuffle(int[] a, int n) {
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
