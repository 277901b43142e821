package io.ringfold.serving.batching;

/** Told about every batch a {@link DynamicBatcher} runs (metrics). Called on a worker thread. */
public interface BatchObserver {

    /**
     * @param rows         rows in the batch
     * @param requests     requests in the batch
     * @param computeNanos time of the model's forward pass
     */
    void batch(int rows, int requests, long computeNanos);

    /** One request's time in the queue, from submission to the start of its batch. */
    void queued(long queueNanos);

    BatchObserver NONE = new BatchObserver() {
        @Override
        public void batch(int rows, int requests, long computeNanos) {
        }

        @Override
        public void queued(long queueNanos) {
        }
    };
}
