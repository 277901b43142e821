/**
 * Synchronous data-parallel training over a {@link io.ringfold.collective.Communicator}: logical shards
 * fixed independently of the worker count, exact int64 fixed-point gradient sums, and launchers for
 * worker threads. Trained parameters are bit-identical for any number of workers up to the shard count.
 */
package io.ringfold.parallel;
