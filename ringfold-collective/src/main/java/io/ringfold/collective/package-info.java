/**
 * Collective communication for data-parallel training: the {@link io.ringfold.collective.Communicator}
 * contract (allreduce, broadcast, barrier, all-gather, send/receive, each with a sequence number and a
 * deadline) and its implementations, threads of one JVM ({@link io.ringfold.collective.InProcessGroup})
 * and processes over TCP. It knows nothing of models or data.
 */
package io.ringfold.collective;
