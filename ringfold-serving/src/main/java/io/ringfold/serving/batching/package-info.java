/**
 * Dynamic batching: requests for one model version wait in a bounded queue for at most a configured
 * delay so that several of them run as one matrix product. The policy (how long to wait, how many rows
 * per batch, what happens when the queue is full) is the heart of the server's throughput and lives
 * here, apart from the protocols. With batching off, a fast model's requests skip the queue and compute
 * on the submitting thread ({@link io.ringfold.serving.batching.DynamicBatcher#INLINE_MAX_NANOS}).
 */
package io.ringfold.serving.batching;
