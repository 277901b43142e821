package io.ringfold.collective.secagg;

import io.ringfold.collective.FixedPointScale;

/**
 * Float updates as the int64 values secure aggregation sums, in the encoding of the exact data-parallel
 * trainer (the parallel module's FixedPointGradient, whose exponent rule, {@link FixedPointScale}, this shares):
 * each value scaled by 2^exponent, exactly in double, and truncated toward zero
 * to int64 ({@code (long) (x * 2^e)}); the sum back as {@code (float) ((double) sum * 2^-e)}. Integer
 * addition is exact in any order, so the decoded securely aggregated sum has the same bits as the decoded
 * plain sum of the same longs.
 *
 * <p>Unlike the trainer, whose workers agree on the exponent from the gradients' largest magnitude, clients
 * of a federated round cannot see each other's updates: the exponent comes from a bound every client
 * knows in advance (the clipping norm of {@link ClientUpdatePrivacy#clip}, say, which bounds every element),
 * and an element beyond what the sum of {@code clients} can hold is refused rather than wrapped.
 *
 * @param exponent the power of two each value is scaled by
 * @param clients  the most inputs summed; with the exponent it bounds each scaled value
 */
public record FixedPointEncoding(int exponent, int clients) {

    public FixedPointEncoding {
        if (clients < 1) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
        }
        if (exponent < -1000 || exponent > 1000) {
            throw new IllegalArgumentException("exponent: " + exponent + " (expected: -1000..1000)");
        }
    }

    /**
     * The encoding for values of magnitude at most {@code maxAbs}, summed over at most {@code clients}: the
     * trainer's exponent, keeping each scaled value below 2^51 and the sum below 2^62.
     */
    public static FixedPointEncoding forBound(double maxAbs, int clients) {
        if (!(maxAbs > 0) || !Double.isFinite(maxAbs)) {
            throw new IllegalArgumentException("maxAbs: " + maxAbs + " (expected: finite and > 0)");
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
        }
        return new FixedPointEncoding(FixedPointScale.exponent(Math.getExponent(maxAbs), clients), clients);
    }

    /** The largest scaled magnitude one value may have: 2^min(51, 62 - ceil(log2 clients)). */
    public double limit() {
        return Math.scalb(1.0, FixedPointScale.limitBits(clients));
    }

    /** {@code (long) (values[i] * 2^exponent)}; a NaN, infinite or too large value is refused, naming its index. */
    public long[] encode(float[] values) {
        double scale = Math.scalb(1.0, exponent);
        double limit = limit();
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i] * scale;
            if (!(Math.abs(v) < limit)) {
                throw refused(values, i, limit);
            }
            out[i] = (long) v;
        }
        return out;
    }

    /** {@code (float) ((double) sums[i] * 2^-exponent)}: the sum of the encoded values. */
    public float[] decode(long[] sums) {
        double scale = Math.scalb(1.0, -exponent);
        float[] out = new float[sums.length];
        for (int i = 0; i < sums.length; i++) {
            out[i] = (float) ((double) sums[i] * scale);
        }
        return out;
    }

    // Out of encode's loop, so that it stays small enough to inline.
    private IllegalArgumentException refused(float[] values, int i, double limit) {
        return new IllegalArgumentException("update[" + i + "]: " + values[i] + " (expected: finite, |value| < "
                + Math.scalb(limit, -exponent) + " for " + clients + " clients at exponent " + exponent + ")");
    }
}
