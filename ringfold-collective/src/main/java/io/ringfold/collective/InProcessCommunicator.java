package io.ringfold.collective;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.time.Duration;

/**
 * One rank of an {@link InProcessGroup}. An allreduce takes three synchronisation points: all buffers
 * published; each rank has reduced its slice of the elements (reading every rank's buffer, ranks in
 * order) into a private array; each rank has written its slice into every rank's buffer. The in-place
 * reduce-scatter and all-gather take one, through this rank's {@link InProcessSlots}.
 */
final class InProcessCommunicator implements Communicator, InPlaceReduceScatter, InPlaceAllGather {

    private final InProcessGroup group;
    private final int rank;
    private long seq;
    private float[] floatSlice = new float[0];
    private double[] doubleSlice = new double[0];
    private long[] longSlice = new long[0];
    private long nanos;
    private long bytes;
    private final LongBuffer[] inPlaceFrom;
    private final FloatBuffer[] gatherFrom;
    private final int[] inPlaceIndex;
    /**
     * The in-place calls' signatures for the last block size each saw: the trainer makes them every step
     * with the same block, so they are built once, not per call.
     */
    private int reduceScatterBlock = -1;
    private String reduceScatterSig;
    private int allGatherBlock = -1;
    private String allGatherSig;

    InProcessCommunicator(InProcessGroup group, int rank) {
        this.group = group;
        this.rank = rank;
        this.inPlaceFrom = new LongBuffer[group.size()];
        this.gatherFrom = new FloatBuffer[group.size()];
        this.inPlaceIndex = new int[group.size()];
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return group.size();
    }

    @Override
    public Duration timeout() {
        return group.timeout();
    }

    @Override
    public String describe() {
        return "in-process rank " + rank + "/" + group.size();
    }

    private void check(int bufferLength, int offset, int length, String what) {
        if (offset < 0 || length < 0 || offset > bufferLength - length) {
            throw new IllegalArgumentException(what + ": offset " + offset + ", length " + length
                    + " (expected: within a buffer of " + bufferLength + ")");
        }
    }

    private int lo(int length) {
        return (int) ((long) length * rank / group.size());
    }

    private int hi(int length) {
        return (int) ((long) length * (rank + 1) / group.size());
    }

    @Override
    public void allReduce(float[] buffer, int offset, int length, ReduceOp op) {
        allReduceArray(buffer, offset, length, op, "float32", 4, this::reduceFloats);
    }

    @Override
    public void allReduce(double[] buffer, int offset, int length, ReduceOp op) {
        allReduceArray(buffer, offset, length, op, "float64", 8, this::reduceDoubles);
    }

    @Override
    public void allReduce(long[] buffer, int offset, int length, ReduceOp op) {
        if (op == ReduceOp.MEAN) {
            throw new IllegalArgumentException("allreduce(int64): op mean (expected: sum or max; an integer mean needs rounding)");
        }
        allReduceArray(buffer, offset, length, op, "int64", 8, this::reduceLongs);
    }

    /** Reduces elements [lo, lo+len) of every rank's buffer, ranks in order, into this rank's slice array. */
    private interface SliceReduction {
        Object reduce(int lo, int len, ReduceOp op, int n);
    }

    /**
     * The allreduce of every element type: publish, reduce this rank's slice reading every rank's buffer
     * (ranks in order 0..n-1: one fixed summation order per group size), write the slice into every
     * rank's buffer, and wait for all. Each rank reads and then writes only its own slice of every buffer,
     * so no synchronisation is needed between the two.
     */
    private void allReduceArray(Object buffer, int offset, int length, ReduceOp op, String type, int elementBytes,
                                SliceReduction reduction) {
        check(java.lang.reflect.Array.getLength(buffer), offset, length, "allreduce");
        long t0 = System.nanoTime();
        long s = ++seq;
        String sig = "allreduce(" + type + " x " + length + ", " + op.name().toLowerCase() + ")";
        group.arrive(rank, s, sig, buffer, offset);
        int lo = lo(length);
        int hi = hi(length);
        int n = group.size();
        Object slice = reduction.reduce(lo, hi - lo, op, n);
        for (int r = 0; r < n; r++) {
            System.arraycopy(slice, 0, group.buffer(r), group.offset(r) + lo, hi - lo);
        }
        group.await(rank, s, sig);
        account(t0, (long) elementBytes * length);
    }

