package io.ringfold.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections to a rank's listening port that are not Ringfold ranks (what a port scanner, a load
 * balancer's health check or a stray HTTP client sends) are logged and closed while the real ranks
 * form the group; a silent one costs at most {@link TcpHello#TIMEOUT_MILLIS}. And a set-up that does
 * fail tells the ranks why, never "failed: null".
 */
class TcpStrayConnectionTest {

    /** Long enough for this shared machine; the strays must not use it up. */
    static final TcpOptions OPTIONS = TcpOptions.defaults(Duration.ofSeconds(30));
    static final Duration LOGGED_WITHIN = Duration.ofMillis(TcpHello.TIMEOUT_MILLIS + 10_000);

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Communicator> opened = new ArrayList<>();
    private final List<Socket> strays = new ArrayList<>();
    private final LogLines log = new LogLines(TcpMesh.class);

    @AfterEach
    void cleanUp() throws IOException {
        log.close();
        for (Socket s : strays) {
            s.close();
        }
        opened.forEach(Communicator::close);
        pool.shutdownNow();
    }

    /** What one stray does once connected, and what the log must say of it. */
    enum Stray {
        CLOSED_AT_ONCE("it closed the connection without sending anything") {
            @Override
            void act(Socket s) throws IOException {
                s.close();
            }
        },
        RESET("the connection failed: ") {
            @Override
            void act(Socket s) throws IOException {
                s.setSoLinger(true, 0); // close with a RST, as a scanner's half-open probe ends
                s.close();
            }
        },
        CLOSED_AFTER_TWO_BYTES("it sent 2 bytes, 0x5246 (\"RF\"), and closed the connection (expected: a whole hello)") {
            @Override
            void act(Socket s) throws IOException {
                send(s, new byte[] {'R', 'F'});
                s.shutdownOutput(); // the two bytes, then end of stream; the socket closes with the test
            }
        },
        HTTP_GET("it began with 0x47455420 (\"GET \") (expected: magic 0x52464c44") {
            @Override
            void act(Socket s) throws IOException {
                send(s, "GET /healthz HTTP/1.1\r\nHost: ringfold\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        },
        GARBAGE("it began with 0xfffefdfc (\"....\")") {
            @Override
            void act(Socket s) throws IOException {
                byte[] b = new byte[64];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (0xff - i);
                }
                send(s, b);
            }
        },
        WRONG_VERSION("it speaks Ringfold protocol version 99 (expected: " + Frame.VERSION) {
            @Override
            void act(Socket s) throws IOException {
                send(s, Arrays.copyOf(header(99, TcpHello.RENDEZVOUS), 5)); // as far as it is read: see refused()
            }
        },
        OVERSIZED_HOST("it sent a host of 65535 bytes (expected: at most 255)") {
            @Override
            void act(Socket s) throws IOException {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.write(header(Frame.VERSION, TcpHello.RENDEZVOUS));
                b.write(new byte[] {(byte) 0xff, (byte) 0xff});
                send(s, b.toByteArray());
            }
        },
        SILENT("it sent nothing for ") {
            @Override
            void act(Socket s) {
                // connected, and says nothing: the socket stays open until the test ends
            }
        };

        final String logged;

        Stray(String logged) {
            this.logged = logged;
        }

        /**
         * A peer that began with Ringfold's magic reads a refusal, as a rank of another version would.
         * These strays send no byte past what is read of them: closing a socket with bytes unread resets
         * the connection, and the refusal may then be lost (it is best effort).
         */
        boolean refused() {
            return this == WRONG_VERSION || this == OVERSIZED_HOST;
        }

        abstract void act(Socket s) throws IOException;

        static void send(Socket s, byte[] bytes) throws IOException {
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
        }

        /** The start of a hello: magic, {@code version}, {@code kind}, rank 1, world size 3. */
        static byte[] header(int version, byte kind) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(b);
            d.writeInt(Frame.MAGIC);
            d.writeByte(version);
            d.writeByte(kind);
            d.writeInt(1);
            d.writeInt(3);
            return b.toByteArray();
        }
    }

    /** Opens one stray of each kind to {@code at}, each after the last was logged; checks each log line. */
    private void sendStrays(InetSocketAddress at, String who) throws Exception {
        for (Stray kind : Stray.values()) {
            Socket s = new Socket(at.getAddress(), at.getPort());
            strays.add(s);
            String from = "from 127.0.0.1:" + s.getLocalPort() + " ";
            kind.act(s);
            long t0 = System.nanoTime();
            String line = log.await(from, LOGGED_WITHIN);
            assertThat(line).as(kind.name()).startsWith(who).contains("ignored a connection " + from
                    + "that is not a Ringfold rank: ").contains(kind.logged).contains("(still waiting for ");
            if (kind.refused()) {
                s.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                assertThat(in.readByte()).as("%s: the answer", kind).isEqualTo(TcpMesh.REJECT);
                assertThat(in.readUTF()).as("%s: the reason", kind).startsWith(who).contains(kind.logged);
            }
            if (kind == Stray.SILENT) {
                assertThat(System.nanoTime() - t0).as("what a silent stray costs")
                        .isLessThan(TimeUnit.MILLISECONDS.toNanos(TcpHello.TIMEOUT_MILLIS + 5_000));
            }
        }
    }

    @Test
    void rendezvousLogsEachStrayAndFormsTheGroup() throws Exception {
        TcpEndpoint e0 = TcpEndpoint.bind("127.0.0.1", 0);
        InetSocketAddress at = e0.address();
        long t0 = System.nanoTime();
        Future<TcpCommunicator> r0 = pool.submit(() -> TcpRendezvous.join(e0, at, 0, 3, OPTIONS));
        Future<TcpCommunicator> r1 = pool.submit(() -> TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), at, 1, 3, OPTIONS));
        // Rank 1 joining, rank 2 not yet: the strays come in the middle of the rendezvous.
        sendStrays(at, "rendezvous on rank 0/3 (" + TcpEndpoint.format(at) + ")");
        Future<TcpCommunicator> r2 = pool.submit(() -> TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), at, 2, 3, OPTIONS));
        for (Future<TcpCommunicator> f : List.of(r0, r1, r2)) {
            opened.add(f.get(60, TimeUnit.SECONDS));
        }
        assertThat(System.nanoTime() - t0).as("the group formed within the set-up deadline")
                .isLessThan(OPTIONS.setupTimeout().toNanos());
        assertThat(Ranks.all(opened, c -> {
            long[] v = {c.rank() + 1};
            c.allReduce(v, 0, 1, ReduceOp.SUM);
            return v[0];
        })).containsExactly(6L, 6L, 6L);
        assertThat(log.lines()).hasSize(Stray.values().length);
    }

    @Test
    void addressListSetUpLogsEachStrayAndFormsTheGroup() throws Exception {
        TcpEndpoint e0 = TcpEndpoint.bind("127.0.0.1", 0);
        TcpEndpoint e1 = TcpEndpoint.bind("127.0.0.1", 0);
        List<InetSocketAddress> addresses = List.of(e0.address(), e1.address());
        Future<TcpCommunicator> c0 = pool.submit(() -> TcpCommunicator.connect(e0, 0, addresses, OPTIONS));
        sendStrays(e0.address(), "connecting on rank 0/2 (" + TcpEndpoint.format(e0.address()) + ")");
        Future<TcpCommunicator> c1 = pool.submit(() -> TcpCommunicator.connect(e1, 1, addresses, OPTIONS));
        opened.add(c0.get(60, TimeUnit.SECONDS));
        opened.add(c1.get(60, TimeUnit.SECONDS));
        assertThat(Ranks.all(opened, c -> {
            long[] v = {c.rank() + 1};
            c.allReduce(v, 0, 1, ReduceOp.SUM);
            return v[0];
        })).containsExactly(3L, 3L);
    }

    @Test
    void aRendezvousThatTimesOutTellsTheRanksThatJoinedWhy() {
        TcpEndpoint e0 = TcpEndpoint.bind("127.0.0.1", 0);
        InetSocketAddress at = e0.address();
        TcpOptions quick = TcpOptions.defaults(Duration.ofSeconds(5)); // rank 2 never comes
        Future<TcpCommunicator> r0 = pool.submit(() -> TcpRendezvous.join(e0, at, 0, 3, quick));
        String why = "rendezvous on rank 0/3 (" + TcpEndpoint.format(at) + "): timed out after 5000 ms waiting for rank 2"
                + " to join";
        assertThatThrownBy(() -> TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), at, 1, 3, OPTIONS))
                .isInstanceOf(CollectiveException.class)
                .hasMessage("rendezvous on rank 1/3: rank 0 at " + TcpEndpoint.format(at) + " refused: " + why);
        assertThatThrownBy(() -> r0.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(CollectiveException.class)
                .hasMessageContaining(why);
    }

    @Test
    void aRankZeroThatClosesWithoutAnsweringIsNamed() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            InetSocketAddress at = (InetSocketAddress) fake.getLocalSocketAddress();
            int helloBytes = new TcpHello(TcpHello.RENDEZVOUS, 1, 2, "127.0.0.1", 0).encode().length;
            Future<?> rank0 = pool.submit(() -> {
                try (Socket s = fake.accept()) {
                    // Read the hello first: closing with unread bytes would reset the connection instead.
                    return s.getInputStream().readNBytes(helloBytes).length;
                }
            });
            assertThatThrownBy(() -> TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), at, 1, 2, OPTIONS))
                    .isInstanceOf(CollectiveException.class)
                    .hasMessageStartingWith("rendezvous on rank 1/2: rank 0 at " + TcpEndpoint.format(at)
                            + " closed the connection before answering (");
            assertThat(rank0.get(60, TimeUnit.SECONDS)).isEqualTo(helloBytes);
        }
    }
}
