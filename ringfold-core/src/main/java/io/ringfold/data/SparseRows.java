package io.ringfold.data;

import io.ringfold.tensor.CsrMatrix;

/** Builds a {@link CsrMatrix} row by row; within a row, columns must be added in increasing order. */
final class SparseRows {

    private final int cols;
    private final GrowableArrays.Ints rowPtr = new GrowableArrays.Ints();
    private final GrowableArrays.Ints colIdx = new GrowableArrays.Ints();
    private final GrowableArrays.Floats values = new GrowableArrays.Floats();

    SparseRows(int cols) {
        this.cols = cols;
        rowPtr.add(0);
    }

    /** Adds a non-zero {@code value} at {@code col} of the current row (zeros are not stored). */
    void add(int col, float value) {
        if (value != 0f) {
            colIdx.add(col);
            values.add(value);
        }
    }

    void endRow() {
        rowPtr.add(colIdx.size());
    }

    int rows() {
        return rowPtr.size() - 1;
    }

    /** Writes row {@code r}'s values into {@code out} from {@code offset} (which the caller has zeroed). */
    void scatterRow(int r, float[] out, int offset) {
        for (int p = rowPtr.get(r), end = rowPtr.get(r + 1); p < end; p++) {
            out[offset + colIdx.get(p)] = values.get(p);
        }
    }

    /** The matrix of the rows ended so far; the builder should not be used afterwards. */
    CsrMatrix build() {
        return new CsrMatrix(rows(), cols, rowPtr.toArray(), colIdx.toArray(), values.toArray());
    }
}
