package io.ringfold.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The connections of one rank to all others and the single-threaded event loop that moves frames over
 * them: non-blocking channels and one selector, so sending and receiving overlap without helper threads
 * and every wait is bounded by the call's deadline. It holds the current call (for headers and for
 * checking what arrives) and turns every I/O problem into one {@link CollectiveException} line.
 */
final class TcpLinks {

    final int rank;
    final int size;
    final InetSocketAddress self;
    final TcpLink[] links;
    final int payloadCapacity;
    private final Selector selector;
    private final long timeoutNanos;

    // The current call, as the headers carry it.
    byte opcode;
    byte dtype;
    byte op;
    long seq;
    long count;
    int root;
    long deadline;
    /**
     * What received headers must carry as sequence number and count: the call's own, except where the two
     * directions of one call differ (a send and a receive at once, the blocks of an all-to-all).
     */
    long recvSeq;
    long recvCount;
    /** How messages name the call when its header alone would mislead (null: from the header's fields). */
    private String label;

    long bytesSent;
    private volatile CollectiveException broken;
    private volatile boolean closed;

    TcpLinks(int rank, InetSocketAddress self, InetSocketAddress[] addresses, SocketChannel[] channels,
            TcpOptions options) throws IOException {
        this.rank = rank;
        this.size = addresses.length;
        this.self = self;
        this.payloadCapacity = options.chunkBytes();
        this.timeoutNanos = options.timeout().toNanos();
        this.links = new TcpLink[size];
        this.selector = Selector.open();
        for (int p = 0; p < size; p++) {
            if (p != rank) {
                channels[p].configureBlocking(false);
                links[p] = new TcpLink(p, addresses[p], channels[p]);
                links[p].key = channels[p].register(selector, 0);
            }
        }
    }

    /** Starts a call: fails at once if broken, else records it for headers, checks and messages. */
    void begin(byte opcode, byte dtype, byte op, long seq, long count, int root) {
        CollectiveException b = broken;
        if (b != null) {
            throw new CollectiveException(b.getMessage(), b);
        }
        this.opcode = opcode;
        this.dtype = dtype;
        this.op = op;
        this.seq = seq;
        this.count = count;
        this.root = root;
        this.recvSeq = seq;
        this.recvCount = count;
        this.label = null;
        this.deadline = System.nanoTime() + timeoutNanos;
    }

    /** The next part of the current call, whose header fields differ: the sequence number and deadline stay. */
    void part(byte opcode, byte dtype, byte op, long count) {
        CollectiveException b = broken;
        if (b != null) {
            throw new CollectiveException(b.getMessage(), b);
        }
        this.opcode = opcode;
        this.dtype = dtype;
        this.op = op;
        this.count = count;
        this.recvSeq = seq;
        this.recvCount = count;
    }

    /**
     * For the part of a call that follows: frames are sent with {@code seq} and {@code count} and received
     * with {@code recvSeq} and {@code recvCount}; the deadline stays the call's.
     */
    void direct(long seq, long count, long recvSeq, long recvCount) {
        this.seq = seq;
        this.count = count;
        this.recvSeq = recvSeq;
        this.recvCount = recvCount;
    }

    /** Names the call in messages as {@code label} (e.g. {@code sendreceive (...)}) instead of by its header. */
    void label(String label) {
        this.label = label;
    }

    TcpLink link(int peer) {
        TcpLink l = links[peer];
        l.ensureBuffers(payloadCapacity);
        return l;
    }

    /** "rank 2 (10.0.0.3:40123)", this rank included, for messages. */
    String name(int r) {
        return r == rank ? "rank " + rank + " (" + TcpEndpoint.format(self) + ")" : links[r].name;
    }

    String call() {
        return (label != null ? label : Frame.describe(opcode, dtype, op, seq, count, root)) + " on rank " + rank + "/" + size + " ("
                + TcpEndpoint.format(self) + ")";
    }

    /**
     * Sends t's frames on {@code out} while receiving its frames from {@code in} (either may be null; they
     * may be the same link), until both sequences are complete or the deadline passes.
     */
    void run(TcpLink out, TcpLink in, Transfer t) {
        int sent = 0;
        int recvd = 0;
        boolean writing = false;
        boolean headerChecked = false;
        if (in != null && t.recvFrames > 0) {
            in.in.clear().limit(Frame.HEADER + t.recvBytes(0));
        }
        try {
            while (sent < t.sendFrames || recvd < t.recvFrames) {
                boolean progress = false;
                if (!writing && sent < t.sendFrames && recvd >= sent + 1 - t.lag) {
                    int len = t.sendBytes(sent);
                    if (len > 0) {
                        t.encode(sent, out);
                    }
                    Frame.write(out.out, opcode, dtype, op, seq, count, root, t.frameBase + sent, len);
                    out.out.position(0).limit(Frame.HEADER + len);
                    out.midFrame = true;
                    writing = true;
                }
                if (writing) {
                    int w = write(out);
                    progress = w > 0;
                    if (!out.out.hasRemaining()) {
                        writing = false;
                        out.midFrame = false;
                        sent++;
                        progress = true;
                    }
                }
                if (recvd < t.recvFrames) {
                    int r = read(in);
                    progress |= r > 0;
                    if (!headerChecked && in.in.position() >= Frame.HEADER) {
                        check(in, t.frameBase + recvd, t.recvBytes(recvd));
                        headerChecked = true;
                    }
                    if (headerChecked && !in.in.hasRemaining()) {
                        if (in.in.position() > Frame.HEADER) {
                            t.decode(recvd, in);
                        }
                        recvd++;
                        headerChecked = false;
                        progress = true;
                        if (recvd < t.recvFrames) {
                            in.in.clear().limit(Frame.HEADER + t.recvBytes(recvd));
                        }
                    }
                }
                if (!progress) {
                    await(writing ? out : null, recvd < t.recvFrames ? in : null);
                }
            }
        } catch (ClosedSelectorException | java.nio.channels.CancelledKeyException e) {
            throw fail(call() + ": this communicator was closed during the call", e);
        }
    }

