package io.ringfold.io;

import java.util.Arrays;

/**
 * One named float32 tensor of a model file: a name unique within the file, a shape (rank 0 is a
 * scalar) and its elements in row-major order. It is an immutable value: the constructor and the
 * accessors copy the arrays, and equality compares float bits exactly (so {@code -0.0 != 0.0} and NaN
 * payloads count).
 */
public record NamedTensor(String name, int[] shape, float[] data) {

    /** Largest element count a tensor may have: the largest Java array the JVMs we target allocate. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    public NamedTensor {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name: " + (name == null ? "null" : "\"\"") + " (expected: non-empty)");
        }
        if (shape == null || data == null) {
            throw new IllegalArgumentException("tensor " + name + ": " + (shape == null ? "shape" : "data")
                    + " is null (expected: an array)");
        }
        long elements = elementCount(shape);
        if (elements < 0 || elements > MAX_ELEMENTS) {
            throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape)
                    + " (expected: non-negative dims, at most " + MAX_ELEMENTS + " elements)");
        }
        if (data.length != elements) {
            throw new IllegalArgumentException("tensor " + name + ": data.length " + data.length
                    + " (expected: product of shape " + Arrays.toString(shape) + " = " + elements + ")");
        }
        shape = shape.clone();
        data = data.clone();
    }

    /**
     * The element count of {@code shape}; -1 when a dim is negative and {@code MAX_ELEMENTS + 1} when the
     * product is larger than {@link #MAX_ELEMENTS}. Shared with the file reader so that a file and this
     * constructor agree on what a valid shape is; each caller words its own error.
     */
    static long elementCount(int[] shape) {
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                return -1;
            }
            elements *= shape[i];
            if (elements > MAX_ELEMENTS) {
                return MAX_ELEMENTS + 1L;
            }
        }
        return elements;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public float[] data() {
        return data.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The shape without a copy, for the encoder in this package; callers must not modify it. */
    int[] shapeView() {
        return shape;
    }

    /** The data without a copy, for the encoder in this package; callers must not modify it. */
    float[] dataView() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NamedTensor other)) {
            return false;
        }
        return name.equals(other.name) && Arrays.equals(shape, other.shape) && sameBits(data, other.data);
    }

    // Arrays.equals(float[], float[]) collapses NaN payloads; a model file promises the raw bits back.
    private static boolean sameBits(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = name.hashCode() * 31 + Arrays.hashCode(shape);
        for (int i = 0; i < data.length; i++) {
            h = h * 31 + Float.floatToRawIntBits(data[i]);
        }
        return h;
    }

    /** Name and shape only: printing the data of a real tensor would flood any log. */
    @Override
    public String toString() {
        return "NamedTensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
