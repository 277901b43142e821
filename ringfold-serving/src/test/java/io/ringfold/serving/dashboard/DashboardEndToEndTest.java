package io.ringfold.serving.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.ModelCodec;
import io.ringfold.runs.FileRunStore;
import io.ringfold.runs.RunRecord;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.train.EpochMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's JSON API and files over real sockets with the JDK's HTTP client, against a repository with
 * a serving classifier (with a label, an evaluation and a run record), a model whose only version is corrupt,
 * and a run record in a hidden staging directory.
 */
class DashboardEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN_ID = "20260101T000000Z-abcdef12";
    private static final int[][] CONFUSION = {{5, 1, 0}, {0, 4, 2}, {1, 0, 7}};

    @TempDir
    static Path repo;

    private static InferenceServer server;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        ObjectNode evaluation = JSON.createObjectNode().put("count", 20).put("accuracy", 0.8);
        evaluation.set("confusion", JSON.valueToTree(CONFUSION));
        Path v1 = repo.resolve("iris").resolve("1");
        ModelCodec.save(TestModels.softmax(1), v1, evaluation);
        Files.writeString(repo.resolve("iris/config.json"), "{\"version_labels\": {\"stable\": 1}}");
        TestModels.writeCorrupt(repo, "broken", 1);
        ObjectNode summary = JSON.createObjectNode().put("test_accuracy", 0.8).put("workers", 2);
        summary.putArray("telemetry").add(JSON.createObjectNode().put("rank", 0).put("compute_seconds", 1.5)
                .put("wait_seconds", 0.25)).add(JSON.createObjectNode().put("rank", 1).put("compute_seconds", 1.25)
                .put("wait_seconds", 0.5));
        List<EpochMetrics> epochs = new ArrayList<>();
        for (int e = 1; e <= 3; e++) {
            epochs.add(new EpochMetrics(e, 1.0 / e, 0.5 + 0.1 * e, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, 0.01f, 0.1, 100));
        }
        new FileRunStore(v1).save(new RunRecord(RUN_ID, "2026-01-01T00:00:00Z", 4.5, List.of("train", "--epochs", "3"),
                summary, epochs, v1));
        Path staging = repo.resolve("iris").resolve(".staging-2-99");
        new FileRunStore(staging).save(new RunRecord("20260102T000000Z-00000000", "2026-01-02T00:00:00Z", 1,
                List.of(), JSON.createObjectNode(), List.of(), staging));
        ServerConfig config = ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(-1)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 4, 0, 16, 1)).withGracePeriod(Duration.ofSeconds(5));
        server = InferenceServer.start(config);
    }

    @AfterAll
    static void stop() throws Exception {
        server.shutdown();
    }

    static HttpResponse<String> send(int port, String method, String path, String body, String header, String value)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (header != null) {
            b.header(header, value);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send(server.port(), "GET", path, null, null, null);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    /** The status line of a request sent byte for byte as written, so that no client can normalise the path. */
    static String rawStatus(int port, String path, String authorization) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return response.substring(0, response.indexOf("\r\n"));
        }
    }

    @Test
    void modelsShowStateLabelsEvaluationAndProvenance() throws Exception {
        JsonNode models = get("/ui/api/models");
        assertThat(models.get("ready").booleanValue()).isTrue();
        assertThat(models.get("models")).hasSize(2);
        JsonNode broken = models.get("models").get(0);
        assertThat(broken.get("name").asText()).isEqualTo("broken");
        assertThat(broken.get("state").asText()).isEqualTo("failed");
        assertThat(broken.get("reason").asText()).startsWith("version 1: ");
        assertThat(broken.get("versions").get(0).get("state").asText()).isEqualTo("failed");
        assertThat(broken.get("versions").get(0).get("reason").asText()).isNotEmpty();

        JsonNode iris = models.get("models").get(1);
        assertThat(iris.get("name").asText()).isEqualTo("iris");
        assertThat(iris.get("state").asText()).isEqualTo("ready");
        assertThat(iris.get("labels").toString()).isEqualTo("{\"stable\":1}");
        JsonNode v = iris.get("versions").get(0);
        assertThat(v.get("version").asLong()).isEqualTo(1);
        assertThat(v.get("state").asText()).isEqualTo("ready");
        assertThat(v.get("architecture").asText()).startsWith("2 -> dense(3) softmax");
        assertThat(v.get("input").toString()).isEqualTo(
                "{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,2],\"columns\":[\"x0\",\"x1\"],\"width\":2}");
        assertThat(v.get("class_names").toString()).isEqualTo("[\"a\",\"b\",\"c\"]");
        assertThat(v.get("evaluation").toString()).isEqualTo("{\"count\":20,\"accuracy\":0.8}");
        assertThat(v.get("provenance").get("seed").asLong()).isEqualTo(1);
        assertThat(v.get("provenance").get("data_source").asText()).isEqualTo("test");
        assertThat(v.get("parameter_digest").asText()).isEqualTo(TestModels.softmax(1).parameterDigest());
    }

    @Test
    void runsListSkipsStagingAndOneRunHasEpochsTelemetryAndConfusion() throws Exception {
        JsonNode runs = get("/ui/api/runs");
        assertThat(runs.get("runs").findValuesAsText("id")).containsExactly(RUN_ID);
        JsonNode r = runs.get("runs").get(0);
        assertThat(r.get("model").asText()).isEqualTo("iris");
        assertThat(r.get("version").asText()).isEqualTo("1");
        assertThat(r.get("location").asText()).isEqualTo("iris/1");
        assertThat(r.get("epoch_count").asInt()).isEqualTo(3);
        assertThat(r.get("test_accuracy").asDouble()).isEqualTo(0.8);

        JsonNode run = get("/ui/api/runs/" + RUN_ID);
        assertThat(run.get("arguments").toString()).isEqualTo("[\"train\",\"--epochs\",\"3\"]");
        assertThat(run.get("epochs").findValuesAsText("epoch")).containsExactly("1", "2", "3");
        assertThat(run.get("epochs").get(1).get("loss").asDouble()).isEqualTo(0.5);
        assertThat(run.get("epochs").get(1).has("rmse")).isFalse();
        assertThat(run.get("telemetry").findValuesAsText("wait_seconds")).containsExactly("0.25", "0.5");
        assertThat(JSON.treeToValue(run.get("evaluation").get("confusion"), int[][].class)).isEqualTo(CONFUSION);
        assertThat(run.get("class_names").toString()).isEqualTo("[\"a\",\"b\",\"c\"]");
    }

    @Test
    void unknownRunsPathsAndMethodsAreRefused() throws Exception {
        HttpResponse<String> unknown = send(server.port(), "GET", "/ui/api/runs/20260102T000000Z-00000000", null, null, null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").asText())
                .isEqualTo("run '20260102T000000Z-00000000' not found (expected: an id from /ui/api/runs)");
        assertThat(send(server.port(), "GET", "/ui/api/runs/" + RUN_ID + "/x", null, null, null).statusCode()).isEqualTo(404);
        assertThat(send(server.port(), "GET", "/ui/api/nothing", null, null, null).statusCode()).isEqualTo(404);
        HttpResponse<String> post = send(server.port(), "POST", "/ui/api/models", "{}", null, null);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void serverMetricsCountTheRequestsAnswered() throws Exception {
        long before = get("/ui/api/server").get("total").get("requests").asLong();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = send(server.port(), "POST", "/v1/models/iris:predict", "{\"instances\": [[1, 0]]}",
                    null, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        JsonNode s = get("/ui/api/server");
        assertThat(s.get("ready").booleanValue()).isTrue();
        assertThat(s.get("uptime_seconds").asDouble()).isPositive();
        assertThat(s.get("total").get("requests").asLong()).isEqualTo(before + 3);
        JsonNode iris = s.get("series").findParents("model").stream().filter(n -> n.get("model").asText().equals("iris"))
                .findFirst().orElseThrow();
        assertThat(iris.get("success").asLong()).isEqualTo(before + 3);
        assertThat(iris.get("latency").get("count").asLong()).isEqualTo(before + 3);
        assertThat(iris.get("latency").get("p50_ms").asDouble()).isPositive();
        assertThat(iris.get("latency").get("p99_ms").asDouble()).isGreaterThanOrEqualTo(iris.get("latency").get("p50_ms").asDouble());
        // The three requests are three batches of 1 row (the warm-up at load is not counted).
        JsonNode batches = iris.get("batch_size");
        assertThat(batches.get("buckets")).hasSize(12);
        assertThat(batches.get("buckets").get(0).get("le").asText()).isEqualTo("1");
        assertThat(batches.get("buckets").get(0).get("count").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(batches.get("buckets").get(11).get("le").asText()).isEqualTo("+Inf");
        assertThat(s.get("http_responses").get("200").asLong()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void thePageIsServedWithRedirectETagAnd304() throws Exception {
        HttpResponse<String> redirect = send(server.port(), "GET", "/ui", null, null, null);
        assertThat(redirect.statusCode()).isEqualTo(308);
        assertThat(redirect.headers().firstValue("Location")).hasValue("/ui/");
        HttpResponse<String> page = send(server.port(), "GET", "/ui/", null, null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<script type=\"module\" src=\"app.js\"></script>");
        String etag = page.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = send(server.port(), "GET", "/ui/", null, "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        HttpResponse<String> chart = send(server.port(), "GET", "/ui/vendor/chart.umd.js", null, null, null);
        assertThat(chart.statusCode()).isEqualTo(200);
        assertThat(chart.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        // The connection stays usable after a 304 (no stray body bytes): one more request on the same client.
        assertThat(send(server.port(), "GET", "/ui/style.css", null, null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void noPathLeavesTheDashboardFolder() throws Exception {
        for (String path : new String[] {"/ui/../v2/models/iris", "/ui/../../etc/passwd", "/ui/%2e%2e/%2e%2e/etc/passwd",
                "/ui/..%2F..%2Fpom.xml", "/ui/vendor/../../ringfold-version.properties",
                "/ui/../io/ringfold/serving/ui/index.html", "/ui//etc/passwd", "/ui/.%2e/app.js"}) {
            assertThat(rawStatus(server.port(), path, null)).as(path).isEqualTo("HTTP/1.1 404 Not Found");
        }
        assertThat(rawStatus(server.port(), "/ui/app.js", null)).isEqualTo("HTTP/1.1 200 OK");
    }
}
