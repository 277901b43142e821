package io.ringfold.serving.core;

import java.math.BigInteger;

/**
 * The tensor datatypes of the Open Inference Protocol (the names KServe and Triton use), each with the Java
 * array that holds its values in a {@link Tensor}: {@code boolean[]} for BOOL, {@code int[]} for the integers
 * that fit one (INT8, INT16, INT32, UINT8, UINT16), {@code long[]} for INT64, UINT32 and UINT64 (UINT64 as
 * the long with the same 64 bits), {@code float[]} for FP16, BF16 and FP32, {@code double[]} for FP64 and
 * {@code byte[][]} for BYTES.
 */
public enum DataType {
    BOOL(1, boolean[].class),
    UINT8(1, int[].class),
    UINT16(2, int[].class),
    UINT32(4, long[].class),
    UINT64(8, long[].class),
    INT8(1, int[].class),
    INT16(2, int[].class),
    INT32(4, int[].class),
    INT64(8, long[].class),
    FP16(2, float[].class),
    BF16(2, float[].class),
    FP32(4, float[].class),
    FP64(8, double[].class),
    BYTES(-1, byte[][].class);

    private final int size;
    private final Class<?> storage;

    DataType(int size, Class<?> storage) {
        this.size = size;
        this.storage = storage;
    }

    /** The datatype named {@code name} exactly (as the protocol spells it), or null. */
    public static DataType parse(String name) {
        if (name == null) {
            return null;
        }
        for (DataType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * The name TensorFlow's {@code DataType} enum gives this datatype ({@code DT_FLOAT}), as TensorFlow Serving's
     * metadata and tensors write it.
     */
    public String tensorflowName() {
        return switch (this) {
            case BOOL -> "DT_BOOL";
            case UINT8 -> "DT_UINT8";
            case UINT16 -> "DT_UINT16";
            case UINT32 -> "DT_UINT32";
            case UINT64 -> "DT_UINT64";
            case INT8 -> "DT_INT8";
            case INT16 -> "DT_INT16";
            case INT32 -> "DT_INT32";
            case INT64 -> "DT_INT64";
            case FP16 -> "DT_HALF";
            case BF16 -> "DT_BFLOAT16";
            case FP32 -> "DT_FLOAT";
            case FP64 -> "DT_DOUBLE";
            case BYTES -> "DT_STRING";
        };
    }

    /** Bytes per element in the protocols' binary forms; -1 for BYTES, whose elements are length-prefixed. */
    public int byteSize() {
        return size;
    }

    /** The Java array type that holds this datatype's values in a {@link Tensor}. */
    public Class<?> storage() {
        return storage;
    }

    public boolean isIntegral() {
        return name().startsWith("INT") || name().startsWith("UINT");
    }

    public boolean isFloating() {
        return this == FP16 || this == BF16 || this == FP32 || this == FP64;
    }

    public boolean isNumeric() {
        return isIntegral() || isFloating();
    }

    /** The smallest value of an integer datatype. */
    public BigInteger min() {
        requireIntegral();
        return name().startsWith("U") ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits() - 1).negate();
    }

    /** The largest value of an integer datatype. */
    public BigInteger max() {
        requireIntegral();
        return name().startsWith("U") ? BigInteger.ONE.shiftLeft(bits()).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(bits() - 1).subtract(BigInteger.ONE);
    }

    /** Whether the integer {@code v} is a value of this integer datatype. */
    public boolean contains(long v) {
        requireIntegral();
        return switch (this) {
            case INT64 -> true;
            case UINT64 -> v >= 0;
            default -> v >= min().longValue() && v <= max().longValue();
        };
    }

    /** Whether the integer {@code v} is a value of this integer datatype. */
    public boolean contains(BigInteger v) {
        return min().compareTo(v) <= 0 && v.compareTo(max()) <= 0;
    }

    private int bits() {
        return size * 8;
    }

    private void requireIntegral() {
        if (!isIntegral()) {
            throw new IllegalArgumentException(this + ": not an integer datatype");
        }
    }
}
