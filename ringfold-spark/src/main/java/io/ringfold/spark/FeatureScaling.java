package io.ringfold.spark;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.ReduceOp;
import io.ringfold.parallel.OwnedRows;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/**
 * MLlib's feature standardisation, inside the barrier stage: each feature's weighted mean and unbiased standard
 * deviation over all rows, as MLlib's Summarizer computes them ({@code M2 / (sum w - sum w^2 / sum w)}), so that
 * the penalties fall on the same standardised coefficients as MLlib's. The sums are taken per logical shard and
 * added in shard order, so every worker count gives the same bits. Dense rows are centred and scaled in place;
 * sparse rows only scaled (centring would fill them; with an unpenalised intercept the optimum is the same). A
 * constant feature becomes 0 and its coefficient stays 0, as in MLlib. {@link #fold} puts the scaling back into
 * the weights and bias of a one-dense-layer model, so the model takes raw features.
 */
final class FeatureScaling {

    /** No scaling: {@link #apply} and {@link #fold} return their input. */
    static final FeatureScaling NONE = new FeatureScaling(null, null);

    /** Per feature: the mean subtracted (0 for sparse rows) and the standard deviation divided by (0: constant). */
    private final double[] mean;
    private final double[] std;

    private FeatureScaling(double[] mean, double[] std) {
        this.mean = mean;
        this.std = std;
    }

    double[] std() {
        return std.clone();
    }

    /**
     * The statistics of the rows all workers own ({@code x} and weights {@code w}, null: all 1, are this worker's,
     * local row i being global row {@link OwnedRows#globalRow}); every worker gets the same.
     */
    static FeatureScaling fit(Matrix x, float[] w, Communicator comm, int workers, int shards) {
        int d = x.cols();
        boolean sparse = x instanceof CsrMatrix;
        int[] shardOf = shards(x.rows(), comm.rank(), workers, shards);
        // Per shard: sum w, sum w^2, sum w x_j, and for sparse rows the weight of each feature's stored entries.
        int stride = 2 + (sparse ? 2 * d : d);
        double[] first = new double[stride * shards];
        for (int i = 0; i < x.rows(); i++) {
            int at = shardOf[i] * stride;
            double wi = w == null ? 1 : w[i];
            first[at] += wi;
            first[at + 1] += wi * wi;
            if (x instanceof FloatMatrix m) {
                float[] data = m.data();
                for (int j = 0, base = i * d; j < d; j++) {
                    first[at + 2 + j] += wi * data[base + j];
                }
            } else {
                CsrMatrix c = (CsrMatrix) x;
                for (int p = c.rowStart(i), end = c.rowStart(i + 1); p < end; p++) {
                    first[at + 2 + c.columnAt(p)] += wi * c.valueAt(p);
                    first[at + 2 + d + c.columnAt(p)] += wi;
                }
            }
        }
        comm.allReduce(first, 0, first.length, ReduceOp.SUM);
        double sw = 0;
        double sw2 = 0;
        double[] mean = new double[d];
        double[] storedWeight = new double[d];
        for (int s = 0; s < shards; s++) {
            int at = s * stride;
            sw += first[at];
            sw2 += first[at + 1];
            for (int j = 0; j < d; j++) {
                mean[j] += first[at + 2 + j];
                if (sparse) {
                    storedWeight[j] += first[at + 2 + d + j];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= sw;
        }
        // Second pass: the squared deviations from the mean, which keeps the variance accurate where the mean is
        // large against the spread (sum w x^2 - sum w * mean^2 would cancel).
        double[] second = new double[d * shards];
        for (int i = 0; i < x.rows(); i++) {
            int at = shardOf[i] * d;
            double wi = w == null ? 1 : w[i];
            if (x instanceof FloatMatrix m) {
                float[] data = m.data();
                for (int j = 0, base = i * d; j < d; j++) {
                    double e = data[base + j] - mean[j];
                    second[at + j] += wi * e * e;
                }
            } else {
                CsrMatrix c = (CsrMatrix) x;
                for (int p = c.rowStart(i), end = c.rowStart(i + 1); p < end; p++) {
                    double e = c.valueAt(p) - mean[c.columnAt(p)];
                    second[at + c.columnAt(p)] += wi * e * e;
                }
            }
        }
        comm.allReduce(second, 0, second.length, ReduceOp.SUM);
        double denominator = sw - sw2 / sw;
        double[] std = new double[d];
        for (int j = 0; j < d; j++) {
            double m2 = 0;
            for (int s = 0; s < shards; s++) {
                m2 += second[s * d + j];
            }
            if (sparse) {
                // The rows without a stored entry for j hold 0, each deviating by -mean.
                m2 += (sw - storedWeight[j]) * mean[j] * mean[j];
            }
            std[j] = denominator > 0 ? Math.sqrt(m2 / denominator) : 0;
        }
        if (sparse) {
            java.util.Arrays.fill(mean, 0);
        }
        return new FeatureScaling(mean, std);
    }

    /** The logical shard of each of this worker's owned rows. */
    private static int[] shards(int rows, int rank, int workers, int shards) {
        int[] out = new int[rows];
        for (int i = 0; i < rows; i++) {
            out[i] = (int) (OwnedRows.globalRow(i, rank, workers, shards) % shards);
        }
        return out;
    }

    /** {@code x} standardised: a dense matrix in place, a sparse one as a new matrix. */
    Matrix apply(Matrix x) {
        if (std == null) {
            return x;
        }
        int d = x.cols();
        if (x instanceof FloatMatrix m) {
            float[] data = m.data();
            for (int i = 0; i < x.rows(); i++) {
                for (int j = 0, base = i * d; j < d; j++) {
                    data[base + j] = std[j] > 0 ? (float) ((data[base + j] - mean[j]) / std[j]) : 0f;
                }
            }
            return m;
        }
        CsrMatrix c = (CsrMatrix) x;
        int[] ptr = new int[c.rows() + 1];
        int[] col = new int[c.nonZeros()];
        float[] val = new float[c.nonZeros()];
        for (int i = 0; i < c.rows(); i++) {
            ptr[i + 1] = c.rowStart(i + 1);
        }
        for (int p = 0; p < col.length; p++) {
            col[p] = c.columnAt(p);
            val[p] = std[col[p]] > 0 ? (float) (c.valueAt(p) / std[col[p]]) : 0f;
        }
        return new CsrMatrix(c.rows(), d, ptr, col, val);
    }

    /**
     * The parameters of a one-dense-layer model ({@code features x outputs} weights, row-major, then the biases)
     * on raw features that predict what {@code params} predict on standardised ones: {@code W_j / std_j}, and
     * each bias less {@code sum_j W_j mean_j / std_j}.
     */
    float[] fold(int features, int outputs, float[] params) {
        if (std == null) {
            return params;
        }
        float[] p = params.clone();
        double[] shift = new double[outputs];
        for (int j = 0; j < features; j++) {
            for (int c = 0; c < outputs; c++) {
                double v = std[j] > 0 ? params[j * outputs + c] / std[j] : 0;
                p[j * outputs + c] = (float) v;
                shift[c] += v * mean[j];
            }
        }
        for (int c = 0; c < outputs; c++) {
            p[features * outputs + c] = (float) (params[features * outputs + c] - shift[c]);
        }
        return p;
    }
}
