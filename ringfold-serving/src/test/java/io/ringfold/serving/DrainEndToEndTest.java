package io.ringfold.serving;

import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.load.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The drain over raw keep-alive connections, where each reply's {@code Connection} header can be seen: after
 * the drain period a busy connection gets its last reply with {@code Connection: close}, an idle one is closed
 * after a quiet second without having been used, a request computing at that moment is answered (and closes
 * its connection), and new connections are refused. Before, the server closed every connection as soon as no
 * request happened to be in flight, under clients about to send on them.
 */
class DrainEndToEndTest {

    private static final String INFER = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", "
            + "\"data\": [1, 0]}]}";
    private static final Duration DRAIN = Duration.ofSeconds(1);

    @TempDir
    Path repo;

    private final GatedBlas gate = new GatedBlas();
    private InferenceServer server;

    @AfterEach
    void stop() {
        gate.open();
        if (server != null) {
            server.close();
        }
    }

    private RawHttp connect() throws IOException {
        return RawHttp.connect("127.0.0.1", server.port(), Duration.ofSeconds(10));
    }

    @Test
    void eachConnectionClosesAfterItsLastReplyOnceTheDrainPeriodIsOver() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        server = InferenceServer.start(ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(-1)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 1, 0, 8, 1)).withDrainPeriod(DRAIN)
                .withGracePeriod(Duration.ofSeconds(10)), gate);
        try (RawHttp computing = connect(); RawHttp idle = connect(); RawHttp busy = connect()) {
            assertThat(idle.exchange("GET", "/v2/health/live", null).status()).isEqualTo(200);
            gate.close();
            computing.write(RawHttp.request("POST", "/v2/models/iris/infer", INFER));
            gate.awaitWaiting(1);

            long t0 = System.nanoTime();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.state() != InferenceServer.State.DRAINING) {
                assertThat(System.nanoTime()).as("DRAINING within 10 s").isLessThan(deadline);
                Thread.sleep(1);
            }
            int answered = 0;
            RawHttp.Response r;
            do {
                assertThat(System.nanoTime()).as("a closing reply within 10 s").isLessThan(deadline);
                r = busy.exchange("GET", "/v2/health/live", null);
                assertThat(r.status()).isEqualTo(200);
                answered++;
            } while (!r.closes());
            long closingAfter = System.nanoTime() - t0;
            System.out.println("drain: busy connection served " + answered + " requests, the last with Connection: close"
                    + " after " + TimeUnit.NANOSECONDS.toMillis(closingAfter) + " ms");
            assertThat(closingAfter).as("connections close only after the drain period")
                    .isGreaterThanOrEqualTo(DRAIN.toNanos());
            assertThat(answered).as("requests served in the drain period").isGreaterThan(10);
            assertThat(busy.closedByServer()).isTrue();
            assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);

            assertThat(idle.closedByServer()).as("the idle connection, closed without a request lost").isTrue();
            assertThat(stopping).isNotDone();
            gate.open();
            RawHttp.Response last = computing.read();
            assertThat(last.status()).as(last.text()).isEqualTo(200);
            assertThat(last.closes()).isTrue();
            stopping.get(20, TimeUnit.SECONDS);
            assertThat(server.state()).isEqualTo(InferenceServer.State.STOPPED);
        }
    }
}
