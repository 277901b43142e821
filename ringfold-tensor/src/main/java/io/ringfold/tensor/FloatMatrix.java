package io.ringfold.tensor;

import java.util.Arrays;

/**
 * Dense row-major float32 matrix over one {@code float[]}. It is a mutable working buffer: kernels
 * write into it in place so that training allocates nothing per step. Immutable values (models) keep
 * private copies.
 */
public final class FloatMatrix implements Matrix {

    private final int rows;
    private final int cols;
    private final float[] data;

    public FloatMatrix(int rows, int cols) {
        this(rows, cols, new float[checkedSize(rows, cols)]);
    }

    /** Wraps {@code data} (not copied); its length must be rows*cols. */
    public FloatMatrix(int rows, int cols, float[] data) {
        int size = checkedSize(rows, cols);
        if (data.length != size) {
            throw new IllegalArgumentException("data.length: " + data.length + " (expected: " + rows + "x" + cols
                    + " = " + size + ")");
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    private static int checkedSize(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("shape: " + rows + "x" + cols + " (expected: non-negative)");
        }
        long size = (long) rows * cols;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape: " + rows + "x" + cols + " (expected: at most "
                    + (Integer.MAX_VALUE - 8) + " elements)");
        }
        return (int) size;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** The backing array, row-major. */
    public float[] data() {
        return data;
    }

    @Override
    public float get(int r, int c) {
        return data[r * cols + c];
    }

    public void set(int r, int c, float v) {
        data[r * cols + c] = v;
    }

    public FloatMatrix copy() {
        return new FloatMatrix(rows, cols, data.clone());
    }

    public void fill(float v) {
        Arrays.fill(data, v);
    }

    @Override
    public FloatMatrix gatherRows(int[] index, int from, int to) {
        FloatMatrix out = new FloatMatrix(to - from, cols);
        gatherRowsInto(index, from, to, out);
        return out;
    }

    /** Copies rows {@code index[from..to)} into the first rows of {@code out} (which has this many columns). */
    public void gatherRowsInto(int[] index, int from, int to, FloatMatrix out) {
        if (out.cols != cols || out.rows < to - from) {
            throw new IllegalArgumentException("gatherRowsInto: output is " + out.rows + "x" + out.cols
                    + " (expected: at least " + (to - from) + "x" + cols + ")");
        }
        float[] dst = out.data;
        for (int i = from; i < to; i++) {
            System.arraycopy(data, index[i] * cols, dst, (i - from) * cols, cols);
        }
    }

    @Override
    public void multiply(Blas blas, FloatMatrix w, FloatMatrix out) {
        if (w.rows != cols) {
            throw new IllegalArgumentException("multiply: " + rows + "x" + cols + " · " + w.rows + "x" + w.cols
                    + " (expected: inner dimensions equal)");
        }
        Matrix.checkShape("multiply", out, rows, w.cols);
        blas.sgemm(false, false, rows, w.cols, cols, 1f, data, 0, cols, w.data, 0, w.cols, 0f, out.data, 0, out.cols);
    }

    @Override
    public void multiplyRowInvariant(Blas blas, int rows, PackedMatrix w, float[] out) {
        if (w.rows() != cols || rows < 0 || rows > this.rows) {
            throw new IllegalArgumentException("multiplyRowInvariant: " + rows + " of " + this.rows + "x" + cols
                    + " rows · " + w.rows() + "x" + w.cols() + " (expected: inner dimensions equal, rows within the matrix)");
        }
        blas.sgemmRowInvariant(rows, data, 0, cols, w, out, 0, w.cols());
    }

    @Override
    public void transposeMultiply(Blas blas, FloatMatrix d, FloatMatrix out) {
        if (d.rows != rows) {
            throw new IllegalArgumentException("transposeMultiply: (" + rows + "x" + cols + ")ᵀ · " + d.rows + "x"
                    + d.cols + " (expected: equal row counts)");
        }
        Matrix.checkShape("transposeMultiply", out, cols, d.cols);
        blas.sgemm(true, false, cols, d.cols, rows, 1f, data, 0, cols, d.data, 0, d.cols, 0f, out.data, 0, out.cols);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatMatrix[" + rows + "x" + cols + "]";
    }
}
