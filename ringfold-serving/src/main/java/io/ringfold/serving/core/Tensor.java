package io.ringfold.serving.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A named tensor of any datatype the protocols define, its values row-major in the Java array that
 * {@link DataType#storage()} names. Every front end (JSON over HTTP, Triton's binary extension, gRPC typed and
 * raw contents, TensorFlow Serving's tensors) decodes into this type and encodes from it, and every backend
 * computes on it, so checks and failures are the same whichever protocol a request came by.
 *
 * <p>The constructor checks the data against the shape: a tensor is never built whose element count
 * disagrees with its shape, so a declared shape never commits memory by itself.
 */
public final class Tensor {

    private final String name;
    private final DataType datatype;
    private final long[] shape;
    private final Object data;
    private final int count;

    public Tensor(String name, DataType datatype, long[] shape, Object data) {
        this.name = name;
        this.datatype = datatype;
        this.shape = shape.clone();
        if (!datatype.storage().isInstance(data)) {
            throw new IllegalArgumentException("tensor '" + name + "': " + (data == null ? "null" : data.getClass().getSimpleName())
                    + " for datatype " + datatype + " (expected: " + datatype.storage().getSimpleName() + ")");
        }
        long n = elementCount(shape);
        int length = java.lang.reflect.Array.getLength(data);
        if (n != length) {
            throw new IllegalArgumentException("tensor '" + name + "': " + length + " elements for shape "
                    + Arrays.toString(shape) + " (expected: " + (n < 0 ? "a shape of non-negative dimensions" : n) + ")");
        }
        this.data = data;
        this.count = length;
    }

    public static Tensor ofFloats(String name, long[] shape, float[] data) {
        return new Tensor(name, DataType.FP32, shape, data);
    }

    public static Tensor ofStrings(String name, long[] shape, String[] values) {
        byte[][] data = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            data[i] = values[i].getBytes(StandardCharsets.UTF_8);
        }
        return new Tensor(name, DataType.BYTES, shape, data);
    }

    /**
     * The product of {@code shape}, or -1 when a dimension is negative or the product exceeds
     * {@link Integer#MAX_VALUE} (no Java array holds more).
     */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            if (d != 0 && n > Integer.MAX_VALUE / d) {
                return n == 0 ? 0 : -1;
            }
            n *= d;
        }
        return n;
    }

    public String name() {
        return name;
    }

    public DataType datatype() {
        return datatype;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Dimension {@code i} of the shape. */
    public long dim(int i) {
        return shape[i];
    }

    public int rank() {
        return shape.length;
    }

    public int elementCount() {
        return count;
    }

    /** The values as stored: the array type {@link DataType#storage()} names; not copied. */
    public Object data() {
        return data;
    }

    public float[] floats() {
        return (float[]) as(float[].class);
    }

    public double[] doubles() {
        return (double[]) as(double[].class);
    }

    public int[] ints() {
        return (int[]) as(int[].class);
    }

    public long[] longs() {
        return (long[]) as(long[].class);
    }

    public boolean[] bools() {
        return (boolean[]) as(boolean[].class);
    }

    public byte[][] bytes() {
        return (byte[][]) as(byte[][].class);
    }

    /** Element {@code i} of a BYTES tensor as UTF-8 text. */
    public String string(int i) {
        return new String(bytes()[i], StandardCharsets.UTF_8);
    }

    /** Element {@code i} of a numeric tensor as a double (UINT64 above Long.MAX_VALUE included). */
    public double number(int i) {
        return switch (datatype) {
            case FP16, BF16, FP32 -> floats()[i];
            case FP64 -> doubles()[i];
            case INT8, INT16, INT32, UINT8, UINT16 -> ints()[i];
            case UINT64 -> unsigned(longs()[i]);
            case INT64, UINT32 -> longs()[i];
            case BOOL -> bools()[i] ? 1 : 0;
            case BYTES -> throw new IllegalStateException("tensor '" + name + "': BYTES is not numeric");
        };
    }

    /** The same tensor under another name. */
    public Tensor renamed(String newName) {
        return new Tensor(newName, datatype, shape, data);
    }

    private static double unsigned(long v) {
        double d = (double) (v >>> 1) * 2.0;
        return d + (v & 1);
    }

    private Object as(Class<?> type) {
        if (!type.isInstance(data)) {
            throw new IllegalStateException("tensor '" + name + "': datatype " + datatype + " holds "
                    + datatype.storage().getSimpleName() + " (asked for " + type.getSimpleName() + ")");
        }
        return data;
    }

    @Override
    public String toString() {
        return "tensor '" + name + "' " + datatype + " " + Arrays.toString(shape);
    }
}
