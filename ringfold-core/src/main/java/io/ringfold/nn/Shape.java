package io.ringfold.nn;

import java.util.Arrays;

/**
 * The shape of one example's tensor, without the batch dimension: {@code [64]} for a row of 64 features,
 * {@code [1, 28, 28]} for a grey image (channels, height, width). A batch holds {@code rows} such tensors
 * back to back, each row-major.
 */
public final class Shape {

    private final int[] dims;
    private final int size;

    private Shape(int[] dims) {
        if (dims.length == 0) {
            throw new IllegalArgumentException("shape: [] (expected: at least one dimension)");
        }
        long n = 1;
        for (int d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("shape: " + Arrays.toString(dims) + " (expected: every dimension >= 1)");
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape: " + Arrays.toString(dims) + " (expected: fewer than 2^31 elements)");
            }
        }
        this.dims = dims;
        this.size = (int) n;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    /** A vector of {@code n} features. */
    public static Shape vector(int n) {
        return new Shape(new int[] {n});
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Elements per example. */
    public int size() {
        return size;
    }

    /** {@code 1x28x28}, {@code 64}: how messages and tables show a shape. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : "x").append(dims[i]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(s.dims, dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }
}
