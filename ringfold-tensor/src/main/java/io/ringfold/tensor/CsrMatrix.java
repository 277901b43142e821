package io.ringfold.tensor;

import java.util.Arrays;

/**
 * Compressed sparse row float32 matrix: {@code rowPtr} (rows+1 offsets), sorted column indices per
 * row, and values. Immutable after construction (arrays are validated and not exposed for writing).
 */
public final class CsrMatrix implements Matrix {

    private final int rows;
    private final int cols;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final float[] values;

    /** Validates the structure: monotone row pointers, in-range strictly increasing column indices per row. */
    public CsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("shape: " + rows + "x" + cols + " (expected: non-negative)");
        }
        if (rowPtr.length != rows + 1 || rowPtr[0] != 0) {
            throw new IllegalArgumentException("rowPtr: length " + rowPtr.length + ", first " + rowPtr[0]
                    + " (expected: length " + (rows + 1) + ", first 0)");
        }
        int nnz = rowPtr[rows];
        if (colIdx.length != nnz || values.length != nnz) {
            throw new IllegalArgumentException("colIdx/values: lengths " + colIdx.length + "/" + values.length
                    + " (expected: " + nnz + ")");
        }
        for (int r = 0; r < rows; r++) {
            if (rowPtr[r + 1] < rowPtr[r]) {
                throw new IllegalArgumentException("rowPtr[" + (r + 1) + "]: " + rowPtr[r + 1]
                        + " (expected: >= " + rowPtr[r] + ")");
            }
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                int c = colIdx[p];
                if (c < 0 || c >= cols || (p > rowPtr[r] && c <= colIdx[p - 1])) {
                    throw new IllegalArgumentException("colIdx of row " + r + ": " + c
                            + " (expected: strictly increasing within [0, " + cols + "))");
                }
            }
        }
        this.rows = rows;
        this.cols = cols;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    public int nonZeros() {
        return rowPtr[rows];
    }

    /** Start of row r's entries; row r spans {@code [rowStart(r), rowStart(r+1))}. */
    public int rowStart(int r) {
        return rowPtr[r];
    }

    public int columnAt(int p) {
        return colIdx[p];
    }

    public float valueAt(int p) {
        return values[p];
    }

    @Override
    public float get(int r, int c) {
        int p = Arrays.binarySearch(colIdx, rowPtr[r], rowPtr[r + 1], c);
        return p >= 0 ? values[p] : 0f;
    }

    @Override
    public CsrMatrix gatherRows(int[] index, int from, int to) {
        int n = to - from;
        int[] ptr = new int[n + 1];
        for (int i = 0; i < n; i++) {
            int r = index[from + i];
            ptr[i + 1] = ptr[i] + rowPtr[r + 1] - rowPtr[r];
        }
        int[] ci = new int[ptr[n]];
        float[] v = new float[ptr[n]];
        for (int i = 0; i < n; i++) {
            int r = index[from + i];
            int len = rowPtr[r + 1] - rowPtr[r];
            System.arraycopy(colIdx, rowPtr[r], ci, ptr[i], len);
            System.arraycopy(values, rowPtr[r], v, ptr[i], len);
        }
        return new CsrMatrix(n, cols, ptr, ci, v);
    }

    @Override
    public void multiply(Blas blas, FloatMatrix w, FloatMatrix out) {
        if (w.rows() != cols) {
            throw new IllegalArgumentException("multiply: " + rows + "x" + cols + " (sparse) · " + w.rows() + "x"
                    + w.cols() + " (expected: inner dimensions equal)");
        }
        Matrix.checkShape("multiply", out, rows, w.cols());
        int n = w.cols();
        float[] wd = w.data();
        float[] od = out.data();
        Arrays.fill(od, 0f);
        // Row r of the result is a sum of the rows of W selected by row r's non-zeros.
        for (int r = 0; r < rows; r++) {
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                blas.saxpy(n, values[p], wd, colIdx[p] * n, od, r * n);
            }
        }
    }

    @Override
    public void multiplyRowInvariant(Blas blas, int rows, PackedMatrix w, float[] out) {
        RowInvariantGemm.multiplySparse(this, rows, w, out);
    }

    @Override
    public void transposeMultiply(Blas blas, FloatMatrix d, FloatMatrix out) {
        if (d.rows() != rows) {
            throw new IllegalArgumentException("transposeMultiply: (" + rows + "x" + cols + ")ᵀ (sparse) · "
                    + d.rows() + "x" + d.cols() + " (expected: equal row counts)");
        }
        Matrix.checkShape("transposeMultiply", out, cols, d.cols());
        int n = d.cols();
        float[] dd = d.data();
        float[] od = out.data();
        Arrays.fill(od, 0f);
        // Each non-zero (r, c) adds value * d[r, :] to out[c, :]; rows are visited in order, so the
        // summation order is fixed and the result deterministic.
        for (int r = 0; r < rows; r++) {
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                blas.saxpy(n, values[p], dd, r * n, od, colIdx[p] * n);
            }
        }
    }

    /** Dense copy, for tests and small data. */
    public FloatMatrix toDense() {
        FloatMatrix m = new FloatMatrix(rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                m.set(r, colIdx[p], values[p]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "CsrMatrix[" + rows + "x" + cols + ", nnz=" + nonZeros() + "]";
    }
}