    private float[] reduceFloats(int lo, int len, ReduceOp op, int n) {
        if (floatSlice.length < len) {
            floatSlice = new float[len];
        }
        float[] acc = floatSlice;
        System.arraycopy(group.buffer(0), group.offset(0) + lo, acc, 0, len);
        for (int r = 1; r < n; r++) {
            float[] v = (float[]) group.buffer(r);
            int vo = group.offset(r) + lo;
            if (op == ReduceOp.MAX) {
                for (int i = 0; i < len; i++) {
                    acc[i] = Math.max(acc[i], v[vo + i]);
                }
            } else {
                for (int i = 0; i < len; i++) {
                    acc[i] += v[vo + i];
                }
            }
        }
        if (op == ReduceOp.MEAN) {
            for (int i = 0; i < len; i++) {
                acc[i] /= n;
            }
        }
        return acc;
    }

    private double[] reduceDoubles(int lo, int len, ReduceOp op, int n) {
        if (doubleSlice.length < len) {
            doubleSlice = new double[len];
        }
        double[] acc = doubleSlice;
        System.arraycopy(group.buffer(0), group.offset(0) + lo, acc, 0, len);
        for (int r = 1; r < n; r++) {
            double[] v = (double[]) group.buffer(r);
            int vo = group.offset(r) + lo;
            if (op == ReduceOp.MAX) {
                for (int i = 0; i < len; i++) {
                    acc[i] = Math.max(acc[i], v[vo + i]);
                }
            } else {
                for (int i = 0; i < len; i++) {
                    acc[i] += v[vo + i];
                }
            }
        }
        if (op == ReduceOp.MEAN) {
            for (int i = 0; i < len; i++) {
                acc[i] /= n;
            }
        }
        return acc;
    }

    private long[] reduceLongs(int lo, int len, ReduceOp op, int n) {
        if (longSlice.length < len) {
            longSlice = new long[len];
        }
        long[] acc = longSlice;
        System.arraycopy(group.buffer(0), group.offset(0) + lo, acc, 0, len);
        for (int r = 1; r < n; r++) {
            long[] v = (long[]) group.buffer(r);
            int vo = group.offset(r) + lo;
            if (op == ReduceOp.MAX) {
                for (int i = 0; i < len; i++) {
                    acc[i] = Math.max(acc[i], v[vo + i]);
                }
            } else {
                for (int i = 0; i < len; i++) {
                    acc[i] += v[vo + i];
                }
            }
        }
        return acc;
    }

    @Override
    public void reduceScatter(float[] buffer, int offset, int block, ReduceOp op) {
        if (op == ReduceOp.MEAN) {
            throw new IllegalArgumentException("reducescatter(float32): op mean (expected: sum or max)");
        }
        checkBlocks(buffer.length, offset, block, "reducescatter");
        String sig = "reducescatter(float32 x " + block + " per rank, " + op.name().toLowerCase() + ")";
        long t0 = System.nanoTime();
        long s = ++seq;
        group.arrive(rank, s, sig, buffer, offset);
        // Ranks in order 0..n-1, as in the allreduce: one fixed order of float additions per group size.
        float[] acc = reduceFloats(rank * block, block, op, group.size());
        System.arraycopy(acc, 0, buffer, offset + rank * block, block);
        finishBlocks(t0, s, sig, 4L * block);
    }

