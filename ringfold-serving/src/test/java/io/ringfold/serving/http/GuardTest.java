package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.security.BearerToken;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Token decisions and access-log lines in-process, through Netty's EmbeddedChannel. */
class GuardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "tok-3f9a";
    private static final String ROW = "{\"instances\": [[1, 0]]}";

    @TempDir
    Path repo;

    private ModelRepository repository;
    private EmbeddedChannel channel;
    private final StringWriter logged = new StringWriter();
    private AccessLog accessLog;

    @BeforeEach
    void setUp() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        ServingMetrics metrics = new ServingMetrics();
        repository = new ModelRepository(repo, new BatchingConfig(true, 8, 0, 16, 1), metrics, Blas.get());
        repository.poll();
        Router router = new Router(repository, metrics, () -> true, Runnable::run);
        accessLog = new AccessLog(64, logged);
        channel = new EmbeddedChannel();
        HttpServer.addHandlers(channel.pipeline(), 1024, router, new HttpServer.Counters(metrics),
                new Guard(BearerToken.of(TOKEN), accessLog));
    }

    @AfterEach
    void tearDown() throws Exception {
        accessLog.close();
        channel.finishAndReleaseAll();
        repository.close(2000);
    }

    private FullHttpResponse call(HttpMethod method, String uri, String body, String... headers) throws Exception {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            req.headers().add(headers[i], headers[i + 1]);
        }
        channel.writeInbound(req);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            channel.runPendingTasks();
            FullHttpResponse r = channel.readOutbound();
            if (r != null) {
                return r;
            }
            Thread.sleep(1);
        }
        throw new AssertionError(method + " " + uri + ": no response within 10 s");
    }

    private static int status(FullHttpResponse r) {
        int s = r.status().code();
        r.release();
        return s;
    }

    @Test
    void missingTokenIs401WithABareChallengeAndWrongTokenNamesTheError() throws Exception {
        FullHttpResponse none = call(HttpMethod.POST, "/v1/models/iris:predict", ROW);
        assertThat(none.status().code()).isEqualTo(401);
        assertThat(none.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer realm=\"ringfold\"");
        assertThat(JSON.readTree(none.content().toString(StandardCharsets.UTF_8)).get("error").asText())
                .isEqualTo("Authorization: no bearer token (expected: Authorization: Bearer <token>)");
        none.release();

        FullHttpResponse basic = call(HttpMethod.GET, "/v2", "", "Authorization", "Basic dXNlcjpwYXNz");
        assertThat(basic.status().code()).isEqualTo(401);
        assertThat(basic.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer realm=\"ringfold\"");
        basic.release();

        FullHttpResponse wrong = call(HttpMethod.GET, "/v2", "", "Authorization", "Bearer tok-3f9b");
        assertThat(wrong.status().code()).isEqualTo(401);
        assertThat(wrong.headers().get(HttpHeaderNames.WWW_AUTHENTICATE))
                .isEqualTo("Bearer realm=\"ringfold\", error=\"invalid_token\"");
        wrong.release();

        FullHttpResponse malformed = call(HttpMethod.GET, "/v2", "", "Authorization", "Bearer");
        assertThat(malformed.status().code()).isEqualTo(400);
        assertThat(malformed.headers().get(HttpHeaderNames.WWW_AUTHENTICATE))
                .isEqualTo("Bearer realm=\"ringfold\", error=\"invalid_request\"");
        malformed.release();
    }

    @Test
    void probesAreOpenAndEverythingElseNeedsTheToken() throws Exception {
        assertThat(status(call(HttpMethod.GET, "/v2/health/live", ""))).isEqualTo(200);
        assertThat(status(call(HttpMethod.GET, "/v2/health/ready?x=1", ""))).isEqualTo(200);
        // Only the exact probe paths are open: a look-alike is a protected (unknown) path.
        assertThat(status(call(HttpMethod.GET, "/v2/health/live/", ""))).isEqualTo(401);
        assertThat(status(call(HttpMethod.GET, "/v2/health", ""))).isEqualTo(401);
        for (String path : new String[] {"/metrics", "/v2", "/v2/models/iris", "/v1/models/iris", "/nowhere"}) {
            assertThat(status(call(HttpMethod.GET, path, ""))).as(path).isEqualTo(401);
        }
        String auth = "Bearer " + TOKEN;
        assertThat(status(call(HttpMethod.GET, "/metrics", "", "Authorization", auth))).isEqualTo(200);
        assertThat(status(call(HttpMethod.GET, "/v2/models/iris", "", "Authorization", auth))).isEqualTo(200);
        assertThat(status(call(HttpMethod.POST, "/v1/models/iris:predict", ROW, "Authorization", auth))).isEqualTo(200);
        assertThat(status(call(HttpMethod.GET, "/nowhere", "", "Authorization", auth))).isEqualTo(404);
    }

    @Test
    void accessLogHasOneJsonLinePerRequestWithoutTokenOrBody() throws Exception {
        assertThat(status(call(HttpMethod.POST, "/v1/models/iris:predict?debug=secret", ROW,
                "Authorization", "Bearer " + TOKEN, "X-Request-Id", "req-7"))).isEqualTo(200);
        assertThat(status(call(HttpMethod.POST, "/v2/models/iris/versions/9/infer", "{}",
                "Authorization", "Bearer " + TOKEN))).isEqualTo(404);
        assertThat(status(call(HttpMethod.GET, "/v2/health/live", ""))).isEqualTo(200);
        accessLog.close(); // writes what is queued; joining the writer makes its output visible here

        String[] lines = logged.toString().split("\n");
        assertThat(lines).hasSize(3);
        JsonNode predict = JSON.readTree(lines[0]);
        assertThat(predict.get("method").asText()).isEqualTo("POST");
        assertThat(predict.get("path").asText()).isEqualTo("/v1/models/iris:predict");
        assertThat(predict.get("status").asInt()).isEqualTo(200);
        assertThat(predict.get("bytes_in").asLong()).isEqualTo(ROW.length());
        assertThat(predict.get("bytes_out").asLong()).isPositive();
        assertThat(predict.get("duration_us").asLong()).isNotNegative();
        assertThat(predict.get("model").asText()).isEqualTo("iris");
        assertThat(predict.get("version").asText()).as("the version that answered").isEqualTo("1");
        assertThat(predict.get("request_id").asText()).isEqualTo("req-7");
        assertThat(predict.get("remote").asText()).isEqualTo("embedded");
        assertThat(java.time.Instant.parse(predict.get("time").asText())).isNotNull();

        JsonNode missing = JSON.readTree(lines[1]);
        assertThat(missing.get("status").asInt()).isEqualTo(404);
        assertThat(missing.get("model").asText()).isEqualTo("iris");
        assertThat(missing.get("version").asText()).as("the version the path names").isEqualTo("9");
        assertThat(missing.has("request_id")).isFalse();

        JsonNode live = JSON.readTree(lines[2]);
        assertThat(live.get("path").asText()).isEqualTo("/v2/health/live");
        assertThat(live.has("model")).isFalse();

        assertThat(logged.toString()).doesNotContain(TOKEN).doesNotContain("instances").doesNotContain("secret");
    }
}
