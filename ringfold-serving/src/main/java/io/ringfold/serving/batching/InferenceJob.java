package io.ringfold.serving.batching;

import io.ringfold.tensor.FloatMatrix;

import java.util.concurrent.CompletableFuture;

/**
 * One request's rows, already validated and preprocessed ({@code rows × width}, row-major), and the
 * future that receives its rows of the model's output.
 */
public final class InferenceJob {

    final float[] rows;
    final int rowCount;
    final long submittedNanos;
    final CompletableFuture<FloatMatrix> result = new CompletableFuture<>();

    public InferenceJob(float[] rows, int rowCount) {
        if (rowCount < 1) {
            throw new IllegalArgumentException("rowCount: " + rowCount + " (expected: >= 1)");
        }
        this.rows = rows;
        this.rowCount = rowCount;
        this.submittedNanos = System.nanoTime();
    }

    public int rowCount() {
        return rowCount;
    }

    /** Completes with the job's outputs (rowCount × model outputs), or exceptionally if the batch failed. */
    public CompletableFuture<FloatMatrix> result() {
        return result;
    }
}
