package io.ringfold.federated.exact;

import io.ringfold.collective.FixedPointScale;
import io.ringfold.tensor.FixedPointSum;

/**
 * The round's aggregate as an exact int64 sum: each client's delta, times its examples, scaled by {@code 2^e} and
 * truncated to int64 ({@link FixedPointSum}, the kernel of the exact AllReduce). Integer addition is associative,
 * so the new global parameters do not depend on the order in which updates arrive; and it is the sum secure
 * aggregation computes under masks (a client computes its own {@link #contribution}), so the result is the same
 * bits with and without it.
 *
 * <p>Every delta must be below {@link #MAX_DELTA} in magnitude (a larger one means the client diverged), which
 * with the clients' example counts bounds every scaled value below 2^51 and the sum of the round's clients below
 * 2^62 (see {@link #exponent}).
 */
public final class ExactSum {

    /** A delta this large in one round means local training diverged; the update is refused. */
    public static final float MAX_DELTA = 256f;

    private ExactSum() {
    }

    /**
     * The scale exponent for a round of {@code clients} clients, none with more than {@code maxExamples} examples:
     * each {@code |delta * examples| < 2^(8 + bits(maxExamples))}, one more bit for the float product's rounding.
     */
    public static int exponent(long maxExamples, int clients) {
        if (maxExamples <= 0 || clients <= 0) {
            throw new IllegalArgumentException("maxExamples: " + maxExamples + ", clients: " + clients
                    + " (expected: both > 0)");
        }
        // |delta * examples| < 2^(8 + bits(maxExamples)), 2^(9 + bits) after the float product's rounding; a value
        // exponent one above that keeps a spare bit.
        int valueExponent = 9 + (64 - Long.numberOfLeadingZeros(maxExamples));
        return FixedPointScale.exponent(valueExponent, clients);
    }

    /**
     * Why {@code delta} cannot be aggregated (not finite, or at least {@link #MAX_DELTA} in magnitude), or null
     * when it can.
     */
    public static String refusal(float[] delta) {
        for (int i = 0; i < delta.length; i++) {
            float d = delta[i];
            if (!(Math.abs(d) < MAX_DELTA)) {
                return (Float.isFinite(d) ? "|delta| = " + Math.abs(d) : "delta " + d) + " at parameter " + i
                        + " (expected: finite and below " + MAX_DELTA + "; local training diverged)";
            }
        }
        return null;
    }

    /** {@code (long) ((float) (delta[i] * examples) * 2^e)}: one client's share of the sum. */
    public static long[] contribution(float[] delta, long examples, int e) {
        float w = examples;
        float[] weighted = new float[delta.length];
        for (int i = 0; i < delta.length; i++) {
            weighted[i] = delta[i] * w;
        }
        long[] out = new long[delta.length];
        FixedPointSum.sum(new float[][] {weighted}, 1, 0, delta.length, Math.scalb(1.0, e), out, 0);
        return out;
    }

    /** {@code into[i] += add[i]}, wrapping: masked sums are taken modulo 2^64, and the true sum fits in 63 bits. */
    public static void add(long[] into, long[] add) {
        if (into.length != add.length) {
            throw new IllegalArgumentException("sum: " + add.length + " values (expected: " + into.length + ")");
        }
        for (int i = 0; i < into.length; i++) {
            into[i] += add[i];
        }
    }

    /** {@code global[i] += (float) (sum[i] * 2^-e / examples)}: the weighted mean delta applied. */
    public static void apply(float[] global, long[] sum, long examples, int e) {
        float[] mean = new float[global.length];
        FixedPointSum.scale(sum, 0, Math.scalb(1.0, -e) / examples, mean, 0, global.length);
        for (int i = 0; i < global.length; i++) {
            global[i] += mean[i];
        }
    }
}