    private int write(TcpLink l) {
        try {
            int w = l.channel.write(l.out);
            bytesSent += w;
            return w;
        } catch (IOException e) {
            throw fail(broken(l, "sending", e), e);
        }
    }

    private int read(TcpLink l) {
        int r;
        try {
            r = l.channel.read(l.in);
        } catch (IOException e) {
            throw fail(broken(l, "receiving", e), e);
        }
        if (r < 0) {
            // A peer that closes its communicator says so first (an abort notice, read as such): end of
            // stream without one means its process ended.
            throw fail(call() + ": peer " + l.name + " closed the connection (end of stream: its process exited or was"
                    + " killed)", null);
        }
        return r;
    }

    /** The message for a connection that failed under an I/O call: closed here, or lost with the peer or the network. */
    private String broken(TcpLink l, String doing, IOException e) {
        if (closed) {
            return call() + ": this communicator was closed during the call (" + doing + " with peer " + l.name + ": "
                    + CollectiveException.reason(e) + ")";
        }
        return call() + ": the connection to peer " + l.name + " failed while " + doing + ": " + CollectiveException.reason(e)
                + " (its process was killed, or its host or the network dropped the connection)";
    }

    /** Checks a received header against the call in progress. */
    private void check(TcpLink l, int index, int length) {
        ByteBuffer h = l.in;
        int magic = h.getInt(Frame.OFF_MAGIC);
        if (magic != Frame.MAGIC || h.get(Frame.OFF_VERSION) != Frame.VERSION) {
            throw fail(call() + ": " + l.name + " sent a frame with magic 0x" + Integer.toHexString(magic)
                    + " version " + h.get(Frame.OFF_VERSION) + " (expected: magic 0x" + Integer.toHexString(Frame.MAGIC)
                    + " version " + Frame.VERSION + "; a corrupt stream or not a Ringfold peer)", null);
        }
        if (h.get(Frame.OFF_OPCODE) == Frame.ABORT) {
            throw fail(call() + ": " + l.name + " failed: " + abortMessage(l), null);
        }
        if (opcode == Frame.SEND && h.get(Frame.OFF_OPCODE) == Frame.SEND && h.getLong(Frame.OFF_SEQ) == recvSeq
                && h.getLong(Frame.OFF_COUNT) != recvCount) {
            throw fail(call() + ": " + l.name + " sent message #" + recvSeq + " as " + Frame.dtypeName(h.get(Frame.OFF_DTYPE))
                    + " x " + h.getLong(Frame.OFF_COUNT) + " (expected: " + Frame.dtypeName(dtype) + " x " + recvCount
                    + ", the length received)", null);
        }
        if (h.get(Frame.OFF_OPCODE) != opcode || h.get(Frame.OFF_DTYPE) != dtype || h.get(Frame.OFF_OP) != op
                || h.getLong(Frame.OFF_SEQ) != recvSeq || h.getLong(Frame.OFF_COUNT) != recvCount
                || h.getInt(Frame.OFF_ROOT) != root) {
            throw fail(call() + ": " + l.name + " called " + Frame.describe(h)
                    + " (expected: the same call on every rank)", null);
        }
        int gotIndex = h.getInt(Frame.OFF_INDEX);
        int gotLength = h.getInt(Frame.OFF_LENGTH);
        if (gotIndex != index || gotLength != length) {
            throw fail(call() + ": " + l.name + " sent frame " + gotIndex + " of " + gotLength + " bytes (expected: frame "
                    + index + " of " + length + " bytes; a corrupt stream)", null);
        }
    }

    /** Reads the rest of an abort frame (bounded by the deadline) and returns its message. */
    private String abortMessage(TcpLink l) {
        int len = Math.max(0, Math.min(l.in.getInt(Frame.OFF_LENGTH), payloadCapacity));
        int end = Frame.HEADER + len;
        if (l.in.position() < end) {
            // The notice was written in one piece just before end-of-stream: it is (nearly always) here
            // already. Wait a little for the rest, without the selector, whose failure would replace this one.
            l.in.limit(end);
            long until = System.nanoTime() + 200_000_000L;
            try {
                while (l.in.hasRemaining() && System.nanoTime() < until && l.channel.read(l.in) >= 0) {
                    Thread.onSpinWait();
                }
            } catch (IOException e) {
                // the connection broke after the notice began: report the part that arrived
                l.in.limit(l.in.position());
            }
        }
        byte[] msg = new byte[Math.min(len, l.in.position() - Frame.HEADER)];
        l.in.get(Frame.HEADER, msg);
        return new String(msg, StandardCharsets.UTF_8);
    }

