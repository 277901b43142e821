package io.ringfold.nn;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

import java.util.Arrays;

/**
 * The first layer's two products with its input, for dense or sparse input, on the flat parameter
 * layout (weights at an offset of a larger array) and on batch buffers that may hold more rows than
 * are in use (the last, short batch of an epoch).
 */
public final class InputKernels {

    private InputKernels() {
    }

    /** {@code out[0..rows×n) = x[0..rows) · W} where W is {@code x.cols() × n} at {@code w[wOff..]}. */
    public static void multiply(Blas blas, Matrix x, int rows, float[] w, int wOff, int n, float[] out) {
        int k = x.cols();
        if (x instanceof FloatMatrix d) {
            blas.sgemm(false, false, rows, n, k, 1f, d.data(), 0, k, w, wOff, n, 0f, out, 0, n);
        } else {
            CsrMatrix s = (CsrMatrix) x;
            Arrays.fill(out, 0, rows * n, 0f);
            for (int r = 0; r < rows; r++) {
                for (int p = s.rowStart(r), end = s.rowStart(r + 1); p < end; p++) {
                    blas.saxpy(n, s.valueAt(p), w, wOff + s.columnAt(p) * n, out, r * n);
                }
            }
        }
    }

    /** {@code g[gOff..] = x[0..rows)ᵀ · d[0..rows×n)}, a {@code x.cols() × n} block, overwritten. */
    public static void transposeMultiply(Blas blas, Matrix x, int rows, float[] d, int n, float[] g, int gOff) {
        int k = x.cols();
        if (x instanceof FloatMatrix dense) {
            blas.sgemm(true, false, k, n, rows, 1f, dense.data(), 0, k, d, 0, n, 0f, g, gOff, n);
        } else {
            CsrMatrix s = (CsrMatrix) x;
            Arrays.fill(g, gOff, gOff + k * n, 0f);
            // Rows in order: a fixed summation order, so the result is deterministic.
            for (int r = 0; r < rows; r++) {
                for (int p = s.rowStart(r), end = s.rowStart(r + 1); p < end; p++) {
                    blas.saxpy(n, s.valueAt(p), d, r * n, g, gOff + s.columnAt(p) * n);
                }
            }
        }
    }

    /** {@code ||x_r||²}, the squared L2 norm of row r, in double; a sparse row's stored values only. */
    public static double rowNormSquare(Matrix x, int r) {
        double sum = 0;
        if (x instanceof FloatMatrix d) {
            float[] data = d.data();
            int k = d.cols();
            for (int c = r * k, end = c + k; c < end; c++) {
                sum += (double) data[c] * data[c];
            }
        } else {
            CsrMatrix s = (CsrMatrix) x;
            for (int p = s.rowStart(r), end = s.rowStart(r + 1); p < end; p++) {
                sum += (double) s.valueAt(p) * s.valueAt(p);
            }
        }
        return sum;
    }
}
