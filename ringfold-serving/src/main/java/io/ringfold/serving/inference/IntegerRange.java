package io.ringfold.serving.inference;

import java.math.BigInteger;

/**
 * The values of an integer tensor datatype of the Open Inference Protocol ({@code INT8} .. {@code UINT64}): a
 * value outside its datatype's range is refused rather than passed on as a number the client could not have
 * sent in that type (300 as INT8, -3 as UINT8).
 */
public final class IntegerRange {

    private static final IntegerRange INT8 = signed(8);
    private static final IntegerRange INT16 = signed(16);
    private static final IntegerRange INT32 = signed(32);
    private static final IntegerRange INT64 = signed(64);
    private static final IntegerRange UINT8 = unsigned(8);
    private static final IntegerRange UINT16 = unsigned(16);
    private static final IntegerRange UINT32 = unsigned(32);
    private static final IntegerRange UINT64 = unsigned(64);

    private final BigInteger min;
    private final BigInteger max;
    // The bounds as longs, for the common check; UINT64's top, above every long, is Long.MAX_VALUE here.
    private final long minLong;
    private final long maxLong;

    private IntegerRange(BigInteger min, BigInteger max) {
        this.min = min;
        this.max = max;
        this.minLong = min.longValue();
        this.maxLong = max.bitLength() > 63 ? Long.MAX_VALUE : max.longValue();
    }

    /** The range of {@code datatype}, one of INT8..64 and UINT8..64. */
    public static IntegerRange of(String datatype) {
        return switch (datatype) {
            case "INT8" -> INT8;
            case "INT16" -> INT16;
            case "INT32" -> INT32;
            case "INT64" -> INT64;
            case "UINT8" -> UINT8;
            case "UINT16" -> UINT16;
            case "UINT32" -> UINT32;
            case "UINT64" -> UINT64;
            default -> throw new IllegalArgumentException("datatype: " + datatype + " (expected: INT8..64 or UINT8..64)");
        };
    }

    public boolean contains(long v) {
        return v >= minLong && v <= maxLong;
    }

    public boolean contains(BigInteger v) {
        return min.compareTo(v) <= 0 && v.compareTo(max) <= 0;
    }

    /** "from MIN to MAX", for messages. */
    @Override
    public String toString() {
        return "from " + min + " to " + max;
    }

    private static IntegerRange signed(int bits) {
        BigInteger half = BigInteger.ONE.shiftLeft(bits - 1);
        return new IntegerRange(half.negate(), half.subtract(BigInteger.ONE));
    }

    private static IntegerRange unsigned(int bits) {
        return new IntegerRange(BigInteger.ZERO, BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
    }
}
