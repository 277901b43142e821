package io.ringfold.spark;

import java.util.Arrays;

/**
 * Sparse rows in CSR form, appended one at a time: each row's stored entries (column indices, float32
 * values) follow the previous row's; {@link #finish} fixes the row starts, after which rows are read by
 * index. Shared by a task's staged partition ({@link PartitionBlock}) and the sparse rows tasks send
 * each other ({@link ExchangedRows}).
 */
final class SparseRowStore {

    int rows;
    int nnz;
    int[] lengths = new int[64];
    int[] indices = new int[256];
    float[] values = new float[256];
    private int[] starts;

    /** Makes room for one more row of {@code n} entries; the caller writes them at {@link #nnz} and calls {@link #endRow}. */
    void reserve(int n) {
        if (rows == lengths.length) {
            lengths = Arrays.copyOf(lengths, rows * 2);
        }
        if (nnz + n > indices.length) {
            int cap = Math.max(indices.length * 2, nnz + n);
            indices = Arrays.copyOf(indices, cap);
            values = Arrays.copyOf(values, cap);
        }
    }

    void endRow(int n) {
        lengths[rows++] = n;
        nnz += n;
    }

    void finish() {
        starts = new int[rows + 1];
        for (int i = 0; i < rows; i++) {
            starts[i + 1] = starts[i] + lengths[i];
        }
    }

    int length(int i) {
        return lengths[i];
    }

    /** Row {@code i} into a dense row {@code dst[at, at + width)} (zeros elsewhere); entries past the width are dropped. */
    void scatter(int i, float[] dst, int at, int width) {
        Arrays.fill(dst, at, at + width, 0f);
        for (int e = starts[i]; e < starts[i + 1]; e++) {
            if (indices[e] < width) {
                dst[at + indices[e]] = values[e];
            }
        }
    }

    void copy(int i, int[] col, float[] val, int at) {
        System.arraycopy(indices, starts[i], col, at, lengths[i]);
        System.arraycopy(values, starts[i], val, at, lengths[i]);
    }
}
