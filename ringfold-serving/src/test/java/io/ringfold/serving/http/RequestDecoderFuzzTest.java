package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.ringfold.serving.GatedBlas;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property: whatever the body and path, the server answers; never with 5xx; every error is
 * {@code {"error": "<non-empty text>"}} as JSON; no exception escapes to the channel and the connection
 * stays usable. Random and mutated bodies come from {@link RequestFuzzer}; the seed is printed, and
 * {@code -Dringfold.fuzz.seed=S -Dringfold.fuzz.cases=N} replays or widens a run.
 */
class RequestDecoderFuzzTest {

    private static final ObjectMapper STRICT = new ObjectMapper();
    private static final long SEED = Long.getLong("ringfold.fuzz.seed", 20261128L);
    private static final int CASES = Integer.getInteger("ringfold.fuzz.cases", 4000);

    @TempDir
    Path repo;

    private ModelRepository repository;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        TestModels.write(repo, "reg", 3, TestModels.linear());
        Files.writeString(repo.resolve("iris/config.json"), "{\"version_labels\": {\"stable\": 1}}");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        if (repository != null) {
            repository.close(2000);
        }
    }

    @Test
    void randomAndMutatedRequestsThroughTheHandlersNeverGive5xxOrEscapingExceptions() throws Exception {
        ServingMetrics metrics = new ServingMetrics();
        repository = new ModelRepository(repo, new BatchingConfig(true, 8, 0, 64, 1), metrics, Blas.get());
        repository.poll();
        Router router = new Router(repository, metrics, () -> true, Runnable::run);
        channel = new EmbeddedChannel();
        HttpServer.addHandlers(channel.pipeline(), 1 << 20, router, new HttpServer.Counters(metrics));
        System.out.println("RequestDecoderFuzzTest (EmbeddedChannel): seed " + SEED + ", " + CASES + " cases");

        RequestFuzzer fuzz = new RequestFuzzer(SEED);
        int[] byClass = new int[6];
        for (int i = 0; i < CASES; i++) {
            RequestFuzzer.Case c = fuzz.next();
            String what = "seed " + SEED + " case " + i + ": " + c;
            channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(c.method()), c.path(),
                    Unpooled.wrappedBuffer(c.body())));
            FullHttpResponse r = await(what);
            try {
                int status = r.status().code();
                byClass[status / 100]++;
                check(what, status, r.headers().get(HttpHeaderNames.CONTENT_TYPE), r.content().toString(StandardCharsets.UTF_8),
                        c.path());
            } finally {
                r.release();
            }
            channel.checkException();
            assertThat(channel.isActive()).as(what + ": connection closed").isTrue();
        }
        System.out.println("RequestDecoderFuzzTest: responses 2xx " + byClass[2] + ", 4xx " + byClass[4]);
        // The generator must reach the decoders, not only the router's 404s: some requests decode fully.
        assertThat(byClass[2]).as("2xx responses").isGreaterThan(CASES / 50);
        assertThat(byClass[4]).as("4xx responses").isGreaterThan(CASES / 2);
    }

    /** The same property over a real socket, through the HTTP codec and Content-Length framing. */
    @Test
    void aSampleOfTheSameRequestsOverARealSocket() throws Exception {
        ServerConfig config = ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(-1).withPollSeconds(0)
                .withBatching(new BatchingConfig(true, 8, 0, 64, 1)).withGracePeriod(Duration.ofSeconds(5));
        InferenceServer server = InferenceServer.start(config, new GatedBlas());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        int cases = Math.max(1, CASES / 10);
        System.out.println("RequestDecoderFuzzTest (socket): seed " + (SEED + 1) + ", " + cases + " cases");
        try {
            RequestFuzzer fuzz = new RequestFuzzer(SEED + 1);
            for (int i = 0; i < cases; i++) {
                RequestFuzzer.Case c = fuzz.next();
                if (c.method().equals("HEAD")) {
                    continue; // a HEAD response has no body to check
                }
                String what = "seed " + (SEED + 1) + " case " + i + ": " + c;
                URI uri;
                try {
                    uri = URI.create("http://127.0.0.1:" + server.port() + c.path());
                } catch (IllegalArgumentException e) {
                    continue; // not a path a client can send (e.g. a raw '%00' is fine, a bare '%' is not)
                }
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                        .method(c.method(), HttpRequest.BodyPublishers.ofByteArray(c.body())).build(),
                        HttpResponse.BodyHandlers.ofString());
                check(what, r.statusCode(), r.headers().firstValue("content-type").orElse(null), r.body(), c.path());
            }
        } finally {
            server.shutdown();
        }
    }

    private static void check(String what, int status, String contentType, String body, String path) throws Exception {
        assertThat(status).as(what + " -> " + body).isBetween(200, 499);
        if (status == 200 && path.equals("/metrics")) {
            return;
        }
        assertThat(contentType).as(what).isEqualTo("application/json");
        JsonNode n = STRICT.readTree(body);
        if (status >= 400) {
            assertThat(n.isObject() && n.size() == 1 && n.path("error").isTextual()).as(what + " -> " + body).isTrue();
            assertThat(n.get("error").asText()).as(what).isNotBlank();
        }
    }

    private FullHttpResponse await(String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            channel.runPendingTasks();
            FullHttpResponse r = channel.readOutbound();
            if (r != null) {
                return r;
            }
            // Inference completes on a batcher thread; a short park keeps the loop from burning a core.
            LockSupport.parkNanos(20_000);
        }
        throw new AssertionError(what + ": no response within 10 s");
    }
}
