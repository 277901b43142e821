package io.ringfold.collective;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Forms a {@link TcpCommunicator} group from one well-known address, rank 0's {@code host:port} (like
 * torchrun's MASTER_ADDR:MASTER_PORT). Rank 0 listens there; every other rank connects (retrying until
 * the deadline while rank 0 is not up yet) and sends its rank, the world size and the address it listens
 * on; when all have joined, rank 0 checks them (no duplicate or out-of-range rank, one world size) and
 * sends everyone the address list, from which the rest of the mesh forms. The connection to rank 0 stays
 * as the link between the two. Connections to rank 0's port that are not Ringfold ranks (health checks,
 * port scanners) are logged and ignored ({@link TcpHello}); when the rendezvous fails, rank 0 tells every
 * rank that joined why.
 */
public final class TcpRendezvous {

    private TcpRendezvous() {
    }

    /**
     * Joins with default options. Rank 0 listens on {@code host:port}; the others listen on a free port of
     * the interface that reaches rank 0.
     */
    public static TcpCommunicator join(String host, int port, int rank, int size, Duration timeout) {
        TcpOptions o = TcpOptions.defaults(timeout);
        if (rank == 0) {
            return join(TcpEndpoint.bind(host, port), new InetSocketAddress(host, port), 0, size, o);
        }
        return join(TcpEndpoint.bind("0.0.0.0", 0), new InetSocketAddress(host, port), rank, size, o);
    }

    /**
     * Joins using {@code endpoint} as this rank's listening socket (for rank 0, bound at {@code rank0});
     * the communicator takes ownership of it.
     */
    public static TcpCommunicator join(TcpEndpoint endpoint, InetSocketAddress rank0, int rank, int size, TcpOptions o) {
        if (size <= 0) {
            throw new IllegalArgumentException("size: " + size + " (expected: > 0)");
        }
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank: " + rank + " (expected: 0.." + (size - 1) + ")");
        }
        long deadline = System.nanoTime() + o.setupTimeout().toNanos();
        SocketChannel[] ch = new SocketChannel[size];
        try (endpoint) {
            InetSocketAddress[] addrs = rank == 0 ? lead(endpoint, rank0, size, ch, o, deadline)
                    : follow(endpoint, rank0, rank, size, ch, o, deadline);
            if (rank > 0) {
                TcpMesh.build(endpoint, rank, addrs, ch, o, deadline, 1);
            }
            return new TcpCommunicator(rank, addrs, ch, o);
        } catch (IOException | RuntimeException e) {
            TcpMesh.closeAll(ch);
            throw e instanceof CollectiveException c ? c : new CollectiveException("rendezvous on rank " + rank + "/" + size
                    + " with rank 0 at " + TcpEndpoint.format(rank0) + " failed: " + CollectiveException.reason(e), e);
        }
    }

    private static InetSocketAddress[] lead(TcpEndpoint endpoint, InetSocketAddress rank0, int size, SocketChannel[] ch,
            TcpOptions o, long deadline) throws IOException {
        InetSocketAddress[] addrs = new InetSocketAddress[size];
        addrs[0] = rank0;
        String who = "rendezvous on rank 0/" + size + " (" + TcpEndpoint.format(endpoint.address()) + ")";
        List<SocketChannel> accepted = new ArrayList<>();
        try {
            for (int joined = 1; joined < size; joined++) {
                TcpMesh.Accepted a = TcpMesh.accept(endpoint, deadline, o, who, missing(ch, size) + " to join");
                accepted.add(a.channel());
                String error = null;
                if (a.kind() != TcpHello.RENDEZVOUS) {
                    error = who + ": " + a.from() + " (rank " + a.rank() + ") sent a mesh hello (expected: a rendezvous"
                            + " request; is it from another job?)";
                } else if (a.size() != size) {
                    error = who + ": rank " + a.rank() + " at " + a.from() + " says world size " + a.size() + " (expected: "
                            + size + ", the world size of rank 0)";
                } else if (a.rank() <= 0 || a.rank() >= size) {
                    error = who + ": a peer at " + a.from() + " says it is rank " + a.rank() + " (expected: 1.." + (size - 1) + ")";
                } else if (ch[a.rank()] != null) {
                    error = who + ": rank " + a.rank() + " joined twice, from " + TcpEndpoint.format(addrs[a.rank()])
                            + " and from " + a.from() + " (expected: each rank once; two processes were given the same rank)";
                }
                if (error != null) {
                    throw new CollectiveException(error);
                }
                ch[a.rank()] = a.channel();
                addrs[a.rank()] = new InetSocketAddress(a.host(), a.port());
            }
        } catch (IOException | RuntimeException e) {
            // Every rank that joined learns why (a timeout, a misconfigured rank), rather than seeing the
            // connection close with no reason.
            String why = e instanceof CollectiveException ? e.getMessage() : who + " failed: " + CollectiveException.reason(e);
            for (SocketChannel c : accepted) {
                TcpMesh.refuseQuietly(c, why);
            }
            TcpMesh.closeAll(accepted.toArray(new SocketChannel[0]));
            throw e;
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(b);
        d.writeByte(TcpMesh.OK);
        d.writeInt(size);
        for (InetSocketAddress a : addrs) {
            d.writeUTF(a.getAddress().getHostAddress());
            d.writeInt(a.getPort());
        }
        for (int r = 1; r < size; r++) {
            ch[r].write(ByteBuffer.wrap(b.toByteArray()));
        }
        return addrs;
    }

    private static String missing(SocketChannel[] ch, int size) {
        List<Integer> m = new ArrayList<>();
        for (int r = 1; r < size; r++) {
            if (ch[r] == null) {
                m.add(r);
            }
        }
        return (m.size() == 1 ? "rank " : "ranks ") + m.toString().replace("[", "").replace("]", "");
    }

    private static InetSocketAddress[] follow(TcpEndpoint endpoint, InetSocketAddress rank0, int rank, int size,
            SocketChannel[] ch, TcpOptions o, long deadline) throws IOException {
        String who = "rendezvous on rank " + rank + "/" + size;
        ch[0] = TcpMesh.dial(rank0, deadline, o, who, "rank 0");
        // Advertise the interface that reaches rank 0: the others can reach this rank there too.
        String host = endpoint.server.socket().getInetAddress().isAnyLocalAddress()
                ? ((InetSocketAddress) ch[0].getLocalAddress()).getAddress().getHostAddress()
                : endpoint.address().getAddress().getHostAddress();
        ch[0].write(ByteBuffer.wrap(new TcpHello(TcpHello.RENDEZVOUS, rank, size, host, endpoint.port()).encode()));
        DataInputStream in = TcpMesh.answer(ch[0], deadline, who, "rank 0 at " + TcpEndpoint.format(rank0),
                " (the other ranks have not all joined)");
        int n = in.readInt();
        if (n != size) {
            throw new CollectiveException(who + ": rank 0 at " + TcpEndpoint.format(rank0) + " sent " + n
                    + " addresses (expected: " + size + ")");
        }
        InetSocketAddress[] addrs = new InetSocketAddress[n];
        for (int r = 0; r < n; r++) {
            addrs[r] = new InetSocketAddress(in.readUTF(), in.readInt());
        }
        addrs[0] = rank0;
        return addrs;
    }
}
