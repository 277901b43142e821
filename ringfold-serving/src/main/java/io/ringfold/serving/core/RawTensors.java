package io.ringfold.serving.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The binary form of tensor data that KServe's gRPC {@code raw_input_contents} and Triton's HTTP binary tensor
 * extension share: elements row-major and little-endian, BOOL one byte, FP16 and BF16 two bytes, a BYTES
 * element a 4-byte little-endian length then that many bytes. Sizes are checked against the element count
 * the shape gives before any array is allocated.
 */
public final class RawTensors {

    private RawTensors() {
    }

    /** The byte length of {@code count} elements of a fixed-size datatype; -1 for BYTES. */
    public static long byteLength(DataType datatype, long count) {
        return datatype == DataType.BYTES ? -1 : count * datatype.byteSize();
    }

    /**
     * The {@code count} elements in {@code raw} (from its position to its limit), as the array
     * {@link DataType#storage()} names.
     *
     * @param where names the tensor in messages
     */
    public static Object decode(String where, DataType datatype, int count, ByteBuffer raw) {
        ByteBuffer b = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (datatype == DataType.BYTES) {
            return strings(where, count, b);
        }
        long expected = byteLength(datatype, count);
        if (b.remaining() != expected) {
            throw new BadInputException(where + ": " + b.remaining() + " bytes of raw data (expected: " + expected
                    + ", " + count + " elements of " + datatype.byteSize() + " bytes for datatype " + datatype + ")");
        }
        switch (datatype) {
            case BOOL -> {
                boolean[] a = new boolean[count];
                for (int i = 0; i < count; i++) {
                    byte v = b.get();
                    if (v != 0 && v != 1) {
                        throw new BadInputException(where + ": element " + i + " is byte " + v
                                + " (expected: 0 or 1 for datatype BOOL)");
                    }
                    a[i] = v == 1;
                }
                return a;
            }
            case INT8, UINT8, INT16, UINT16, INT32 -> {
                int[] a = new int[count];
                for (int i = 0; i < count; i++) {
                    a[i] = switch (datatype) {
                        case INT8 -> b.get();
                        case UINT8 -> Byte.toUnsignedInt(b.get());
                        case INT16 -> b.getShort();
                        case UINT16 -> Short.toUnsignedInt(b.getShort());
                        default -> b.getInt();
                    };
                }
                return a;
            }
            case UINT32 -> {
                long[] a = new long[count];
                for (int i = 0; i < count; i++) {
                    a[i] = Integer.toUnsignedLong(b.getInt());
                }
                return a;
            }
            case INT64, UINT64 -> {
                long[] a = new long[count];
                b.asLongBuffer().get(a);
                return a;
            }
            case FP32 -> {
                float[] a = new float[count];
                b.asFloatBuffer().get(a);
                return a;
            }
            case FP64 -> {
                double[] a = new double[count];
                b.asDoubleBuffer().get(a);
                return a;
            }
            case FP16, BF16 -> {
                float[] a = new float[count];
                for (int i = 0; i < count; i++) {
                    short h = b.getShort();
                    a[i] = datatype == DataType.BF16 ? Float.intBitsToFloat((h & 0xffff) << 16) : halfToFloat(h);
                }
                return a;
            }
            default -> throw new IllegalStateException(datatype.name());
        }
    }

    private static byte[][] strings(String where, int count, ByteBuffer b) {
        // Each element takes at least its 4-byte length: a count the bytes cannot hold is refused before allocating.
        if ((long) count * 4 > b.remaining()) {
            throw new BadInputException(where + ": " + b.remaining() + " bytes of raw data (expected: at least "
                    + (long) count * 4 + " for " + count + " BYTES elements)");
        }
        byte[][] a = new byte[count][];
        for (int i = 0; i < count; i++) {
            int len = b.remaining() >= 4 ? b.getInt() : -1;
            if (len < 0 || len > b.remaining()) {
                throw new BadInputException(where + ": raw BYTES element " + i
                        + " is cut off (expected: a 4-byte little-endian length, then that many bytes)");
            }
            a[i] = new byte[len];
            b.get(a[i]);
        }
        if (b.hasRemaining()) {
            throw new BadInputException(where + ": " + b.remaining() + " bytes after the " + count
                    + " BYTES elements its shape holds (expected: none)");
        }
        return a;
    }

    /** The tensor's elements in the raw form. */
    public static byte[] encode(Tensor t) {
        int n = t.elementCount();
        if (t.datatype() == DataType.BYTES) {
            long size = 0;
            for (byte[] s : t.bytes()) {
                size += 4 + s.length;
            }
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
            for (byte[] s : t.bytes()) {
                b.putInt(s.length).put(s);
            }
            return b.array();
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(byteLength(t.datatype(), n))).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.datatype()) {
            case BOOL -> {
                for (boolean v : t.bools()) {
                    b.put((byte) (v ? 1 : 0));
                }
            }
            case INT8, UINT8 -> {
                for (int v : t.ints()) {
                    b.put((byte) v);
                }
            }
            case INT16, UINT16 -> {
                for (int v : t.ints()) {
                    b.putShort((short) v);
                }
            }
            case INT32 -> b.asIntBuffer().put(t.ints());
            case UINT32 -> {
                for (long v : t.longs()) {
                    b.putInt((int) v);
                }
            }
            case INT64, UINT64 -> b.asLongBuffer().put(t.longs());
            case FP32 -> b.asFloatBuffer().put(t.floats());
            case FP64 -> b.asDoubleBuffer().put(t.doubles());
            case FP16 -> {
                for (float v : t.floats()) {
                    b.putShort(floatToHalf(v));
                }
            }
            case BF16 -> {
                for (float v : t.floats()) {
                    b.putShort((short) (Float.floatToIntBits(v) >>> 16));
                }
            }
            default -> throw new IllegalStateException(t.datatype().name());
        }
        return b.array();
    }

    /** IEEE 754 binary16 to float (exact: every half is a float). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Float to IEEE 754 binary16, rounded to nearest even. */
    static short floatToHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return (short) (sign | 0x7e00);
        }
        float a = Math.abs(f);
        if (a >= 65520f) {
            return (short) (sign | 0x7c00);
        }
        if (a < 0x1p-14f) {
            // Subnormal: a multiple of 2^-24, rounded to nearest even by Math.rint.
            return (short) (sign | (int) Math.rint(a * 0x1p24f));
        }
        int exp = ((bits >>> 23) & 0xff) - 112;
        int mant = bits & 0x7fffff;
        int half = (exp << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || rest == 0x1000 && (half & 1) == 1) {
            half++;
        }
        return (short) (sign | half);
    }
}
