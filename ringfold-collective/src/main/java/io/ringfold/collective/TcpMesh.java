package io.ringfold.collective;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Connection set-up: the handshake and the full mesh (rank i dials every rank below it and accepts
 * every rank above it). Set-up uses blocking sockets with timeouts; every wait ends at the set-up
 * deadline with a message naming the ranks and addresses it waited for. A connection that sends no
 * {@link TcpHello} (a port scanner, a health check, an HTTP request, garbage) is logged and closed, and
 * the wait goes on; a rank that sends a well-formed hello with a duplicate or out-of-range rank or
 * another world size is misconfigured, and fails the set-up.
 */
final class TcpMesh {

    private static final System.Logger LOG = System.getLogger(TcpMesh.class.getName());

    static final byte OK = 1;
    static final byte REJECT = 2;

    private TcpMesh() {
    }

    static TcpCommunicator connect(TcpEndpoint endpoint, int rank, List<InetSocketAddress> addresses, TcpOptions o) {
        int n = addresses.size();
        if (n == 0) {
            throw new IllegalArgumentException("addresses: empty (expected: one host:port per rank)");
        }
        if (rank < 0 || rank >= n) {
            throw new IllegalArgumentException("rank: " + rank + " (expected: 0.." + (n - 1) + ", from " + n + " addresses)");
        }
        InetSocketAddress[] addrs = addresses.toArray(new InetSocketAddress[0]);
        SocketChannel[] ch = new SocketChannel[n];
        long deadline = System.nanoTime() + o.setupTimeout().toNanos();
        try (endpoint) {
            build(endpoint, rank, addrs, ch, o, deadline, 0);
            return new TcpCommunicator(rank, addrs, ch, o);
        } catch (IOException | RuntimeException e) {
            closeAll(ch);
            throw e instanceof CollectiveException c ? c : new CollectiveException("connecting rank " + rank + "/" + n
                    + " (" + TcpEndpoint.format(addrs[rank]) + ") failed: " + CollectiveException.reason(e), e);
        }
    }

    /** Dials ranks {@code lowest..rank-1}, accepts ranks {@code rank+1..n-1}, then reads the dialled ranks' answers. */
    static void build(TcpEndpoint endpoint, int rank, InetSocketAddress[] addrs, SocketChannel[] ch, TcpOptions o,
            long deadline, int lowest) throws IOException {
        int n = addrs.length;
        String who = "connecting on rank " + rank + "/" + n + " (" + TcpEndpoint.format(addrs[rank]) + ")";
        for (int j = lowest; j < rank; j++) {
            ch[j] = dial(addrs[j], deadline, o, who, "rank " + j);
            ch[j].write(ByteBuffer.wrap(new TcpHello(TcpHello.MESH, rank, n, null, 0).encode()));
        }
        int missing = n - 1 - rank;
        while (missing > 0) {
            Accepted a = accept(endpoint, deadline, o, who, waitingFor(ch, addrs, rank + 1, n));
            String error = null;
            if (a.kind != TcpHello.MESH) {
                error = who + ": " + a.from + " sent a rendezvous request (expected: a mesh connection; is rank 0 of"
                        + " another job using this address?)";
            } else if (a.size != n) {
                error = who + ": rank " + a.rank + " from " + a.from + " says world size " + a.size + " (expected: " + n + ")";
            } else if (a.rank <= rank || a.rank >= n) {
                error = who + ": a peer from " + a.from + " says it is rank " + a.rank + " (expected: " + (rank + 1) + ".."
                        + (n - 1) + ", the ranks that dial this one)";
            } else if (ch[a.rank] != null) {
                error = who + ": rank " + a.rank + " connected twice (second time from " + a.from
                        + ") (expected: each rank once; two processes were given the same rank)";
            }
            if (error != null) {
                reply(a.channel, REJECT, error);
                a.channel.close();
                throw new CollectiveException(error);
            }
            reply(a.channel, OK, null);
            ch[a.rank] = a.channel;
            missing--;
        }
        for (int j = lowest; j < rank; j++) {
            answer(ch[j], deadline, who, "rank " + j + " (" + TcpEndpoint.format(addrs[j]) + ")", "");
        }
    }

    /**
     * Reads the answer of the rank this one sent its hello to, {@code whom}: returns the stream
     * positioned after an OK; a refusal or a connection closed before answering fails the set-up.
     */
    static DataInputStream answer(SocketChannel c, long deadline, String who, String whom, String why) throws IOException {
        DataInputStream in = input(c, deadline, who, whom + " to answer" + why);
        byte status;
        try {
            status = in.readByte();
        } catch (EOFException e) {
            throw new CollectiveException(who + ": " + whom + " closed the connection before answering (its set-up failed,"
                    + " or its process exited or was killed; its own log says why)", e);
        }
        if (status != OK) {
            throw new CollectiveException(who + ": " + whom + " refused: " + in.readUTF());
        }
        return in;
    }

    private static String waitingFor(SocketChannel[] ch, InetSocketAddress[] addrs, int from, int to) {
        List<String> w = new ArrayList<>();
        for (int j = from; j < to; j++) {
            if (ch[j] == null) {
                w.add("rank " + j + " (" + TcpEndpoint.format(addrs[j]) + ")");
            }
        }
        return String.join(", ", w) + " to connect";
    }

