/**
 * Collective communication for data- and model-parallel training: the
 * {@link io.ringfold.collective.Communicator} contract (allreduce, broadcast, barrier, all-gather,
 * all-to-all, send/receive, splitting into subgroups, each with a sequence number and a deadline) and its
 * implementations: threads of one JVM ({@link io.ringfold.collective.InProcessGroup}), processes over TCP
 * ({@link io.ringfold.collective.TcpCommunicator}, formed by {@link io.ringfold.collective.TcpRendezvous}
 * or from an address list), and processes of one host through a shared memory segment
 * ({@link io.ringfold.collective.SharedMemoryCommunicator}, chosen by {@link io.ringfold.collective.Transport}
 * over a TCP group), plus the allreduce benchmark. It knows nothing of models or data and depends on
 * nothing but the JDK.
 */
package io.ringfold.collective;
