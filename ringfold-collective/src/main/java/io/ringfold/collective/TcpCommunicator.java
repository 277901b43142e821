package io.ringfold.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;

/**
 * A {@link Communicator} for processes on one or many machines, over a full mesh of TCP connections.
 * Allreduces of at most {@link TcpOptions#smallMaxBytes()} use recursive doubling (log2 n exchanges of
 * the whole buffer; non-powers of two fold the extra ranks in first and out last, as in Thakur,
 * Rabenseifner and Gropp, "Optimization of collective communication operations in MPICH", 2005); larger
 * ones a pipelined, chunked ring (reduce-scatter then all-gather: 2(n-1)/n of the buffer sent per rank).
 * Every frame carries a header checked by the receiver ({@link Frame}); every wait has the call's
 * deadline; the first failure breaks the communicator and is sent to the peers.
 *
 * <p>Create one with {@link TcpRendezvous#join} (rank 0's host:port) or {@link #connect} (an address
 * list). One thread per rank uses it; it starts no threads of its own.
 */
public final class TcpCommunicator implements Communicator {

    private final TcpLinks net;
    private final TcpOptions options;
    private final int rank;
    private final int size;
    private final ArrayView.Floats floats;
    /** The receiving side of calls that send one array and receive another; never reduces, so no scratch. */
    private final ArrayView.Floats floatsIn = new ArrayView.Floats(0);
    private final ArrayView.Longs longsIn = new ArrayView.Longs(0);
    private final ArrayView.Doubles doubles;
    private final ArrayView.Longs longs;
    private final ArrayView.Bytes bytes = new ArrayView.Bytes();
    private final Transfer.Ring ring = new Transfer.Ring();
    private final Transfer.Whole whole = new Transfer.Whole();
    private final Transfer.Pair pair = new Transfer.Pair();
    private final int[] bounds;
    private final long[] sendSeq;
    private final long[] recvSeq;
    private long seq;
    private long nanos;

    TcpCommunicator(int rank, InetSocketAddress[] addresses, SocketChannel[] channels, TcpOptions options)
            throws IOException {
        this.rank = rank;
        this.size = addresses.length;
        this.options = options;
        this.net = new TcpLinks(rank, addresses[rank], addresses, channels, options);
        this.floats = new ArrayView.Floats(options.chunkBytes() / 4);
        this.doubles = new ArrayView.Doubles(options.chunkBytes() / 8);
        this.longs = new ArrayView.Longs(options.chunkBytes() / 8);
        this.bounds = new int[size + 1];
        this.sendSeq = new long[size];
        this.recvSeq = new long[size];
        ring.n = size;
        ring.rank = rank;
    }

    /**
     * Joins a group whose addresses are known to every rank (for example gathered by Spark's barrier
     * all-gather): {@code addresses.get(i)} is where rank i listens; {@code endpoint} is this rank's own,
     * already bound listening socket (its address is the one at index {@code rank}). Rank i connects to
     * the ranks below it and accepts the ones above. The communicator owns and closes the endpoint.
     */
    public static TcpCommunicator connect(TcpEndpoint endpoint, int rank, List<InetSocketAddress> addresses,
            TcpOptions options) {
        return TcpMesh.connect(endpoint, rank, addresses, options);
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
        return options.timeout();
    }

    public TcpOptions options() {
        return options;
    }

    /** Where the other ranks reach this one: the address it advertised when the group formed. */
    public InetSocketAddress address() {
        return net.self;
    }

    @Override
    public String describe() {
        return "tcp rank " + rank + "/" + size + " at " + TcpEndpoint.format(net.self);
    }

    private static void checkRange(int bufferLength, int offset, int length, String what) {
        if (offset < 0 || length < 0 || offset > bufferLength - length) {
            throw new IllegalArgumentException(what + ": offset " + offset + ", length " + length
                    + " (expected: within a buffer of " + bufferLength + ")");
        }
    }

    @Override
    public void allReduce(float[] buffer, int offset, int length, ReduceOp op) {
        checkRange(buffer.length, offset, length, "allreduce");
        floats.a = buffer;
        floats.off = offset;
        reduce(floats, Frame.FLOAT32, length, op);
    }

    @Override
    public void allReduce(double[] buffer, int offset, int length, ReduceOp op) {
        checkRange(buffer.length, offset, length, "allreduce");
        doubles.a = buffer;
        doubles.off = offset;
        reduce(doubles, Frame.FLOAT64, length, op);
    }

