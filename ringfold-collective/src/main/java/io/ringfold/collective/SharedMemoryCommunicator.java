package io.ringfold.collective;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.time.Duration;

/**
 * A {@link Communicator} for processes on one host: the collectives go through a memory mapped file that
 * every rank maps ({@link SharedSegment}), as NCCL's SHM transport and Horovod's intra-node path do, instead
 * of through loopback TCP; the byte all-gather and the point-to-point messages (send, receive, sendReceive) stay
 * on the TCP links it was built from.
 *
 * <p>Each collective is a sequence of units. In a unit every rank writes its part into its own slot, then
 * publishes the unit number (release); once every rank's number has reached the unit (acquire), each reads
 * what it needs from the others' slots. Allreduce: every rank reduces the whole chunk (two ranks, or small
 * chunks: one unit), or its slice of it, which the others then copy (two units). Floating-point values are
 * reduced in rank order 0..n-1 on every rank, so the results are bit-identical across ranks and equal to
 * {@link InProcessGroup}'s. The first unit of every call carries the call's signature (operation, type,
 * count, op, root, sequence number); every rank compares all of them before it reads any data.
 *
 * <p>Waits spin briefly, then yield, then park, and always end at the call's deadline; a peer that failed,
 * closed, or whose process has gone ends them at once. Create one with {@link Transport#over} (or
 * {@link #overTcp}); it takes ownership of the TCP communicator and closes it.
 */
public final class SharedMemoryCommunicator implements Communicator, InPlaceReduceScatter, InPlaceAllGather {

    /** Bytes per half slot: the chunk of one unit. 2 MiB holds the exact trainer's allreduce in one chunk. */
    static final int DEFAULT_HALF_BYTES = 2 << 20;
    /** Chunks up to this size are reduced whole by every rank in one unit; larger ones in slices (two units). */
    private static final int ONE_UNIT_MAX_BYTES = 64 * 1024;

    private static final byte ALLREDUCE = 1;
    private static final byte BROADCAST = 2;
    private static final byte BARRIER = 3;
    private static final byte REDUCE_SCATTER = 7;
    private static final byte ALLGATHER_BLOCKS = 8;

    private final TcpCommunicator tcp;
    private final SharedSegment seg;
    private final SharedWait wait;
    private final int rank;
    private final int size;
    private final SharedArrays.Floats floats;
    private final SharedArrays.Doubles doubles;
    private final SharedArrays.Longs longs;
    private final SharedArrays.Bytes bytes;
    private final int[] bounds;
    private final LongBuffer[] inPlaceFrom;
    private final int[] inPlaceIndex;
    private final FloatBuffer[] gatherFrom;
    private final int[] gatherIndex;
    private long unit;
    private long seq;
    private long nanos;
    private long sent;

    SharedMemoryCommunicator(TcpCommunicator tcp, SharedSegment seg, String[] processes) {
        this.tcp = tcp;
        this.seg = seg;
        this.rank = tcp.rank();
        this.size = tcp.size();
        this.wait = new SharedWait(seg, rank, processes, tcp.timeout().toNanos());
        this.floats = new SharedArrays.Floats(seg, rank);
        this.doubles = new SharedArrays.Doubles(seg, rank);
        this.longs = new SharedArrays.Longs(seg, rank);
        this.bytes = new SharedArrays.Bytes(seg, rank);
        this.bounds = new int[size + 1];
        this.inPlaceFrom = new LongBuffer[size];
        this.inPlaceIndex = new int[size];
        this.gatherFrom = new FloatBuffer[size];
        this.gatherIndex = new int[size];
    }