    /** Waits until {@code w} can be written or {@code r} read, or fails at the deadline naming them. */
    private void await(TcpLink w, TcpLink r) {
        for (TcpLink l : links) {
            if (l != null) {
                int want = (l == w ? SelectionKey.OP_WRITE : 0) | (l == r ? SelectionKey.OP_READ : 0);
                if (l.interest != want) {
                    l.key.interestOps(want);
                    l.interest = want;
                }
            }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            StringBuilder waited = new StringBuilder();
            if (r != null) {
                waited.append(r.name);
            }
            if (w != null && w != r) {
                waited.append(r != null ? " and for " : "").append(w.name).append(" to read (it stopped reading)");
            } else if (w != null) {
                waited.append(" (to send and to read)");
            }
            String message = call() + ": timed out after " + timeoutNanos / 1_000_000 + " ms waiting for " + waited;
            CollectiveException e = fail(message, null);
            // The rank waited for may itself be waiting for another: it times out at about the same moment and
            // says so; wait a little for that notice, so that the message names the rank that never came.
            if (r != null && r.in.position() == 0 && broken == e) {
                String theirs = lingerForAbort(r, Math.min(timeoutNanos / 4, 2_000_000_000L));
                if (theirs != null) {
                    e = new CollectiveException(message + "; " + r.name + " failed: " + theirs);
                    broken = e;
                }
            }
            throw e;
        }
        try {
            selector.select(Math.max(1, (left + 999_999) / 1_000_000));
        } catch (IOException e) {
            throw fail(call() + ": waiting on the selector failed: " + CollectiveException.reason(e), e);
        }
        selector.selectedKeys().clear();
    }

    /** Reads one frame header from {@code l} for up to {@code nanos}; returns its message if it is an abort notice. */
    private String lingerForAbort(TcpLink l, long nanos) {
        long until = System.nanoTime() + nanos;
        l.in.clear().limit(Frame.HEADER);
        try {
            l.key.interestOps(SelectionKey.OP_READ);
            l.interest = SelectionKey.OP_READ;
            while (l.in.hasRemaining()) {
                long left = until - System.nanoTime();
                if (left <= 0 || l.channel.read(l.in) < 0) {
                    return null;
                }
                if (l.in.hasRemaining()) {
                    selector.select(Math.max(1, left / 1_000_000));
                    selector.selectedKeys().clear();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null; // no notice: this rank's own timeout message stands
        }
        if (l.in.getInt(Frame.OFF_MAGIC) != Frame.MAGIC || l.in.get(Frame.OFF_OPCODE) != Frame.ABORT) {
            return null;
        }
        return abortMessage(l);
    }

    /** Marks the communicator broken with its first cause, tells every peer, and returns the exception. */
    CollectiveException fail(String message, Throwable cause) {
        CollectiveException e = new CollectiveException(message, cause);
        synchronized (this) {
            if (broken != null) {
                return new CollectiveException(broken.getMessage(), broken);
            }
            broken = e;
        }
        abortPeers(message);
        return e;
    }

    CollectiveException broken() {
        return broken;
    }

    /**
     * Best effort: writes an abort frame to every peer whose stream is at a frame boundary, then half-closes
     * the connection so the notice is followed by end-of-stream. Peers that cannot be told this way see the
     * connection close instead; either way they fail naming this rank.
     */
    private void abortPeers(String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(text.length, payloadCapacity);
        for (TcpLink l : links) {
            if (l == null || !l.channel.isOpen()) {
                continue;
            }
            try {
                if (!l.midFrame) {
                    ByteBuffer b = ByteBuffer.allocate(Frame.HEADER + len).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    Frame.write(b, Frame.ABORT, Frame.NONE, (byte) 0, seq, 0, 0, 0, len);
                    b.position(Frame.HEADER);
                    b.put(text, 0, len);
                    b.flip();
                    l.channel.write(b); // non-blocking: a full socket buffer truncates it; shutdown still follows
                }
                l.channel.shutdownOutput();
            } catch (IOException e) {
                // The peer is already gone: it cannot be told, and this rank's own failure stands as reported.
                continue;
            }
        }
    }

    /** Tells the peers (if still healthy) that this rank closed, then releases the sockets and selector. */
    void close(String why) {
        if (closed) {
            return;
        }
        closed = true;
        if (broken == null) {
            fail(why, null);
        }
        for (TcpLink l : links) {
            if (l != null) {
                try {
                    l.channel.close();
                } catch (IOException e) {
                    continue; // closing is all that is left to do with it
                }
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // nothing holds the selector any more
        }
    }

    /** For fault tests: writes raw bytes to a peer, blocking up to the deadline. */
    void writeRaw(int peer, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            links[peer].channel.write(b);
        }
    }
}
