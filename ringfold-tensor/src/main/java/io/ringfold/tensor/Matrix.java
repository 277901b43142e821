package io.ringfold.tensor;

/**
 * A float32 matrix that can feed the first layer of a model: dense or CSR sparse. The two operations
 * a dense layer needs from its input are here, so models never branch on the storage.
 */
public sealed interface Matrix permits FloatMatrix, CsrMatrix {

    int rows();

    int cols();

    /** Element (r, c); for diagnostics and tests, not hot loops. */
    float get(int r, int c);

    /** A new matrix holding rows {@code index[from..to)} of this one, in that order. */
    Matrix gatherRows(int[] index, int from, int to);

    /**
     * Rows {@code index[from..to)} as a training or evaluation batch: for a dense matrix copied into
     * {@code denseBuffer} (from {@link #batchBuffer}, reused from batch to batch) and returned, so a step
     * allocates nothing; for a sparse one, or without a buffer, a new matrix.
     */
    default Matrix batch(int[] index, int from, int to, FloatMatrix denseBuffer) {
        if (denseBuffer != null && this instanceof FloatMatrix d) {
            d.gatherRowsInto(index, from, to, denseBuffer);
            return denseBuffer;
        }
        return gatherRows(index, from, to);
    }

    /** A buffer for {@link #batch} of up to {@code rows} rows; null when this matrix is sparse. */
    default FloatMatrix batchBuffer(int rows) {
        return this instanceof FloatMatrix ? new FloatMatrix(rows, cols()) : null;
    }

    /** {@code out = this · w} (out is rows×w.cols, overwritten); w is cols×n. */
    void multiply(Blas blas, FloatMatrix w, FloatMatrix out);

    /**
     * {@code out[0..rows×n) = this[0..rows) · w}, overwritten, for prediction: batch invariant, with the
     * arithmetic of {@link Blas#sgemmRowInvariant} (a sparse row gives the bits of the same row dense).
     */
    void multiplyRowInvariant(Blas blas, int rows, PackedMatrix w, float[] out);

    /** {@code out = thisᵀ · d} (out is cols×d.cols, overwritten); d is rows×n. */
    void transposeMultiply(Blas blas, FloatMatrix d, FloatMatrix out);

    /** Throws unless {@code out} is r×c, naming the operation and both shapes. */
    static void checkShape(String what, FloatMatrix out, int r, int c) {
        if (out.rows() != r || out.cols() != c) {
            throw new IllegalArgumentException(what + ": output is " + out.rows() + "x" + out.cols()
                    + " (expected: " + r + "x" + c + ")");
        }
    }
}