    /** Shared memory over {@code tcp}'s group, whose ranks must all be on this host; a collective call. */
    public static SharedMemoryCommunicator overTcp(TcpCommunicator tcp) {
        return (SharedMemoryCommunicator) Transport.SHM.over(tcp);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Duration timeout() {
        return tcp.timeout();
    }

    @Override
    public String describe() {
        return "shm rank " + rank + "/" + size + " (pid " + ProcessHandle.current().pid() + ") over " + tcp.describe();
    }

    private static void checkRange(int bufferLength, int offset, int length, String what) {
        if (offset < 0 || length < 0 || offset > bufferLength - length) {
            throw new IllegalArgumentException(what + ": offset " + offset + ", length " + length
                    + " (expected: within a buffer of " + bufferLength + ")");
        }
    }

    private void checkBlocks(int bufferLength, int offset, int block, String what) {
        long length = (long) block * size;
        if (offset < 0 || block < 0 || offset > bufferLength - length) {
            throw new IllegalArgumentException(what + ": offset " + offset + ", block " + block + " x " + size
                    + " ranks (expected: within a buffer of " + bufferLength + ")");
        }
    }

    /** Starts a call: fails at once if broken, else takes the next sequence number and sets the deadline. */
    private void begin(byte opcode, byte dtype, ReduceOp op, long count, int root) {
        wait.begin(SharedWait.signature(opcode, dtype, op == null ? -1 : op.ordinal(), root), count, ++seq);
    }

    /** Publishes the next unit (the first of a call carries its signature) and waits for every rank to reach it. */
    private long unit(boolean first) {
        long u = unit + 1;
        if (first) {
            wait.sign(u);
        }
        seg.publish(rank, u);
        unit = u;
        wait.await(u);
        if (first) {
            wait.checkSignatures(u);
        }
        return u;
    }

    @Override
    public void allReduce(float[] buffer, int offset, int length, ReduceOp op) {
        checkRange(buffer.length, offset, length, "allreduce");
        floats.a = buffer;
        floats.off = offset;
        allReduce(floats, SharedWait.FLOAT32, 4, length, op);
    }

    @Override
    public void allReduce(double[] buffer, int offset, int length, ReduceOp op) {
        checkRange(buffer.length, offset, length, "allreduce");
        doubles.a = buffer;
        doubles.off = offset;
        allReduce(doubles, SharedWait.FLOAT64, 8, length, op);
    }

    @Override
    public void allReduce(long[] buffer, int offset, int length, ReduceOp op) {
        checkRange(buffer.length, offset, length, "allreduce");
        if (op == ReduceOp.MEAN) {
            throw new IllegalArgumentException("allreduce(int64): op mean (expected: sum or max; an integer mean needs rounding)");
        }
        longs.a = buffer;
        longs.off = offset;
        allReduce(longs, SharedWait.INT64, 8, length, op);
    }

    private void allReduce(SharedArrays view, byte dtype, int elementBytes, int length, ReduceOp op) {
        long t0 = System.nanoTime();
        begin(ALLREDUCE, dtype, op, length, 0);
        try {
            if (size == 1) {
                return; // a sum, max or mean over one rank is the value itself
            }
            int chunk = seg.halfBytes / elementBytes;
            int c0 = 0;
            boolean first = true;
            do {
                int m = Math.min(chunk, length - c0);
                view.put(unit + 1, 0, c0, m);
                sent += (long) elementBytes * m;
                long u = unit(first);
                first = false;
                if (size == 2 || (long) m * elementBytes <= ONE_UNIT_MAX_BYTES) {
                    // Every rank reduces the whole chunk: one synchronisation instead of two, and with two
                    // ranks no more memory traffic than the slices.
                    view.reduce(u, 0, c0, m, op);
                } else {
                    for (int j = 0; j <= size; j++) {
                        bounds[j] = (int) ((long) m * j / size);
                    }
                    int lo = bounds[rank];
                    int hi = bounds[rank + 1];
                    view.reduce(u, lo, c0 + lo, hi - lo, op);
                    view.put(u + 1, lo, c0 + lo, hi - lo);
                    long v = unit(false);
                    for (int q = 0; q < size; q++) {
                        if (q != rank) {
                            view.get(q, v, bounds[q], c0 + bounds[q], bounds[q + 1] - bounds[q]);
                        }
                    }
                }
                c0 += m;
            } while (c0 < length);
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    @Override
    public void reduceScatter(float[] buffer, int offset, int block, ReduceOp op) {
        checkBlocks(buffer.length, offset, block, "reducescatter");
        if (op == ReduceOp.MEAN) {
            throw new IllegalArgumentException("reducescatter(float32): op mean (expected: sum or max)");
        }
        floats.a = buffer;
        floats.off = offset;
        reduceScatter(floats, SharedWait.FLOAT32, 4, block, op);
    }

    @Override
    public void reduceScatter(long[] buffer, int offset, int block, ReduceOp op) {
        checkBlocks(buffer.length, offset, block, "reducescatter");
        if (op == ReduceOp.MEAN) {
            throw new IllegalArgumentException("reducescatter(int64): op mean (expected: sum or max; an integer mean needs rounding)");
        }
        longs.a = buffer;
        longs.off = offset;
        reduceScatter(longs, SharedWait.INT64, 8, block, op);
    }

    /**
     * Chunk j holds, for every block q, the piece [j0, j0 + m) of block q at q * m in this rank's half;
     * rank r then reduces piece r over all ranks into its own block. One unit per chunk.
     */
    private void reduceScatter(SharedArrays view, byte dtype, int elementBytes, int block, ReduceOp op) {
        long t0 = System.nanoTime();
        begin(REDUCE_SCATTER, dtype, op, block, 0);
        try {
            if (size == 1) {
                return;
            }
            int piece = Math.max(1, seg.halfBytes / elementBytes / size);
            int j0 = 0;
            boolean first = true;
            do {
                int m = Math.min(piece, block - j0);
                for (int q = 0; q < size; q++) {
                    if (q != rank) {
                        view.put(unit + 1, q * m, q * block + j0, m);
                    }
                }
                sent += (long) elementBytes * m * (size - 1);
                long u = unit(first);
                first = false;
                view.reduce(u, rank * m, rank * block + j0, m, op);
                j0 += m;
            } while (j0 < block);
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    /**
     * One unit, like {@link #reduceScatter(long[], int, int, ReduceOp)} over a block that fits one piece:
     * the contributions are written where the plain call would have copied them to, then read where they
     * lie. The signature is the plain call's, so a rank on either path meets the other.
     */
    @Override
    public boolean reduceScatterInPlace(int block, Contribution contribution, Reduction reduction) {
        if (block < 0 || block > seg.halfBytes / 8 / size) {
            return false;
        }
        long t0 = System.nanoTime();
        // The callbacks are the caller's work (its conversion, its sums): not time in the collective.
        long callbacks = 0;
        begin(REDUCE_SCATTER, SharedWait.INT64, ReduceOp.SUM, block, 0);
        try {
            LongBuffer[] from = inPlaceFrom;
            int[] index = inPlaceIndex;
            if (size > 1) {
                LongBuffer mine = seg.longs[SharedSegment.slot(rank, unit + 1)];
                long c0 = System.nanoTime();
                for (int q = 0; q < size; q++) {
                    if (q != rank) {
                        contribution.write(q, mine, q * block);
                    }
                }
                callbacks += System.nanoTime() - c0;
                sent += 8L * block * (size - 1);
                long u = unit(true);
                for (int q = 0; q < size; q++) {
                    from[q] = q == rank ? null : seg.longs[SharedSegment.slot(q, u)];
                    index[q] = rank * block;
                }
            }
            long c1 = System.nanoTime();
            reduction.reduce(from, index);
            callbacks += System.nanoTime() - c1;
            java.util.Arrays.fill(from, null);
        } finally {
            nanos += System.nanoTime() - t0 - callbacks;
        }
        return true;
    }

    /**
     * One unit, like {@link #allGather(float[], int, int)} over a block that fits one half: this rank's
     * block is written where the plain call would have copied it to, the others' are read where they lie.
     * The signature is the plain call's, so a rank on either path meets the other.
     */
    @Override
    public boolean allGatherInPlace(int block, Block mine, Blocks others) {
        if (block < 0 || block > seg.halfBytes / 4) {
            return false;
        }
        long t0 = System.nanoTime();
        // As in reduceScatterInPlace, the callbacks' time is the caller's.
        long callbacks = 0;
        begin(ALLGATHER_BLOCKS, SharedWait.FLOAT32, null, block, 0);
        try {
            if (size == 1) {
                return true;
            }
            long c0 = System.nanoTime();
            mine.write(seg.floats[SharedSegment.slot(rank, unit + 1)], 0);
            callbacks += System.nanoTime() - c0;
            sent += 4L * block;
            long u = unit(true);
            for (int q = 0; q < size; q++) {
                gatherFrom[q] = q == rank ? null : seg.floats[SharedSegment.slot(q, u)];
                gatherIndex[q] = 0;
            }
            long c1 = System.nanoTime();
            others.read(gatherFrom, gatherIndex);
            callbacks += System.nanoTime() - c1;
            java.util.Arrays.fill(gatherFrom, null);
        } finally {
            nanos += System.nanoTime() - t0 - callbacks;
        }
        return true;
    }

    @Override
    public void allGather(float[] buffer, int offset, int block) {
        checkBlocks(buffer.length, offset, block, "allgather");
        floats.a = buffer;
        floats.off = offset;
        allGather(floats, SharedWait.FLOAT32, 4, block);
    }

    @Override
    public void allGather(long[] buffer, int offset, int block) {
        checkBlocks(buffer.length, offset, block, "allgather");
        longs.a = buffer;
        longs.off = offset;
        allGather(longs, SharedWait.INT64, 8, block);
    }

    private void allGather(SharedArrays view, byte dtype, int elementBytes, int block) {
        long t0 = System.nanoTime();
        begin(ALLGATHER_BLOCKS, dtype, null, block, 0);
        try {
            if (size == 1) {
                return;
            }
            int chunk = seg.halfBytes / elementBytes;
            int j0 = 0;
            boolean first = true;
            do {
                int m = Math.min(chunk, block - j0);
                view.put(unit + 1, 0, rank * block + j0, m);
                sent += (long) elementBytes * m;
                long u = unit(first);
                first = false;
                for (int q = 0; q < size; q++) {
                    if (q != rank) {
                        view.get(q, u, 0, q * block + j0, m);
                    }
                }
                j0 += m;
            } while (j0 < block);
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    @Override
    public void broadcast(float[] buffer, int offset, int length, int root) {
        checkRange(buffer.length, offset, length, "broadcast");
        floats.a = buffer;
        floats.off = offset;
        broadcast(floats, SharedWait.FLOAT32, 4, length, root);
    }

    @Override
    public void broadcast(long[] buffer, int offset, int length, int root) {
        checkRange(buffer.length, offset, length, "broadcast");
        longs.a = buffer;
        longs.off = offset;
        broadcast(longs, SharedWait.INT64, 8, length, root);
    }

    @Override
    public void broadcast(byte[] buffer, int offset, int length, int root) {
        checkRange(buffer.length, offset, length, "broadcast");
        bytes.a = buffer;
        bytes.off = offset;
        broadcast(bytes, SharedWait.BYTES, 1, length, root);
    }

    private void broadcast(SharedArrays view, byte dtype, int elementBytes, int length, int root) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("broadcast: root " + root + " (expected: 0.." + (size - 1) + ")");
        }
        long t0 = System.nanoTime();
        begin(BROADCAST, dtype, null, length, root);
        try {
            if (size == 1) {
                return;
            }
            int chunk = seg.halfBytes / elementBytes;
            int c0 = 0;
            boolean first = true;
            do {
                int m = Math.min(chunk, length - c0);
                if (rank == root) {
                    view.put(unit + 1, 0, c0, m);
                    sent += (long) elementBytes * m;
                }
                long u = unit(first);
                first = false;
                if (rank != root) {
                    view.get(root, u, 0, c0, m);
                }
                c0 += m;
            } while (c0 < length);
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    @Override
    public void barrier() {
        long t0 = System.nanoTime();
        begin(BARRIER, SharedWait.NONE, null, 0, 0);
        try {
            if (size > 1) {
                unit(true);
            }
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    /** Over TCP: contributions of any length, too rare to need the shared slots. */
    @Override
    public byte[][] allGather(byte[] mine) {
        return overTcp(true, () -> tcp.allGather(mine));
    }

    /** Over TCP, as the byte all-gather: blocks of any length, each for one rank, need no shared slots. */
    @Override
    public float[][] allToAll(float[][] toEach) {
        AllToAll.check(toEach, size);
        return overTcp(true, () -> tcp.allToAll(toEach));
    }

    @Override
    public long[][] allToAll(long[][] toEach) {
        AllToAll.check(toEach, size);
        return overTcp(true, () -> tcp.allToAll(toEach));
    }

    @Override
    public void send(int peer, float[] buffer, int offset, int length) {
        overTcp(false, () -> {
            tcp.send(peer, buffer, offset, length);
            return null;
        });
    }

    @Override
    public void receive(int peer, float[] buffer, int offset, int length) {
        overTcp(false, () -> {
            tcp.receive(peer, buffer, offset, length);
            return null;
        });
    }

    @Override
    public void sendReceive(int to, float[] out, int outOffset, int outLength, int from, float[] in, int inOffset,
            int inLength) {
        overTcp(false, () -> {
            tcp.sendReceive(to, out, outOffset, outLength, from, in, inOffset, inLength);
            return null;
        });
    }

    /**
     * A call made on the TCP links: refused at once if this communicator is broken, and its failure breaks
     * it. A collective one takes a sequence number here too, so that the shared calls' numbers stay aligned.
     */
    private <T> T overTcp(boolean collective, java.util.function.Supplier<T> call) {
        wait.throwIfBroken();
        if (collective) {
            ++seq;
        }
        try {
            return call.get();
        } catch (CollectiveException e) {
            throw wait.fail(e.getMessage(), e);
        }
    }

    @Override
    public long bytesSent() {
        return sent + tcp.bytesSent();
    }

    @Override
    public long nanosInCollectives() {
        return nanos + tcp.nanosInCollectives();
    }

    /** The first failure, or null while healthy. */
    public CollectiveException failure() {
        return wait.broken();
    }

    @Override
    public void close() {
        wait.close();
        tcp.close();
    }
}
