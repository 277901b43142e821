package io.ringfold.train;

import io.ringfold.nn.Backpropagation;
import io.ringfold.nn.Network;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/**
 * Loss and headline metric of parameters on a data set, computed in batches with the same forward pass
 * as training: mean loss, and accuracy (classification) or RMSE and R² (regression).
 *
 * <p>In two parts, so that workers can split the batches and still agree on every bit:
 * {@link #batchTotals} gives each batch's loss sum, hits and squared error (any worker computes a batch
 * the same way), and {@link #combine} adds them up in batch order, the same additions whoever computed
 * which batch. {@link #of} is the two parts over all batches on one thread.
 */
public record Evaluation(double meanLoss, double accuracy, double rmse, double r2) {

    /** Values per batch in {@link #batchTotals}' output: loss sum, hits, squared error. */
    public static final int PER_BATCH = 3;

    public static Evaluation of(Blas blas, Network net, float[] params, Matrix x, float[] y, int batch) {
        int batches = batches(x.rows(), batch);
        double[] totals = new double[PER_BATCH * batches];
        batchTotals(blas, net, params, x, y, batch, 0, batches, totals);
        return combine(net, totals, y);
    }

    /** Batches of {@code batch} rows (the last may be shorter) that {@code rows} rows make. */
    public static int batches(int rows, int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch: " + batch + " (expected: > 0)");
        }
        return (rows + batch - 1) / batch;
    }

    /**
     * Batches {@code [fromBatch, toBatch)} of rows {@code [k batch, (k+1) batch)}: the loss sum, hits and
     * squared error (regression; 0 otherwise) of batch k into {@code out[3k .. 3k+2]}; the rest of {@code
     * out} is left as it is.
     */
    public static void batchTotals(Blas blas, Network net, float[] params, Matrix x, float[] y, int batch,
                                   int fromBatch, int toBatch, double[] out) {
        int n = x.rows();
        int count = batches(n, batch);
        if (fromBatch < 0 || toBatch > count || fromBatch > toBatch) {
            throw new IllegalArgumentException("batches: [" + fromBatch + ", " + toBatch + ") (expected: within [0, "
                    + count + "))");
        }
        if (y.length != n) {
            throw new IllegalArgumentException("targets: " + y.length + " (expected: one per row, " + n + ")");
        }
        if (out.length != PER_BATCH * count) {
            throw new IllegalArgumentException("batch totals: " + out.length + " values (expected: " + PER_BATCH
                    + " per batch, " + PER_BATCH * count + ")");
        }
        if (fromBatch == toBatch) {
            return;
        }
        int size = Math.min(batch, n);
        Backpropagation bp = new Backpropagation(net, size);
        int[] index = new int[size];
        float[] targets = new float[size];
        FloatMatrix buffer = x.batchBuffer(size);
        boolean regression = !net.loss().isClassification();
        for (int k = fromBatch; k < toBatch; k++) {
            int from = k * batch;
            int rows = Math.min(batch, n - from);
            for (int i = 0; i < rows; i++) {
                index[i] = from + i;
            }
            Matrix xb = x.batch(index, 0, rows, buffer);
            System.arraycopy(y, from, targets, 0, rows);
            out[PER_BATCH * k] = bp.loss(blas, params, xb, rows, targets);
            out[PER_BATCH * k + 1] = bp.correct();
            double sse = 0;
            if (regression) {
                float[] output = bp.forwardPass().output();
                for (int r = 0; r < rows; r++) {
                    double d = output[r] - targets[r];
                    sse += d * d;
                }
            }
            out[PER_BATCH * k + 2] = sse;
        }
    }

    /** The metrics from every batch's {@link #batchTotals}, added in batch order, and the targets {@code y}. */
    public static Evaluation combine(Network net, double[] totals, float[] y) {
        int n = y.length;
        double loss = 0;
        long hits = 0;
        double sse = 0;
        for (int k = 0; k < totals.length / PER_BATCH; k++) {
            loss += totals[PER_BATCH * k];
            hits += (long) totals[PER_BATCH * k + 1];
            sse += totals[PER_BATCH * k + 2];
        }
        double sst = Double.NaN;
        if (!net.loss().isClassification()) {
            double sum = 0;
            double sumSq = 0;
            for (float t : y) {
                sum += t;
                sumSq += (double) t * t;
            }
            sst = sumSq - sum * sum / n;
        }
        return new Evaluation(loss / n, (double) hits / n, Math.sqrt(sse / n), sst > 0 ? 1 - sse / sst : Double.NaN);
    }
}