    @Override
    public void allReduce(long[] buffer, int offset, int length, ReduceOp op) {
        checkRange(buffer.length, offset, length, "allreduce");
        if (op == ReduceOp.MEAN) {
            throw new IllegalArgumentException("allreduce(int64): op mean (expected: sum or max; an integer mean needs rounding)");
        }
        longs.a = buffer;
        longs.off = offset;
        reduce(longs, Frame.INT64, length, op);
    }

    private void reduce(ArrayView view, byte dtype, int length, ReduceOp op) {
        long t0 = System.nanoTime();
        view.op = op;
        net.begin(Frame.ALLREDUCE, dtype, (byte) op.ordinal(), ++seq, length, 0);
        try {
            if ((long) length * view.elementBytes() <= options.smallMaxBytes() || size == 1) {
                recursiveDoubling(view, length);
                if (op == ReduceOp.MEAN && size > 1) {
                    view.divide(0, length, size);
                }
            } else {
                ringAllReduce(view, length, op == ReduceOp.MEAN);
            }
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    /** Recursive doubling over the largest power of two p <= n; ranks below 2(n-p) pair up around it. */
    private void recursiveDoubling(ArrayView view, int length) {
        if (size == 1) {
            return;
        }
        whole.view = view;
        whole.length = length;
        whole.chunkElems = options.chunkBytes() / view.elementBytes();
        int p = Integer.highestOneBit(size);
        int rem = size - p;
        int newRank;
        if (rank < 2 * rem) {
            if (rank % 2 == 0) {
                exchange(rank + 1, -1, false, 0); // fold into the odd neighbour, which joins the doubling
                newRank = -1;
            } else {
                exchange(-1, rank - 1, true, 0);
                newRank = rank / 2;
            }
        } else {
            newRank = rank - rem;
        }
        if (newRank >= 0) {
            int step = 1;
            for (int mask = 1; mask < p; mask <<= 1, step++) {
                int partnerNew = newRank ^ mask;
                int partner = partnerNew < rem ? partnerNew * 2 + 1 : partnerNew + rem;
                // Both sides compute mine + theirs: IEEE addition commutes, so both hold the same bits.
                exchange(partner, partner, true, step);
            }
        }
        if (rank < 2 * rem) {
            if (rank % 2 == 1) {
                exchange(rank - 1, -1, false, 1000);
            } else {
                exchange(-1, rank + 1, false, 1000);
            }
        }
    }

    /** Sends the whole buffer to {@code to} while receiving it from {@code from} (-1: none). */
    private void exchange(int to, int from, boolean reduce, int step) {
        whole.reduce = reduce;
        whole.frameBase = step * 1_000_000;
        whole.sendFrames = to >= 0 ? whole.frames() : 0;
        whole.recvFrames = from >= 0 ? whole.frames() : 0;
        whole.lag = Transfer.INDEPENDENT;
        net.run(to >= 0 ? net.link(to) : null, from >= 0 ? net.link(from) : null, whole);
    }

    private void ringAllReduce(ArrayView view, int length, boolean mean) {
        for (int j = 0; j <= size; j++) {
            bounds[j] = (int) ((long) length * j / size);
        }
        ring.view = view;
        ring.mean = mean;
        ring.segments(bounds, options.chunkBytes() / view.elementBytes(), 0, 2 * (size - 1), size - 1);
        net.run(net.link((rank + 1) % size), net.link((rank + size - 1) % size), ring);
    }

    @Override
    public void reduceScatter(float[] buffer, int offset, int block, ReduceOp op) {
        checkBlocks(buffer.length, offset, block, "reducescatter");
        if (op == ReduceOp.MEAN) {
            throw new IllegalArgumentException("reducescatter(float32): op mean (expected: sum or max)");
        }
        floats.a = buffer;
        floats.off = offset;
        blocks(floats, Frame.REDUCE_SCATTER, Frame.FLOAT32, block, op);
    }

    @Override
    public void reduceScatter(long[] buffer, int offset, int block, ReduceOp op) {
        checkBlocks(buffer.length, offset, block, "reducescatter");
        if (op == ReduceOp.MEAN) {
            throw new IllegalArgumentException("reducescatter(int64): op mean (expected: sum or max; an integer mean needs rounding)");
        }
        longs.a = buffer;
        longs.off = offset;
        blocks(longs, Frame.REDUCE_SCATTER, Frame.INT64, block, op);
    }

    @Override
    public void allGather(float[] buffer, int offset, int block) {
        checkBlocks(buffer.length, offset, block, "allgather");
        floats.a = buffer;
        floats.off = offset;
        blocks(floats, Frame.ALLGATHER_BLOCKS, Frame.FLOAT32, block, null);
    }

    @Override
    public void allGather(long[] buffer, int offset, int block) {
        checkBlocks(buffer.length, offset, block, "allgather");
        longs.a = buffer;
        longs.off = offset;
        blocks(longs, Frame.ALLGATHER_BLOCKS, Frame.INT64, block, null);
    }

    private void checkBlocks(int bufferLength, int offset, int block, String what) {
        long length = (long) block * size;
        if (offset < 0 || block < 0 || offset > bufferLength - length) {
            throw new IllegalArgumentException(what + ": offset " + offset + ", block " + block + " x " + size
                    + " ranks (expected: within a buffer of " + bufferLength + ")");
        }
    }

    /**
     * The halves of the ring allreduce on their own, with segment j = block j: a reduce-scatter runs
     * steps 1..n-1 (rank r sends block r-1 first and ends holding block r reduced), an all-gather steps
     * n..2n-2 (rank r sends its own block first). Whatever the size, the ring: with equal blocks it moves
     * (n-1)/n of the buffer per rank, and a sharded update needs each rank to own its block.
     */
    private void blocks(ArrayView view, byte opcode, byte dtype, int block, ReduceOp op) {
        long t0 = System.nanoTime();
        view.op = op;
        net.begin(opcode, dtype, op == null ? (byte) -1 : (byte) op.ordinal(), ++seq, (long) block * size, 0);
        try {
            if (size == 1) {
                return;
            }
            for (int j = 0; j <= size; j++) {
                bounds[j] = j * block;
            }
            ring.view = view;
            ring.mean = false;
            boolean reduce = opcode == Frame.REDUCE_SCATTER;
            ring.segments(bounds, options.chunkBytes() / view.elementBytes(), reduce ? 1 : size, size - 1,
                    reduce ? size : 0);
            net.run(net.link((rank + 1) % size), net.link((rank + size - 1) % size), ring);
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    @Override
    public void broadcast(float[] buffer, int offset, int length, int root) {
        checkRange(buffer.length, offset, length, "broadcast");
        floats.a = buffer;
        floats.off = offset;
        broadcast(floats, Frame.FLOAT32, length, root);
    }

    @Override
    public void broadcast(long[] buffer, int offset, int length, int root) {
        checkRange(buffer.length, offset, length, "broadcast");
        longs.a = buffer;
        longs.off = offset;
        broadcast(longs, Frame.INT64, length, root);
    }

    @Override
    public void broadcast(byte[] buffer, int offset, int length, int root) {
        checkRange(buffer.length, offset, length, "broadcast");
        bytes.a = buffer;
        bytes.off = offset;
        broadcast(bytes, Frame.BYTES, length, root);
    }

    /** Small: binomial tree (log2 n hops). Large: a pipelined chain root, root+1, ... (each byte sent once per rank). */
    private void broadcast(ArrayView view, byte dtype, int length, int root) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("broadcast: root " + root + " (expected: 0.." + (size - 1) + ")");
        }
        long t0 = System.nanoTime();
        net.begin(Frame.BROADCAST, dtype, (byte) -1, ++seq, length, root);
        try {
            if (size == 1) {
                return;
            }
            whole.view = view;
            whole.length = length;
            whole.chunkElems = options.chunkBytes() / view.elementBytes();
            whole.reduce = false;
            whole.frameBase = 0;
            int v = (rank - root + size) % size;
            if ((long) length * view.elementBytes() <= options.smallMaxBytes()) {
                int mask = 1;
                while (mask < size) {
                    if ((v & mask) != 0) {
                        exchange(-1, (v - mask + root) % size, false, 0);
                        break;
                    }
                    mask <<= 1;
                }
                for (mask >>= 1; mask > 0; mask >>= 1) {
                    if (v + mask < size) {
                        exchange((v + mask + root) % size, -1, false, 0);
                    }
                }
            } else {
                whole.sendFrames = v + 1 < size ? whole.frames() : 0;
                whole.recvFrames = v > 0 ? whole.frames() : 0;
                whole.lag = v > 0 ? 0 : Transfer.INDEPENDENT; // forward a chunk once it has arrived
                net.run(v + 1 < size ? net.link((rank + 1) % size) : null, v > 0 ? net.link((rank + size - 1) % size) : null,
                        whole);
            }
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    @Override
    public void barrier() {
        long t0 = System.nanoTime();
        net.begin(Frame.BARRIER, Frame.NONE, (byte) -1, ++seq, 0, 0);
        try {
            recursiveDoubling(longs, 0);
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    @Override
    public byte[][] allGather(byte[] mine) {
        long t0 = System.nanoTime();
        long s = ++seq;
        try {
            long[] lengths = new long[size];
            lengths[rank] = mine.length;
            net.begin(Frame.ALLGATHER, Frame.INT64, (byte) ReduceOp.SUM.ordinal(), s, size, 0);
            longs.a = lengths;
            longs.off = 0;
            longs.op = ReduceOp.SUM;
            recursiveDoubling(longs, size);
            int[] b = new int[size + 1];
            for (int r = 0; r < size; r++) {
                if (b[r] + lengths[r] > Integer.MAX_VALUE) {
                    throw net.fail(net.call() + ": the contributions add up to more than " + Integer.MAX_VALUE
                            + " bytes (expected: at most that)", null);
                }
                b[r + 1] = (int) (b[r] + lengths[r]);
            }
            byte[] all = new byte[b[size]];
            System.arraycopy(mine, 0, all, b[rank], mine.length);
            if (size > 1) {
                net.begin(Frame.ALLGATHER, Frame.BYTES, (byte) -1, s, b[size], 0);
                bytes.a = all;
                bytes.off = 0;
                Transfer.Ring g = new Transfer.Ring();
                g.view = bytes;
                g.n = size;
                g.rank = rank;
                g.segments(b, options.chunkBytes(), size, size - 1, 0);
                net.run(net.link((rank + 1) % size), net.link((rank + size - 1) % size), g);
            }
            byte[][] out = new byte[size][];
            for (int r = 0; r < size; r++) {
                out[r] = java.util.Arrays.copyOfRange(all, b[r], b[r + 1]);
            }
            return out;
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    @Override
    public float[][] allToAll(float[][] toEach) {
        return allToAll(toEach, new float[size][], floats, floatsIn, Frame.FLOAT32);
    }

    @Override
    public long[][] allToAll(long[][] toEach) {
        return allToAll(toEach, new long[size][], longs, longsIn, Frame.INT64);
    }

    /**
     * The block lengths first: an int64 sum of the n x n matrix whose row r only rank r fills (recursive
     * doubling), checked by every rank against {@link TcpOptions#maxMessageBytes} before anything is
     * allocated, so that all fail alike. Then the pairwise exchange: in step k = 1..n-1 each rank sends to
     * rank + k while it receives from rank - k, both in the one event loop; an empty block is not sent.
     */
    private <T> T[] allToAll(T[] toEach, T[] fromEach, ArrayView out, ArrayView in, byte dtype) {
        AllToAll.check(toEach, size);
        long t0 = System.nanoTime();
        net.begin(Frame.ALLTOALL_LENGTHS, Frame.INT64, dtype, ++seq, (long) size * size, 0);
        try {
            long[] lengths = new long[size * size];
            for (int q = 0; q < size; q++) {
                lengths[rank * size + q] = AllToAll.length(toEach[q]);
            }
            longs.point(lengths, 0);
            longs.op = ReduceOp.SUM;
            recursiveDoubling(longs, lengths.length);
            checkDeclared(lengths, out.elementBytes(), dtype);
            fromEach[rank] = AllToAll.copy(toEach, toEach[rank]);
            for (int k = 1; k < size; k++) {
                int to = (rank + k) % size;
                int from = (rank - k + size) % size;
                int outLength = AllToAll.length(toEach[to]);
                int inLength = (int) lengths[from * size + rank];
                fromEach[from] = AllToAll.newBlock(toEach, inLength);
                net.part(Frame.ALLTOALL, dtype, (byte) -1, outLength);
                net.direct(seq, outLength, seq, inLength);
                out.point(toEach[to], 0);
                in.point(fromEach[from], 0);
                pair.out = out;
                pair.outLength = outLength;
                pair.in = in;
                pair.inLength = inLength;
                pair.chunkElems = options.chunkBytes() / out.elementBytes();
                pair.sendFrames = pair.frames(outLength, outLength == 0);
                pair.recvFrames = pair.frames(inLength, inLength == 0);
                pair.frameBase = 0;
                pair.lag = Transfer.INDEPENDENT;
                net.run(net.link(to), net.link(from), pair);
            }
            return fromEach;
        } finally {
            out.point(null, 0);
            in.point(null, 0);
            nanos += System.nanoTime() - t0;
        }
    }

    /** Every declared block, as every rank sees it: none negative or above the limit. */
    private void checkDeclared(long[] lengths, int elementBytes, byte dtype) {
        long most = options.maxMessageBytes() / elementBytes;
        for (int q = 0; q < size; q++) {
            for (int r = 0; r < size; r++) {
                long declared = lengths[q * size + r];
                if (declared < 0 || declared > most) {
                    String type = Frame.dtypeName(dtype);
                    throw net.fail(net.call() + ": " + net.name(q) + " declared a block of " + type + " x " + declared
                            + " for rank " + r + " (expected: 0.." + most + ", the " + options.maxMessageBytes()
                            + " bytes of TcpOptions.maxMessageBytes)", null);
                }
            }
        }
    }

    private void checkPeer(int peer, String what) {
        if (peer < 0 || peer >= size || peer == rank) {
            throw new IllegalArgumentException(what + ": peer " + peer + " (expected: another rank in 0.." + (size - 1) + ")");
        }
    }

    @Override
    public void send(int peer, float[] buffer, int offset, int length) {
        checkRange(buffer.length, offset, length, "send");
        checkPeer(peer, "send");
        messages("send", peer, buffer, offset, length, -1, null, 0, 0);
    }

    @Override
    public void receive(int peer, float[] buffer, int offset, int length) {
        checkRange(buffer.length, offset, length, "receive");
        checkPeer(peer, "receive");
        messages("receive", -1, null, 0, 0, peer, buffer, offset, length);
    }

    @Override
    public void sendReceive(int to, float[] out, int outOffset, int outLength, int from, float[] in, int inOffset,
            int inLength) {
        checkRange(out.length, outOffset, outLength, "sendreceive");
        checkRange(in.length, inOffset, inLength, "sendreceive");
        checkPeer(to, "sendreceive");
        checkPeer(from, "sendreceive");
        messages("sendreceive", to, out, outOffset, outLength, from, in, inOffset, inLength);
    }

    /**
     * Sends a message to {@code to} while receiving one from {@code from} (-1: none), both directions in the
     * one event loop. Messages between a pair are numbered per direction; they share the link with
     * collectives, in call order.
     */
    private void messages(String what, int to, float[] out, int outOffset, int outLength, int from, float[] in,
            int inOffset, int inLength) {
        long t0 = System.nanoTime();
        long sendNumber = to >= 0 ? ++sendSeq[to] : 0;
        long recvNumber = from >= 0 ? ++recvSeq[from] : 0;
        net.begin(Frame.SEND, Frame.FLOAT32, (byte) -1, sendNumber, outLength, 0);
        net.direct(sendNumber, outLength, recvNumber, inLength);
        net.label(what + " (" + (to >= 0 ? "float32 x " + outLength + " to rank " + to + " as message #" + sendNumber : "")
                + (to >= 0 && from >= 0 ? ", " : "")
                + (from >= 0 ? "float32 x " + inLength + " from rank " + from + " as message #" + recvNumber : "") + ")");
        try {
            floats.a = out;
            floats.off = outOffset;
            floatsIn.a = in;
            floatsIn.off = inOffset;
            pair.out = floats;
            pair.outLength = outLength;
            pair.in = floatsIn;
            pair.inLength = inLength;
            pair.chunkElems = options.chunkBytes() / 4;
            pair.sendFrames = pair.frames(outLength, to < 0);
            pair.recvFrames = pair.frames(inLength, from < 0);
            pair.frameBase = 0;
            pair.lag = Transfer.INDEPENDENT;
            net.run(to >= 0 ? net.link(to) : null, from >= 0 ? net.link(from) : null, pair);
        } finally {
            floats.a = null;
            floatsIn.a = null;
            nanos += System.nanoTime() - t0;
        }
    }

    @Override
    public long bytesSent() {
        return net.bytesSent;
    }

    @Override
    public long nanosInCollectives() {
        return nanos;
    }

    /** The first failure, or null while healthy. */
    public CollectiveException failure() {
        return net.broken();
    }

    @Override
    public void close() {
        net.close("rank " + rank + "/" + size + " (" + TcpEndpoint.format(net.self) + ") closed its communicator");
    }

    /** For fault tests only: raw bytes to a peer, bypassing the framing. */
    void writeRawForTesting(int peer, byte[] raw) throws IOException {
        net.writeRaw(peer, raw);
    }
}
