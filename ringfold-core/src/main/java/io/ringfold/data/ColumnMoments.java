package io.ringfold.data;

import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;

/**
 * Per-column mean and population variance, accumulated in double: float sums over 60,000 rows would
 * lose about four decimal digits. Two passes (mean, then squared deviations) rather than the one-pass
 * formula, which cancels catastrophically when the mean is large compared with the spread.
 */
final class ColumnMoments {

    private ColumnMoments() {
    }

    static void dense(FloatMatrix m, double[] mean, double[] var) {
        int n = m.rows();
        int d = m.cols();
        float[] x = m.data();
        java.util.Arrays.fill(mean, 0, d, 0.0);
        java.util.Arrays.fill(var, 0, d, 0.0);
        for (int r = 0; r < n; r++) {
            int base = r * d;
            for (int c = 0; c < d; c++) {
                mean[c] += x[base + c];
            }
        }
        for (int c = 0; c < d; c++) {
            mean[c] /= n;
        }
        for (int r = 0; r < n; r++) {
            int base = r * d;
            for (int c = 0; c < d; c++) {
                double dev = x[base + c] - mean[c];
                var[c] += dev * dev;
            }
        }
        for (int c = 0; c < d; c++) {
            var[c] /= n;
        }
    }

    /** The same over all rows, implicit zeros included. */
    static void sparse(CsrMatrix m, double[] mean, double[] var) {
        int n = m.rows();
        int d = m.cols();
        int[] count = new int[d];
        java.util.Arrays.fill(mean, 0, d, 0.0);
        java.util.Arrays.fill(var, 0, d, 0.0);
        int nnz = m.nonZeros();
        for (int p = 0; p < nnz; p++) {
            mean[m.columnAt(p)] += m.valueAt(p);
            count[m.columnAt(p)]++;
        }
        for (int c = 0; c < d; c++) {
            mean[c] /= n;
        }
        for (int p = 0; p < nnz; p++) {
            double dev = m.valueAt(p) - mean[m.columnAt(p)];
            var[m.columnAt(p)] += dev * dev;
        }
        for (int c = 0; c < d; c++) {
            // Each implicit zero deviates from the mean by -mean.
            var[c] = (var[c] + (double) (n - count[c]) * mean[c] * mean[c]) / n;
        }
    }
}
