package io.ringfold.serving;

import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.connection.ConnectionLimits;
import io.ringfold.serving.load.RawHttp;
import io.ringfold.serving.metrics.ConnectionMetrics.Closure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one client can hold of the HTTP port, over real sockets: a client that pipelines without reading is
 * stopped (the server stops reading it) while another is served; connections beyond the limit are refused and
 * idle ones closed; a request that arrives too slowly gets 408; pipelined requests beyond the limit wait
 * unread; bodies beyond the shared budget get 503. Each of these held on the code before the limits.
 */
class ConnectionLimitsEndToEndTest {

    private static final String INFER = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", "
            + "\"data\": [1, 0]}]}";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path repo;
    @TempDir
    Path secrets;

    private final GatedBlas gate = new GatedBlas();
    private InferenceServer server;

    private InferenceServer start(ConnectionLimits limits, ServerConfig base) throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        server = InferenceServer.start(base.withHost("127.0.0.1").withPort(0).withGrpcPort(-1).withPollSeconds(0)
                .withDrainPeriod(Duration.ZERO).withGracePeriod(Duration.ofSeconds(5)).withLimits(limits), gate);
        return server;
    }

    private ServerConfig config() {
        return ServerConfig.defaults(repo).withBatching(new BatchingConfig(true, 1, 0, 64, 1));
    }

    @AfterEach
    void stop() {
        gate.open();
        if (server != null) {
            server.close();
        }
    }

    private RawHttp connect() throws IOException {
        return RawHttp.connect("127.0.0.1", server.port(), TIMEOUT);
    }

    /**
     * The attack from the issue: requests pipelined without reading a reply (401s, no token needed). Before
     * backpressure the server read everything and queued every reply: against the previous build, with the
     * container's heap and direct-memory caps, such a client had 49 MiB accepted in 35 s, the process grew to
     * 895 MiB and stopped answering its liveness probe.
     */
    @Test
    void aClientPipeliningWithoutReadingIsStoppedWhileAnotherIsServed() throws Exception {
        Path token = Files.writeString(secrets.resolve("token"), "t0ken-for-the-test");
        start(ConnectionLimits.defaults(), config().withAuthTokenFile(token));
        byte[] one = RawHttp.request("GET", "/v1/models/iris", null);
        byte[] chunk = new byte[one.length * (64 * 1024 / one.length)];
        for (int off = 0; off < chunk.length; off += one.length) {
            System.arraycopy(one, 0, chunk, off, one.length);
        }
        long cap = 64L << 20;
        AtomicLong sent = new AtomicLong();
        Socket attacker = new Socket();
        attacker.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = attacker.getOutputStream();
                while (sent.get() < cap) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // Closed under us at the end of the test.
            }
        }, "pipelining-attacker");
        writer.setDaemon(true);
        writer.start();
        try {
            // Stalled: no byte accepted for 5 s (or the cap reached, which is the failure). The server before
            // backpressure also paused for a second or two at times (collecting garbage), then read on.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            long last = -1;
            int stillSeconds = 0;
            while (sent.get() < cap && stillSeconds < 5) {
                assertThat(System.nanoTime()).as("attacker stalled or capped within 120 s").isLessThan(deadline);
                stillSeconds = sent.get() == last ? stillSeconds + 1 : 0;
                last = sent.get();
                Thread.sleep(1000);
            }
            long buffered = server.metrics().networkBufferBytes();
            assertThat(sent.get()).as("bytes the server let the attacker send (kernel buffers hold a few MiB)")
                    .isLessThan(32L << 20);
            assertThat(buffered).as("the HTTP transport's buffer memory while the attacker waits").isLessThan(32L << 20);

            // Another client, served as usual while the attacker is connected and blocked.
            long[] micros = new long[200];
            try (RawHttp good = connect()) {
                for (int i = 0; i < micros.length; i++) {
                    long t0 = System.nanoTime();
                    RawHttp.Response r = good.exchange("POST", "/v2/models/iris/infer", INFER,
                            "Authorization: Bearer t0ken-for-the-test");
                    micros[i] = (System.nanoTime() - t0) / 1000;
                    assertThat(r.status()).as(r.text()).isEqualTo(200);
                }
            }
            Arrays.sort(micros);
            System.out.println("pipelining attacker: " + (sent.get() >> 10) + " KiB accepted, transport buffers "
                    + (buffered >> 10) + " KiB; other client p50 " + micros[100] + " us, p99 " + micros[198] + " us");
            assertThat(micros[198]).as("other client's p99, us").isLessThan(250_000);
            assertThat(sent.get()).as("the attacker is still blocked").isLessThan(32L << 20);
        } finally {
            attacker.close();
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedAndIdleOnesClosed() throws Exception {
        start(ConnectionLimits.defaults().withMaxConnections(20).withIdleTimeout(Duration.ofSeconds(1)), config());
        List<RawHttp> idle = new ArrayList<>();
        long opened = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            idle.add(connect());
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (server.metrics().httpConnections().open() < 20) {
            assertThat(System.nanoTime()).as("20 connections open within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
        try (RawHttp extra = connect()) {
            RawHttp.Response r = extra.read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.closes()).isTrue();
            assertThat(r.headers()).containsEntry("retry-after", "1");
            assertThat(r.text()).contains("too many connections: 20 open (expected: at most 20; see --max-connections)");
            assertThat(extra.closedByServer()).isTrue();
        }
        assertThat(server.metrics().httpConnections().refused()).isEqualTo(1);
        for (RawHttp c : idle) {
            assertThat(c.closedByServer()).as("idle connection closed by the server").isTrue();
            c.close();
        }
        assertThat(System.nanoTime() - opened).as("closed after the idle timeout, not before")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
        assertThat(server.metrics().httpConnections().closedCount(Closure.IDLE)).isEqualTo(20);
        try (RawHttp fresh = connect()) {
            assertThat(fresh.exchange("GET", "/v2/health/live", null).status()).isEqualTo(200);
        }
    }

    @Test
    void aConnectionWaitingForItsClientIsClosedButNotOneWaitingForTheServer() throws Exception {
        start(ConnectionLimits.defaults().withIdleTimeout(Duration.ofSeconds(1)), config());
        try (RawHttp busy = connect(); RawHttp quiet = connect()) {
            assertThat(quiet.exchange("GET", "/v2/health/live", null).status()).isEqualTo(200);
            gate.close();
            busy.write(RawHttp.request("POST", "/v2/models/iris/infer", INFER));
            gate.awaitWaiting(1);
            assertThat(quiet.closedByServer()).as("idle after its reply").isTrue();
            Thread.sleep(1500);
            gate.open();
            RawHttp.Response r = busy.read();
            assertThat(r.status()).as("a request computing past the idle timeout keeps its connection").isEqualTo(200);
            assertThat(r.closes()).isFalse();
        }
    }

    @Test
    void aRequestThatArrivesTooSlowlyGets408() throws Exception {
        start(ConnectionLimits.defaults().withRequestTimeout(Duration.ofSeconds(1)), config());
        try (RawHttp slowBody = connect(); RawHttp slowHead = connect()) {
            long t0 = System.nanoTime();
            slowBody.write(("POST /v2/models/iris/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            // A header a byte at a time: never idle, never complete.
            slowHead.write("GET /v2/health/live HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 30; i++) {
                        Thread.sleep(200);
                        slowHead.write(new byte[] {'a'});
                    }
                } catch (IOException | InterruptedException e) {
                    // Closed by the server, as expected.
                }
            });
            writer.setDaemon(true);
            writer.start();
            for (RawHttp c : List.of(slowBody, slowHead)) {
                RawHttp.Response r = c.read();
                assertThat(r.status()).as(r.text()).isEqualTo(408);
                assertThat(r.closes()).isTrue();
                assertThat(r.text()).contains("request: not received within 1 s of its first byte");
                assertThat(c.closedByServer()).isTrue();
            }
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
        }
        assertThat(server.metrics().httpConnections().closedCount(Closure.REQUEST_TIMEOUT)).isEqualTo(2);
    }

    @Test
    void pipelinedRequestsBeyondTheLimitWaitUnreadAndAreAnsweredInOrder() throws Exception {
        start(ConnectionLimits.defaults().withMaxPipelinedRequests(4), config());
        int n = 20;
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            all.writeBytes(RawHttp.request("POST", "/v2/models/iris/infer", INFER.replace("{\"inputs\"", "{\"id\": \"" + i
                    + "\", \"inputs\"")));
        }
        gate.close();
        try (RawHttp c = connect()) {
            c.write(all.toByteArray());
            gate.awaitWaiting(1);
            Thread.sleep(500);
            // One computing at the gate and the rest of the four in the queue; the other 16 unread.
            assertThat(server.repository().resolve("iris", null, null).queued()).isLessThanOrEqualTo(3);
            gate.open();
            for (int i = 0; i < n; i++) {
                RawHttp.Response r = c.read();
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                assertThat(r.text()).contains("\"id\":\"" + i + "\"");
            }
        }
    }

    @Test
    void bodiesBeyondTheSharedBudgetGet503AndOthersGoOn() throws Exception {
        start(ConnectionLimits.defaults().withMaxBufferedBodyBytes(64 << 10), config().withMaxBodyBytes(1 << 20));
        String big = INFER + " ".repeat((60 << 10) - INFER.length());
        byte[] bigRequest = RawHttp.request("POST", "/v2/models/iris/infer", big);
        int headLength = bigRequest.length - big.length();
        try (RawHttp a = connect(); RawHttp b = connect()) {
            // A's head and 50 KiB of its body: held while the rest arrives.
            a.write(Arrays.copyOf(bigRequest, headLength + (50 << 10)));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (server.metrics().bufferedBodyBytes() < (50 << 10)) {
                assertThat(System.nanoTime()).as("A's 50 KiB held within 10 s").isLessThan(deadline);
                Thread.sleep(5);
            }
            String medium = INFER + " ".repeat((20 << 10) - INFER.length());
            RawHttp.Response refused = b.exchange("POST", "/v2/models/iris/infer", medium);
            assertThat(refused.status()).as(refused.text()).isEqualTo(503);
            assertThat(refused.headers()).containsEntry("retry-after", "1");
            assertThat(refused.text()).contains("see --max-buffered-body-bytes");
            assertThat(refused.closes()).isTrue();
            a.write(Arrays.copyOfRange(bigRequest, headLength + (50 << 10), bigRequest.length));
            assertThat(a.read().status()).isEqualTo(200);
            while (server.metrics().bufferedBodyBytes() > 0) {
                assertThat(System.nanoTime()).as("nothing held once the bodies are in, within 10 s").isLessThan(deadline);
                Thread.sleep(5);
            }
            try (RawHttp again = connect()) {
                assertThat(again.exchange("POST", "/v2/models/iris/infer", medium).status()).isEqualTo(200);
            }
        }
    }
}