    /** Connects, retrying while the peer is not yet listening, until the deadline. */
    static SocketChannel dial(InetSocketAddress to, long deadline, TcpOptions o, String who, String whom) throws IOException {
        IOException last = null;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CollectiveException(who + ": timed out after " + o.setupTimeout().toMillis() + " ms waiting for " + whom
                        + " at " + TcpEndpoint.format(to)
                        + (last != null ? " (last error: " + CollectiveException.reason(last) + ")" : ""));
            }
            SocketChannel c = SocketChannel.open();
            try {
                configure(c, o);
                c.socket().connect(to, (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
                return c;
            } catch (ConnectException | SocketTimeoutException e) {
                // Not listening yet (it is still starting): try again shortly, within the deadline.
                c.close();
                last = e;
                sleep(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (IOException e) {
                c.close();
                throw e;
            }
        }
    }

    static void configure(SocketChannel c, TcpOptions o) throws IOException {
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        if (o.socketBufferBytes() > 0) {
            c.setOption(StandardSocketOptions.SO_SNDBUF, o.socketBufferBytes());
            c.setOption(StandardSocketOptions.SO_RCVBUF, o.socketBufferBytes());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("connecting: interrupted", e);
        }
    }

    /** A connection accepted and its hello read. */
    record Accepted(SocketChannel channel, String from, byte kind, int rank, int size, String host, int port) {
    }

    /**
     * Accepts connections until one sends a hello, and returns it; logs and closes each that does not
     * ({@link TcpHello.Stray}), each costing at most {@link TcpHello#TIMEOUT_MILLIS}. Fails at the
     * deadline naming {@code waitingFor}.
     */
    static Accepted accept(TcpEndpoint endpoint, long deadline, TcpOptions o, String who, String waitingFor)
            throws IOException {
        while (true) {
            SocketChannel c = acceptConnection(endpoint, deadline, o, who, waitingFor);
            InetSocketAddress remote = (InetSocketAddress) c.socket().getRemoteSocketAddress();
            String from = TcpEndpoint.format(remote);
            try {
                TcpHello h = hello(c, o, Math.min(deadline, System.nanoTime() + TcpHello.TIMEOUT_MILLIS * 1_000_000L));
                return new Accepted(c, from, h.kind(), h.rank(), h.size(), h.host(), h.port());
            } catch (TcpHello.Stray e) {
                LOG.log(System.Logger.Level.WARNING, "{0}: ignored a connection from {1} that is not a Ringfold rank: {2}"
                        + " (still waiting for {3})", who, from, e.getMessage(), waitingFor);
                if (e.ringfold) {
                    refuseQuietly(c, who + ": " + e.getMessage());
                }
                closeAll(new SocketChannel[] {c});
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }

    private static SocketChannel acceptConnection(TcpEndpoint endpoint, long deadline, TcpOptions o, String who,
            String waitingFor) throws IOException {
        long left = deadline - System.nanoTime();
        try {
            if (left <= 0) {
                throw new SocketTimeoutException();
            }
            endpoint.server.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
            return endpoint.server.socket().accept().getChannel();
        } catch (SocketTimeoutException e) {
            throw new CollectiveException(who + ": timed out after " + o.setupTimeout().toMillis() + " ms waiting for "
                    + waitingFor, e);
        }
    }

    /** Configures an accepted connection and reads its hello; a connection that fails meanwhile is a stray too. */
    private static TcpHello hello(SocketChannel c, TcpOptions o, long until) throws TcpHello.Stray {
        try {
            configure(c, o);
        } catch (IOException e) {
            throw new TcpHello.Stray("the connection failed: " + CollectiveException.reason(e), false);
        }
        return TcpHello.read(c, until);
    }

    /** Best effort: the peer may be gone already, and then it has an error of its own. */
    static void refuseQuietly(SocketChannel c, String why) {
        try {
            reply(c, REJECT, why);
        } catch (IOException e) {
            return; // nothing more to tell it
        }
    }

    /** An unbuffered stream (it must not read past the handshake) whose reads end at the deadline. */
    static DataInputStream input(SocketChannel c, long deadline, String who, String what) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new CollectiveException(who + ": timed out waiting for " + what);
        }
        c.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        return new DataInputStream(new java.io.FilterInputStream(c.socket().getInputStream()) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (SocketTimeoutException e) {
                    throw new CollectiveException(who + ": timed out waiting for " + what, e);
                }
            }

            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (SocketTimeoutException e) {
                    throw new CollectiveException(who + ": timed out waiting for " + what, e);
                }
            }
        });
    }

    static void reply(SocketChannel c, byte status, String message) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeByte(status);
        if (status == REJECT) {
            d.writeUTF(message.length() > 4000 ? message.substring(0, 4000) : message);
        }
        c.write(ByteBuffer.wrap(b.toByteArray()));
    }

    static void closeAll(SocketChannel[] ch) {
        for (SocketChannel c : ch) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    continue; // set-up already failed; the first error is the one reported
                }
            }
        }
    }
}
