package io.ringfold.serving.batching;

import java.util.concurrent.CompletableFuture;

/**
 * One request's input, already validated (and for a Ringfold model preprocessed), its row count along the
 * batch dimension, and the future that receives its output.
 */
public final class InferenceJob<I, O> {

    final I input;
    final int rowCount;
    final long submittedNanos;
    final CompletableFuture<O> result = new CompletableFuture<>();

    public InferenceJob(I input, int rowCount) {
        if (rowCount < 1) {
            throw new IllegalArgumentException("rowCount: " + rowCount + " (expected: >= 1)");
        }
        this.input = input;
        this.rowCount = rowCount;
        this.submittedNanos = System.nanoTime();
    }

    public int rowCount() {
        return rowCount;
    }

    /** Completes with the job's output, or exceptionally if the batch failed. */
    public CompletableFuture<O> result() {
        return result;
    }
}
