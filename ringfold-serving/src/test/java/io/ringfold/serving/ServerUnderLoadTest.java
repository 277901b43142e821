package io.ringfold.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.serving.batching.BatchingConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server under concurrent load over loopback sockets: hot reload, graceful shutdown and a full queue.
 * Bounded by request counts (and 20-30 s deadlines that only fire on a hang); no timing is asserted.
 * Compute is held at a gate ({@link GatedBlas}) where a test needs requests in flight or queued.
 */
class ServerUnderLoadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INFER = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 0]}]}";

    @TempDir
    Path repo;

    private final GatedBlas gate = new GatedBlas();
    private final HttpClient admin = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private InferenceServer server;
    private ClosedLoopClients load;

    private InferenceServer start(BatchingConfig batching, Duration grace) throws Exception {
        ServerConfig config = ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(-1).withPollSeconds(0)
                .withBatching(batching).withGracePeriod(grace);
        server = InferenceServer.start(config, gate);
        return server;
    }

    @AfterEach
    void stop() throws Exception {
        gate.open();
        if (load != null) {
            load.close();
        }
        if (server != null) {
            server.shutdown();
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return admin.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String body) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void assertCleanRefusal(ClosedLoopClients.Answer a) throws Exception {
        assertThat(a.status()).as(a.body()).isEqualTo(503);
        assertThat(a.retryAfter()).as("Retry-After of " + a.body()).isEqualTo("1");
        assertThat(JSON.readTree(a.body()).path("error").asText()).as(a.body()).isNotBlank();
    }

    @Test
    void hotReloadUnderLoadFailsNoRequest() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        start(new BatchingConfig(true, 8, 200, 256, 1), Duration.ofSeconds(10));
        load = new ClosedLoopClients(8, uri("/v2/models/iris/infer"), INFER, 200_000, a -> false);
        load.awaitOk(200);

        // Version 2 through the repository API; version 1 retires (policy: latest 1) while requests hold it.
        TestModels.write(repo, "iris", 2, TestModels.softmax(3));
        HttpResponse<String> loaded = send("POST", "/v2/repository/models/iris/load", "");
        assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
        load.awaitOk(load.ok.get() + 200);

        // Version 3 through a scan (what the poll timer runs), with version 2's directory removed.
        TestModels.write(repo, "iris", 3, TestModels.softmax(2));
        deleteTree(repo.resolve("iris/2"));
        server.repository().poll();
        load.awaitOk(load.ok.get() + 200);
        load.stopAndJoin();

        assertThat(load.dropped).isEmpty();
        assertThat(load.refusedConnections.get()).isZero();
        assertThat(load.byStatus.keySet()).as("statuses " + load.byStatus).containsExactly(200);
        Set<String> versions = new TreeSet<>();
        for (ClosedLoopClients.Answer a : load.answers) {
            JsonNode n = JSON.readTree(a.body());
            versions.add(n.get("model_version").asText());
            assertThat(n.at("/outputs/1/data/0").asText()).as(a.body()).isEqualTo("a");
        }
        assertThat(versions).containsExactly("1", "2", "3");
        assertThat(server.repository().resolve("iris", null, null).version()).isEqualTo(3);
    }

    /**
     * The promise: once shutdown starts, the server serves on through the drain period, then closes each
     * connection after its last reply ({@code Connection: close}); every request sent is answered 200 (held ones
     * included), and a client learns only by its next connection being refused, which a load balancer would have
     * sent elsewhere. Every response is counted; clients stop only at a refused connection.
     */
    @Test
    void gracefulShutdownUnderLoadAnswersEveryRequestSent() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        ServerConfig config = ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(-1)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 4, 0, 256, 1))
                .withDrainPeriod(Duration.ofSeconds(2)).withGracePeriod(Duration.ofSeconds(10));
        server = InferenceServer.start(config, gate);
        load = new ClosedLoopClients(8, uri("/v2/models/iris/infer"), INFER, 2_000_000, a -> false);
        load.awaitOk(100);

        gate.close();
        gate.awaitWaiting(1);
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(admin.sendAsync(request("POST", "/v2/models/iris/infer", INFER), HttpResponse.BodyHandlers.ofString()));
        }
        awaitQueued(3);

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> server.close());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.state() != InferenceServer.State.DRAINING) {
            assertThat(System.nanoTime()).as("draining within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
        HttpResponse<String> ready = send("GET", "/v2/health/ready", null);
        assertThat(ready.statusCode()).isEqualTo(503);
        gate.open();
        int okWhenDraining = load.ok.get();

        for (CompletableFuture<HttpResponse<String>> f : held) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        shutdown.get(30, TimeUnit.SECONDS);
        load.join();
        assertThat(server.state()).isEqualTo(InferenceServer.State.STOPPED);
        System.out.println("graceful shutdown under load: statuses " + load.byStatus + ", served while draining "
                + (load.ok.get() - okWhenDraining) + ", connections refused " + load.refusedConnections + ", dropped "
                + load.dropped.size());
        assertThat(load.dropped).as("requests sent and never answered; statuses " + load.byStatus).isEmpty();
        assertThat(load.byStatus.keySet()).as("statuses").containsExactly(200);
        assertThat(load.ok.get() - okWhenDraining).as("requests served in the drain period").isGreaterThan(100);
        assertThat(load.refusedConnections.get()).as("clients that ended at a refused connection").isEqualTo(8);
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAndNeverGrows() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        int queueSize = 4;
        int requests = 3000;
        start(new BatchingConfig(true, 1, 0, queueSize, 1), Duration.ofSeconds(10));
        gate.close();
        load = new ClosedLoopClients(32, uri("/v2/models/iris/infer"), INFER, requests, a -> false);
        // One request computes (held at the gate), queueSize wait; every other one is refused at once.
        int held = 1 + queueSize;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int maxQueued = 0;
        while (count(503) < requests - held) {
            assertThat(System.nanoTime()).as("503s within 30 s: " + load.byStatus + ", dropped " + load.dropped)
                    .isLessThan(deadline);
            maxQueued = Math.max(maxQueued, server.repository().resolve("iris", null, null).queued());
            assertThat(load.dropped).isEmpty();
            Thread.sleep(1);
        }
        assertThat(maxQueued).isLessThanOrEqualTo(queueSize);
        assertThat(server.repository().resolve("iris", null, null).queued()).isEqualTo(queueSize);
        assertThat(gate.waiting()).isEqualTo(1);
        assertThat(send("GET", "/v2/health/live", null).statusCode()).isEqualTo(200);

        gate.open();
        load.join();
        assertThat(load.dropped).isEmpty();
        assertThat(load.byStatus.keySet()).containsExactlyInAnyOrder(200, 503);
        assertThat(load.ok.get()).isEqualTo(held);
        for (ClosedLoopClients.Answer a : load.answers) {
            if (a.status() == 503) {
                assertCleanRefusal(a);
            }
        }
        assertThat(send("GET", "/metrics", null).body()).contains("ringfold_http_responses_total{code=\"503\"} " + (requests - held) + "\n");
    }

    private int count(int status) {
        var n = load.byStatus.get(status);
        return n == null ? 0 : n.get();
    }

    private void awaitQueued(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.repository().resolve("iris", null, null).queued() < n) {
            assertThat(System.nanoTime()).as(n + " queued within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