    @Override
    public void reduceScatter(long[] buffer, int offset, int block, ReduceOp op) {
        if (op == ReduceOp.MEAN) {
            throw new IllegalArgumentException("reducescatter(int64): op mean (expected: sum or max; an integer mean needs rounding)");
        }
        checkBlocks(buffer.length, offset, block, "reducescatter");
        String sig = "reducescatter(int64 x " + block + " per rank, " + op.name().toLowerCase() + ")";
        long t0 = System.nanoTime();
        long s = ++seq;
        group.arrive(rank, s, sig, buffer, offset);
        int at = offset + rank * block;
        // Integer SUM and MAX are exact in any order: add the others straight into this rank's block.
        for (int r = 0; r < group.size(); r++) {
            if (r == rank) {
                continue;
            }
            long[] v = (long[]) group.buffer(r);
            int vo = group.offset(r) + rank * block;
            if (op == ReduceOp.MAX) {
                for (int i = 0; i < block; i++) {
                    buffer[at + i] = Math.max(buffer[at + i], v[vo + i]);
                }
            } else {
                for (int i = 0; i < block; i++) {
                    buffer[at + i] += v[vo + i];
                }
            }
        }
        finishBlocks(t0, s, sig, 8L * block);
    }

    @Override
    public void allGather(float[] buffer, int offset, int block) {
        checkBlocks(buffer.length, offset, block, "allgather");
        gatherBlocks(buffer, offset, block, "allgather(float32 x " + block + " per rank)", 4);
    }

    @Override
    public void allGather(long[] buffer, int offset, int block) {
        checkBlocks(buffer.length, offset, block, "allgather");
        gatherBlocks(buffer, offset, block, "allgather(int64 x " + block + " per rank)", 8);
    }

    /**
     * This rank's contributions to the others' blocks go into its slot, then, after the call's one
     * synchronisation point, it adds up its own block reading the others' slots where they lie. The
     * signature names the in-place call: its ranks read slots, not the arrays a plain call publishes, so a
     * rank making the plain call against it fails as a mismatch rather than reading the wrong thing.
     */
    @Override
    public boolean reduceScatterInPlace(int block, Contribution contribution, Reduction reduction) {
        int n = group.size();
        if (block < 0 || 8L * n * block > InProcessSlots.MAX_BYTES) {
            return false;
        }
        long t0 = System.nanoTime();
        long s = ++seq;
        if (block != reduceScatterBlock) {
            reduceScatterSig = "reducescatter(int64 x " + block + " per rank, sum, in place)";
            reduceScatterBlock = block;
        }
        String sig = reduceScatterSig;
        // The callbacks are the caller's work (its conversion, its sums): not time in the collective.
        long callbacks = 0;
        LongBuffer mine = null;
        if (n > 1) {
            mine = group.slots(rank).longsToWrite(s, (long) n * block);
            long c0 = System.nanoTime();
            for (int q = 0; q < n; q++) {
                if (q != rank) {
                    contribution.write(q, mine, q * block);
                }
            }
            callbacks += System.nanoTime() - c0;
        }
        group.arrive(rank, s, sig, null, 0);
        for (int q = 0; q < n; q++) {
            inPlaceFrom[q] = q == rank ? null : group.slots(q).longsWritten(s);
            inPlaceIndex[q] = rank * block;
        }
        long c1 = System.nanoTime();
        try {
            reduction.reduce(inPlaceFrom, inPlaceIndex);
        } finally {
            callbacks += System.nanoTime() - c1;
            java.util.Arrays.fill(inPlaceFrom, null);
        }
        account(t0 + callbacks, 8L * block * (n - 1));
        return true;
    }

