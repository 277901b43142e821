package io.ringfold.parallel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact, order-independent summation of float gradients across shards and workers: each shard's
 * gradient is scaled by a power of two agreed by all workers and converted to int64; integer addition
 * is associative, so the allreduced sum has the same bits whatever the worker count, the reduction
 * algorithm or the order. The exponent leaves headroom for the sum of all shards:
 * {@code max|g| * 2^e < 2^(62 - ceil(log2 S))}, so about 62 - log2(S) bits of the largest value are
 * kept (float32 has 24). Conversion truncates toward zero (Java's cast), which drops only bits
 * below 2^-e.
 */
final class FixedPointGradient {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    private FixedPointGradient() {
    }

    /** The scale exponent for gradients whose largest magnitude is {@code maxAbs}, summed over {@code shards}. */
    static int exponent(double maxAbs, int shards) {
        if (!Double.isFinite(maxAbs)) {
            throw new IllegalStateException("gradient is not finite (max |g| = " + maxAbs + "): training diverged");
        }
        if (!(maxAbs > 0)) {
            return 0;
        }
        int headroom = 32 - Integer.numberOfLeadingZeros(shards - 1); // ceil(log2(shards))
        return 61 - Math.getExponent(maxAbs) - headroom;
    }

    /** Elements per tile of {@link #sum}: 16 KiB of int64 sums, which stay in the L1 cache while every shard adds in. */
    private static final int TILE = 2048;

    /**
     * {@code out[at + i - from] = sum over s < count of (long) (grads[s][i] * 2^e)} for i in [from, to);
     * each product is exact in double (a power-of-two scale) and the integer sum exact in any order.
     */
    static void sum(float[][] grads, int count, int from, int to, int e, long[] out, int at) {
        // Scalar on purpose: JDK 17's Vector API does not compile float/double-to-long lane conversions
        // to machine code here (measured 5-20 ns per element against 0.6 for this loop). Tiled, so that
        // the sums are read and written in cache while the shards stream through, not once per shard.
        double scale = Math.scalb(1.0, e);
        int shift = at - from;
        if (count == 0) {
            java.util.Arrays.fill(out, at, at + (to - from), 0L);
            return;
        }
        for (int t = from; t < to; t += TILE) {
            int end = Math.min(to, t + TILE);
            float[] g0 = grads[0];
            for (int i = t; i < end; i++) {
                out[shift + i] = (long) (g0[i] * scale);
            }
            for (int s = 1; s < count; s++) {
                float[] g = grads[s];
                for (int i = t; i < end; i++) {
                    out[shift + i] += (long) (g[i] * scale);
                }
            }
        }
    }

    /** {@code out[i] = (float) ((double) sum[at + i - from] * (2^-e / rows))} for i in [from, to): the mean gradient. */
    static void toMean(long[] sum, int at, int e, int rows, float[] out, int from, int to) {
        double scale = Math.scalb(1.0, -e) / rows;
        int shift = at - from;
        for (int i = from; i < to; i++) {
            out[i] = (float) ((double) sum[shift + i] * scale);
        }
    }

    /** Largest magnitude; MAX is order-independent, so lanes give the scalar loop's answer. NaN propagates. */
    static float maxAbs(float[] g) {
        int n = g.length;
        int i = 0;
        int upper = F.loopBound(n);
        FloatVector m = FloatVector.zero(F);
        for (; i < upper; i += F.length()) {
            m = m.max(FloatVector.fromArray(F, g, i).abs());
        }
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            r = Math.max(r, Math.abs(g[i]));
        }
        return r;
    }
}
