package io.ringfold.parallel;

/**
 * Exact, order-independent summation of float gradients across shards and workers: each shard's
 * gradient is scaled by a power of two agreed by all workers and rounded to int64; integer addition is
 * associative, so the allreduced sum has the same bits whatever the worker count, the reduction
 * algorithm or the order. The exponent leaves headroom for the sum of all shards:
 * {@code max|g| * 2^e < 2^(62 - ceil(log2 S))}, so about 62 - log2(S) bits of the largest value are
 * kept (float32 has 24).
 */
final class FixedPointGradient {

    private FixedPointGradient() {
    }

    /** The scale exponent for gradients whose largest magnitude is {@code maxAbs}, summed over {@code shards}. */
    static int exponent(double maxAbs, int shards) {
        if (!(maxAbs > 0)) {
            return 0;
        }
        if (!Double.isFinite(maxAbs)) {
            throw new IllegalStateException("gradient is not finite (max |g| = " + maxAbs + "): training diverged");
        }
        int headroom = 32 - Integer.numberOfLeadingZeros(shards - 1); // ceil(log2(shards))
        return 61 - Math.getExponent(maxAbs) - headroom;
    }

    /** {@code acc[i] += round(g[i] * 2^e)}. */
    static void accumulate(float[] g, int e, long[] acc) {
        double scale = Math.scalb(1.0, e);
        for (int i = 0; i < g.length; i++) {
            acc[i] += Math.round(g[i] * scale);
        }
    }

    /** {@code out[i] = (float) (sum[i] * 2^-e / rows)}: the mean gradient. */
    static void toMean(long[] sum, int e, int rows, float[] out) {
        double scale = Math.scalb(1.0, -e) / rows;
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (sum[i] * scale);
        }
    }

    static float maxAbs(float[] g) {
        float m = 0f;
        for (float v : g) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