    /**
     * This rank's block goes into its slot; after the call's one synchronisation point, it reads the others'
     * where they lie. Named as an in-place call, as {@link #reduceScatterInPlace} is and for the same reason.
     */
    @Override
    public boolean allGatherInPlace(int block, Block mine, Blocks others) {
        int n = group.size();
        if (block < 0 || 4L * block > InProcessSlots.MAX_BYTES) {
            return false;
        }
        long t0 = System.nanoTime();
        long s = ++seq;
        if (block != allGatherBlock) {
            allGatherSig = "allgather(float32 x " + block + " per rank, in place)";
            allGatherBlock = block;
        }
        String sig = allGatherSig;
        // As in reduceScatterInPlace, the callbacks' time is the caller's.
        long callbacks = 0;
        if (n > 1) {
            FloatBuffer slot = group.slots(rank).floatsToWrite(s, block);
            long c0 = System.nanoTime();
            mine.write(slot, 0);
            callbacks += System.nanoTime() - c0;
        }
        group.arrive(rank, s, sig, null, 0);
        if (n > 1) {
            for (int q = 0; q < n; q++) {
                gatherFrom[q] = q == rank ? null : group.slots(q).floatsWritten(s);
                inPlaceIndex[q] = 0;
            }
            long c1 = System.nanoTime();
            try {
                others.read(gatherFrom, inPlaceIndex);
            } finally {
                callbacks += System.nanoTime() - c1;
                java.util.Arrays.fill(gatherFrom, null);
            }
        }
        account(t0 + callbacks, 4L * block * (n - 1));
        return true;
    }

    private void gatherBlocks(Object buffer, int offset, int block, String sig, int elementBytes) {
        long t0 = System.nanoTime();
        long s = ++seq;
        group.arrive(rank, s, sig, buffer, offset);
        for (int r = 0; r < group.size(); r++) {
            if (r != rank) {
                System.arraycopy(group.buffer(r), group.offset(r) + r * block, buffer, offset + r * block, block);
            }
        }
        finishBlocks(t0, s, sig, (long) elementBytes * block);
    }

    private void checkBlocks(int bufferLength, int offset, int block, String what) {
        long length = (long) block * group.size();
        if (offset < 0 || block < 0 || offset > bufferLength - length) {
            throw new IllegalArgumentException(what + ": offset " + offset + ", block " + block + " x " + group.size()
                    + " ranks (expected: within a buffer of " + bufferLength + ")");
        }
    }

    /**
     * The end of a block call. Each rank reads the others' buffers but writes only its own (block {@code
     * rank} for a reduce-scatter, the other blocks for an all-gather, which nobody else reads), so the one
     * synchronisation point needed is this: nobody returns, and changes its buffer, before all have read.
     * Bytes are counted as a ring would send them ((n-1) blocks), so telemetry compares across transports.
     */
    private void finishBlocks(long t0, long s, String sig, long blockBytes) {
        group.await(rank, s, sig);
        account(t0, blockBytes * (group.size() - 1));
    }

    private void broadcastArray(Object buffer, int offset, int length, int root, String type) {
        if (root < 0 || root >= group.size()) {
            throw new IllegalArgumentException("broadcast: root " + root + " (expected: 0.." + (group.size() - 1) + ")");
        }
        long t0 = System.nanoTime();
        long s = ++seq;
        String sig = "broadcast(" + type + " x " + length + ", root " + root + ")";
        group.arrive(rank, s, sig, buffer, offset);
        if (rank != root) {
            System.arraycopy(group.buffer(root), group.offset(root), buffer, offset, length);
        }
        group.await(rank, s, sig);
        account(t0, rank == root ? 0 : length);
    }

    @Override
    public void broadcast(float[] buffer, int offset, int length, int root) {
        check(buffer.length, offset, length, "broadcast");
        broadcastArray(buffer, offset, length, root, "float32");
    }

    @Override
    public void broadcast(long[] buffer, int offset, int length, int root) {
        check(buffer.length, offset, length, "broadcast");
        broadcastArray(buffer, offset, length, root, "int64");
    }

    @Override
    public void broadcast(byte[] buffer, int offset, int length, int root) {
        check(buffer.length, offset, length, "broadcast");
        broadcastArray(buffer, offset, length, root, "bytes");
    }

    @Override
    public void barrier() {
        long t0 = System.nanoTime();
        long s = ++seq;
        group.arrive(rank, s, "barrier", null, 0);
        account(t0, 0);
    }

    @Override
    public byte[][] allGather(byte[] mine) {
        long t0 = System.nanoTime();
        long s = ++seq;
        String sig = "allgather(bytes)";
        group.arrive(rank, s, sig, mine, 0);
        byte[][] all = new byte[group.size()][];
        for (int r = 0; r < all.length; r++) {
            all[r] = ((byte[]) group.buffer(r)).clone();
        }
        group.await(rank, s, sig);
        account(t0, mine.length);
        return all;
    }

