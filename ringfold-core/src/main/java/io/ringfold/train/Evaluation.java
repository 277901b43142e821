package io.ringfold.train;

import io.ringfold.model.Architecture;
import io.ringfold.model.Backpropagation;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/**
 * Loss and headline metric of parameters on a data set, computed in batches with the same forward pass
 * as training: mean loss, and accuracy (classification) or RMSE and R² (regression).
 */
public record Evaluation(double meanLoss, double accuracy, double rmse, double r2) {

    public static Evaluation of(Blas blas, Architecture arch, float[] params, Matrix x, float[] y, int batch) {
        int n = x.rows();
        Backpropagation bp = new Backpropagation(arch, Math.min(batch, n));
        int[] index = new int[n];
        for (int i = 0; i < n; i++) {
            index[i] = i;
        }
        float[] targets = new float[Math.min(batch, n)];
        FloatMatrix buffer = x.batchBuffer(Math.min(batch, n));
        double loss = 0;
        long hits = 0;
        double sse = 0;
        double sum = 0;
        double sumSq = 0;
        for (int from = 0; from < n; from += batch) {
            int rows = Math.min(batch, n - from);
            Matrix xb = x.batch(index, from, from + rows, buffer);
            System.arraycopy(y, from, targets, 0, rows);
            loss += bp.loss(blas, params, xb, rows, targets);
            hits += bp.correct();
            if (!arch.loss().isClassification()) {
                float[] out = bp.forwardPass().output();
                for (int r = 0; r < rows; r++) {
                    double d = out[r] - targets[r];
                    sse += d * d;
                    sum += targets[r];
                    sumSq += (double) targets[r] * targets[r];
                }
            }
        }
        double sst = sumSq - sum * sum / n;
        return new Evaluation(loss / n, (double) hits / n, Math.sqrt(sse / n), sst > 0 ? 1 - sse / sst : Double.NaN);
    }
}
