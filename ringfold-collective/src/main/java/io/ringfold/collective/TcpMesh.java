package io.ringfold.collective;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Connection set-up: the handshake messages and the full mesh (rank i dials every rank below it and
 * accepts every rank above it). Set-up uses blocking sockets with timeouts; every wait ends at the
 * set-up deadline with a message naming the ranks and addresses it waited for. A connection that does
 * not speak the handshake, a duplicate or out-of-range rank, or another world size fails the set-up.
 */
final class TcpMesh {

    static final byte RENDEZVOUS = 1;
    static final byte MESH = 2;
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
                    + " (" + TcpEndpoint.format(addrs[rank]) + ") failed: " + e.getMessage(), e);
        }
    }

    /** Dials ranks {@code lowest..rank-1}, accepts ranks {@code rank+1..n-1}, then reads the dialled ranks' answers. */
    static void build(TcpEndpoint endpoint, int rank, InetSocketAddress[] addrs, SocketChannel[] ch, TcpOptions o,
            long deadline, int lowest) throws IOException {
        int n = addrs.length;
        String who = "connecting on rank " + rank + "/" + n + " (" + TcpEndpoint.format(addrs[rank]) + ")";
        for (int j = lowest; j < rank; j++) {
            ch[j] = dial(addrs[j], deadline, o, who, "rank " + j);
            ch[j].write(ByteBuffer.wrap(hello(MESH, rank, n, null, 0)));
        }
        int missing = n - 1 - rank;
        while (missing > 0) {
            Accepted a = accept(endpoint, deadline, o, who, waitingFor(ch, addrs, rank + 1, n));
            String error = null;
            if (a.kind != MESH) {
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
            DataInputStream in = input(ch[j], deadline, who, "rank " + j + " (" + TcpEndpoint.format(addrs[j]) + ") to answer");
            byte status = in.readByte();
            if (status != OK) {
                throw new CollectiveException(who + ": rank " + j + " (" + TcpEndpoint.format(addrs[j]) + ") refused: " + in.readUTF());
            }
        }
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
                        + " at " + TcpEndpoint.format(to) + (last != null ? " (last error: " + last.getMessage() + ")" : ""));
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

    /** Accepts one connection and reads its hello; a connection that is not a Ringfold rank fails the set-up. */
    static Accepted accept(TcpEndpoint endpoint, long deadline, TcpOptions o, String who, String waitingFor)
            throws IOException {
        long left = deadline - System.nanoTime();
        Socket s;
        try {
            if (left <= 0) {
                throw new SocketTimeoutException();
            }
            endpoint.server.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
            s = endpoint.server.socket().accept();
        } catch (SocketTimeoutException e) {
            throw new CollectiveException(who + ": timed out after " + o.setupTimeout().toMillis() + " ms waiting for "
                    + waitingFor, e);
        }
        SocketChannel c = s.getChannel();
        String from = TcpEndpoint.format((InetSocketAddress) c.getRemoteAddress());
        try {
            configure(c, o);
            DataInputStream in = input(c, deadline, who, "a hello from " + from);
            int magic = in.readInt();
            if (magic != Frame.MAGIC) {
                throw new CollectiveException(who + ": a connection from " + from + " is not a Ringfold rank (it sent 0x"
                        + Integer.toHexString(magic) + ", expected: magic 0x" + Integer.toHexString(Frame.MAGIC) + ")");
            }
            byte version = in.readByte();
            if (version != Frame.VERSION) {
                throw new CollectiveException(who + ": the peer at " + from + " speaks protocol version " + version
                        + " (expected: " + Frame.VERSION + "; mixed Ringfold versions)");
            }
            byte kind = in.readByte();
            int rank = in.readInt();
            int size = in.readInt();
            String host = kind == RENDEZVOUS ? in.readUTF() : null;
            int port = kind == RENDEZVOUS ? in.readInt() : 0;
            return new Accepted(c, from, kind, rank, size, host, port);
        } catch (EOFException e) {
            c.close();
            throw new CollectiveException(who + ": a connection from " + from + " closed before its hello (expected:"
                    + " a Ringfold rank)", e);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
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

    static byte[] hello(byte kind, int rank, int size, String host, int port) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(Frame.MAGIC);
        d.writeByte(Frame.VERSION);
        d.writeByte(kind);
        d.writeInt(rank);
        d.writeInt(size);
        if (kind == RENDEZVOUS) {
            d.writeUTF(host);
            d.writeInt(port);
        }
        return b.toByteArray();
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