    @Override
    public float[][] allToAll(float[][] toEach) {
        return allToAll(toEach, new float[group.size()][], "float32", 4);
    }

    @Override
    public long[][] allToAll(long[][] toEach) {
        return allToAll(toEach, new long[group.size()][], "int64", 8);
    }

    /**
     * Every rank publishes its blocks and copies the one addressed to it out of every rank's; nobody
     * returns, and lets its caller change its blocks, before all have copied. The blocks are the senders'
     * own arrays in this JVM, so no declared length needs a limit before a copy is allocated.
     */
    private <T> T[] allToAll(T[] toEach, T[] fromEach, String type, int elementBytes) {
        AllToAll.check(toEach, group.size());
        long t0 = System.nanoTime();
        long s = ++seq;
        String sig = "alltoall(" + type + ")";
        group.arrive(rank, s, sig, toEach, 0);
        long sent = 0;
        for (int q = 0; q < group.size(); q++) {
            @SuppressWarnings("unchecked")
            T[] theirs = (T[]) group.buffer(q);
            fromEach[q] = AllToAll.copy(toEach, theirs[rank]);
            if (q != rank) {
                sent += (long) elementBytes * AllToAll.length(toEach[q]);
            }
        }
        group.await(rank, s, sig);
        account(t0, sent);
        return fromEach;
    }

    @Override
    public void send(int peer, float[] buffer, int offset, int length) {
        check(buffer.length, offset, length, "send");
        checkPeer(peer, "send");
        group.post(rank, peer, java.util.Arrays.copyOfRange(buffer, offset, offset + length));
        bytes += 4L * length;
    }

    @Override
    public void receive(int peer, float[] buffer, int offset, int length) {
        check(buffer.length, offset, length, "receive");
        checkPeer(peer, "receive");
        long t0 = System.nanoTime();
        take(peer, buffer, offset, length, "receive(float32 x " + length + ") from rank " + peer);
        nanos += System.nanoTime() - t0;
    }

    /** Posting never waits (mailboxes are unbounded), so send-then-receive is already both at once. */
    @Override
    public void sendReceive(int to, float[] out, int outOffset, int outLength, int from, float[] in, int inOffset,
            int inLength) {
        check(out.length, outOffset, outLength, "sendreceive");
        check(in.length, inOffset, inLength, "sendreceive");
        checkPeer(to, "sendreceive");
        checkPeer(from, "sendreceive");
        long t0 = System.nanoTime();
        group.post(rank, to, java.util.Arrays.copyOfRange(out, outOffset, outOffset + outLength));
        bytes += 4L * outLength;
        take(from, in, inOffset, inLength, "sendreceive(float32 x " + outLength + " to rank " + to + ", float32 x "
                + inLength + " from rank " + from + ")");
        nanos += System.nanoTime() - t0;
    }

    /** The next message from {@code peer} into {@code buffer}; one of another length breaks the group. */
    private void take(int peer, float[] buffer, int offset, int length, String what) {
        float[] msg = group.take(peer, rank, what);
        if (msg.length != length) {
            group.fail(new CollectiveException(what + " on rank " + rank + "/" + group.size() + ": rank " + peer
                    + " sent float32 x " + msg.length + " (expected: float32 x " + length + ")"));
        }
        System.arraycopy(msg, 0, buffer, offset, length);
    }

    private void checkPeer(int peer, String what) {
        if (peer < 0 || peer >= group.size() || peer == rank) {
            throw new IllegalArgumentException(what + ": peer " + peer + " (expected: another rank in 0.."
                    + (group.size() - 1) + ")");
        }
    }

    private void account(long t0, long sent) {
        nanos += System.nanoTime() - t0;
        bytes += sent;
    }

    @Override
    public long bytesSent() {
        return bytes;
    }

    @Override
    public long nanosInCollectives() {
        return nanos;
    }

    @Override
    public void close() {
        group.close(rank);
    }
}
