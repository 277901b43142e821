package io.ringfold.collective;

import java.time.Duration;

/**
 * Collective communication among a fixed group of {@link #size()} ranks, numbered 0..size-1: the
 * operations data-parallel training needs (allreduce, broadcast, barrier, all-gather) and
 * point-to-point send/receive (and both at once) for model parallelism.
 *
 * <p>Contract, for every implementation (one contract test suite runs against all of them):
 * <ul>
 *   <li>Collective calls are made by every rank in the same order with matching arguments (same
 *       operation, element type, length, op and root). Each call gets the next sequence number; a rank
 *       that receives a message of another sequence number, operation, type or length fails with a
 *       {@link CollectiveException} naming both sides, and never mixes data.</li>
 *   <li>Every call completes or fails within {@link #timeout()}: on expiry, a dead peer or a closed
 *       connection it throws {@link CollectiveException} naming the operation, its sequence number and
 *       the ranks (with addresses) it was waiting for. After a failure the communicator is broken and
 *       every later call fails at once with the first cause.</li>
 *   <li>Results are identical on every rank. Integer sums and MAX are exact and independent of the
 *       algorithm; floating-point SUM/MEAN may depend on the algorithm and the group size (use int64
 *       fixed point for bit-identical results whatever the size).</li>
 *   <li>Buffers are read and written only during the call; lengths may be 0.</li>
 * </ul>
 * A communicator is used by one thread per rank; it is not safe to call one rank's communicator from
 * two threads at once.
 */
public interface Communicator extends AutoCloseable {

    int rank();

    int size();

    /** The deadline of each call. */
    Duration timeout();

    /** A short description for logs, e.g. {@code tcp rank 1/4 at 127.0.0.1:40123}. */
    String describe();

    void allReduce(float[] buffer, int offset, int length, ReduceOp op);

    void allReduce(double[] buffer, int offset, int length, ReduceOp op);

    /** SUM and MAX only: MEAN of integers is refused (it would need rounding). */
    void allReduce(long[] buffer, int offset, int length, ReduceOp op);

    /**
     * Reduce-scatter in equal blocks (MPI's {@code Reduce_scatter_block}): {@code buffer[offset, offset +
     * size() * block)} holds {@code size()} blocks of {@code block} elements; afterwards block {@code rank()}
     * of this rank's buffer holds that block reduced over all ranks (SUM or MAX, exact for integers), and
     * the contents of the other blocks are unspecified. With {@link #allGather(float[], int, int)} it
     * splits an allreduce in two, so that each rank can work on its own block in between (a sharded
     * optimizer step) and the data moved is that of one allreduce.
     */
    void reduceScatter(float[] buffer, int offset, int block, ReduceOp op);

    /** As {@link #reduceScatter(float[], int, int, ReduceOp)}; SUM and MAX only. */
    void reduceScatter(long[] buffer, int offset, int block, ReduceOp op);

    /**
     * All-gather in equal blocks (MPI's {@code Allgather}, in place): each rank supplies block {@code
     * rank()} of {@code buffer[offset, offset + size() * block)}; afterwards every rank's buffer holds every
     * rank's block, bit for bit.
     */
    void allGather(float[] buffer, int offset, int block);

    /** As {@link #allGather(float[], int, int)}. */
    void allGather(long[] buffer, int offset, int block);

    void broadcast(float[] buffer, int offset, int length, int root);

    void broadcast(long[] buffer, int offset, int length, int root);

    void broadcast(byte[] buffer, int offset, int length, int root);

    void barrier();

    /**
     * Every rank contributes {@code mine} (any length, may differ between ranks); returns all
     * contributions indexed by rank.
     */
    byte[][] allGather(byte[] mine);

    /**
     * Personalized all-to-all (MPI's {@code Alltoallv}), a collective: {@code toEach[r]} goes to rank r
     * ({@code toEach} holds one array per rank; lengths may differ per rank and per pair, and may be 0);
     * returns {@code fromEach}, where {@code fromEach[q]} is a new array holding, bit for bit, what rank q
     * sent to this rank ({@code fromEach[rank()]} a copy of {@code toEach[rank()]}). Ranks need not agree on
     * lengths beforehand: the call carries them. Where blocks come from other processes, every declared
     * length is checked against a limit ({@link TcpOptions#maxMessageBytes}) before anything is allocated
     * for it, and one above it fails the call on every rank naming the sender, the length and the limit.
     * Bytes sent to other ranks count in {@link #bytesSent()}. Used to route embedding lookups and their
     * gradients to the ranks that own the rows.
     */
    float[][] allToAll(float[][] toEach);

    /** As {@link #allToAll(float[][])}. */
    long[][] allToAll(long[][] toEach);

    /**
     * Sends {@code length} floats to {@code peer}, which must receive them (with {@link #receive} or
     * {@link #sendReceive}) with the same length. Messages between two ranks are numbered per direction and
     * received in the order sent. May wait until the peer receives (over TCP, once the socket buffers are
     * full): two ranks that send to each other at the same time should use {@link #sendReceive}.
     */
    void send(int peer, float[] buffer, int offset, int length);

    /** Receives {@code length} floats sent by {@code peer}: the next message from it, which must be that long. */
    void receive(int peer, float[] buffer, int offset, int length);

    /**
     * Sends {@code outLength} floats to rank {@code to} while receiving {@code inLength} floats from rank
     * {@code from} (MPI's {@code Sendrecv}): both directions progress together, so ranks that exchange with
     * each other at the same time (a pipeline sending activations forward and receiving gradients back)
     * never deadlock, whatever the transport's buffers. {@code to} and {@code from} may be the same peer;
     * neither may be this rank. The messages are the point-to-point messages of {@link #send} and
     * {@link #receive} (numbered per direction with them), so either side may use either call. The checks
     * and the deadline are theirs: a message of another length fails naming both lengths; on expiry the
     * error names the operation and the rank it waited for.
     */
    void sendReceive(int to, float[] out, int outOffset, int outLength, int from, float[] in, int inOffset, int inLength);

    /** Bytes this rank has sent since creation (for telemetry). */
    long bytesSent();

    /**
     * Nanoseconds this rank has spent inside collective calls since creation (for telemetry): waiting for
     * peers and the communicator's own copying and reducing. The callbacks of the in-place collectives
     * ({@link InPlaceReduceScatter}, {@link InPlaceAllGather}) are the caller's work, done inside the call
     * only to write and read shared memory directly, and their time is not counted.
     */
    long nanosInCollectives();

    /** Releases sockets and threads; idempotent. Peers still waiting fail with a clear error. */
    @Override
    void close();
}
