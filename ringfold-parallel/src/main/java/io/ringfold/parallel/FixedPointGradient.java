package io.ringfold.parallel;

import io.ringfold.collective.FixedPointScale;
import io.ringfold.tensor.FixedPointSum;

/**
 * Exact, order-independent summation of float gradients across shards and workers: each shard's
 * gradient is scaled by a power of two agreed by all workers and converted to int64; integer addition
 * is associative, so the allreduced sum has the same bits whatever the worker count, the reduction
 * algorithm or the order. The exponent keeps every scaled value below 2^51, the bound of the native
 * kernel ({@link FixedPointSum#LIMIT}), and the sum of all S shards below 2^62: 51 bits of the largest
 * value are kept (float32 has 24). Conversion truncates toward zero (Java's cast), which drops only
 * bits below 2^-e.
 */
final class FixedPointGradient {

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
        // |g| < 2^(getExponent + 1), so |g * 2^e| < 2^min(51, 62 - ceil(log2 shards)): below FixedPointSum.LIMIT,
        // and the sum of the shards below 2^62.
        return FixedPointScale.exponent(Math.getExponent(maxAbs), shards);
    }

    /**
     * {@code out[at + i - from] = sum over s < count of (long) (grads[s][i] * 2^e)} for i in [from, to);
     * each product is exact in double (a power-of-two scale) and the integer sum exact in any order. The
     * exponent must come from {@link #exponent} for a bound on every |grads[s][i]|.
     */
    static void sum(float[][] grads, int count, int from, int to, int e, long[] out, int at) {
        FixedPointSum.sum(grads, count, from, to, Math.scalb(1.0, e), out, at);
    }

    /** {@link #sum} into a shared-memory buffer (a peer reads it there). */
    static void sum(float[][] grads, int count, int from, int to, int e, java.nio.LongBuffer out, int index,
                    boolean streaming) {
        FixedPointSum.sum(grads, count, from, to, Math.scalb(1.0, e), out, index, streaming);
    }

    /** {@link #sum} plus a peer's contribution read where it lies in shared memory. */
    static void sumPlus(float[][] grads, int count, int from, int to, int e, long[] out, int at,
                        java.nio.LongBuffer addend, int index) {
        FixedPointSum.sumPlus(grads, count, from, to, Math.scalb(1.0, e), out, at, addend, index);
    }

    /** {@code out[i] = (float) ((double) sum[at + i - from] * (2^-e / rows))} for i in [from, to): the mean gradient. */
    static void toMean(long[] sum, int at, int e, int rows, float[] out, int from, int to) {
        FixedPointSum.scale(sum, at, Math.scalb(1.0, -e) / rows, out, from, to);
    }
}
