package io.ringfold.collective;

/**
 * The scale of Ringfold's exact sums: float values times 2^e, truncated to int64, which integer addition sums in
 * any order to the same bits. One rule for the exact trainer's gradients, the federated rounds' weighted deltas and
 * secure aggregation's encoding, so that all three keep every sum within what int64 and the native summation kernel
 * hold.
 */
public final class FixedPointScale {

    /** Every scaled value stays below 2^51, the bound of the native summation kernel (ringfold-tensor's FixedPointSum.LIMIT). */
    public static final int MAX_VALUE_BITS = 51;

    private FixedPointScale() {
    }

    /**
     * The exponent e for values with {@code |v| < 2^(valueExponent + 1)} summed over at most {@code summands}: every
     * {@code |v * 2^e|} is below 2^min(51, 62 - ceil(log2 summands)), so their sum stays below 2^62.
     */
    public static int exponent(int valueExponent, int summands) {
        return limitBits(summands) - 1 - valueExponent;
    }

    /** min(51, 62 - ceil(log2 summands)): every scaled value of a sum of {@code summands} stays below 2^this. */
    public static int limitBits(int summands) {
        return Math.min(MAX_VALUE_BITS, 62 - headroom(summands));
    }

    /** ceil(log2 summands): the bits a sum of that many values needs above the largest of them. */
    static int headroom(int summands) {
        if (summands < 1) {
            throw new IllegalArgumentException("summands: " + summands + " (expected: >= 1)");
        }
        return 32 - Integer.numberOfLeadingZeros(summands - 1);
    }
}
