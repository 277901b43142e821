package io.ringfold.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.serving.batching.BatchingConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole server over real sockets with the JDK's HTTP client. */
class ServerEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROW = "{\"instances\": [[1, 0]]}";

    @TempDir
    Path repo;

    /** Long enough for a few requests on a loaded machine; the drain test takes this long. */
    private static final Duration DRAIN = Duration.ofSeconds(4);

    private final GatedBlas gate = new GatedBlas();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;

    @BeforeEach
    void start() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        TestModels.write(repo, "reg", 1, TestModels.linear());
        Files.writeString(repo.resolve("iris/config.json"), "{\"version_labels\": {\"stable\": 1}}");
        ServerConfig config = ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(0).withPollSeconds(0)
                .withBatching(new BatchingConfig(true, 1, 0, 1, 1)).withGracePeriod(Duration.ofSeconds(10));
        server = InferenceServer.start(config, gate);
    }

    @AfterEach
    void stop() throws Exception {
        gate.open();
        server.shutdown();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return client.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String body) {
        return client.sendAsync(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private JsonNode ok(String method, String path, String body) throws Exception {
        HttpResponse<String> r = send(method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void everyEndpointAnswers() throws Exception {
        assertThat(ok("GET", "/v2/health/live", null).toString()).isEqualTo("{\"live\":true}");
        assertThat(ok("GET", "/v2/health/ready", null).toString()).isEqualTo("{\"ready\":true}");
        assertThat(ok("GET", "/v2", null).get("extensions").toString()).isEqualTo("[\"model_repository\","
                + "\"binary_tensor_data\",\"model_configuration\",\"statistics\"]");
        JsonNode meta = ok("GET", "/v2/models/iris", null);
        assertThat(meta.get("inputs").toString()).isEqualTo("[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]");
        assertThat(meta.get("outputs").toString()).isEqualTo("[{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[-1,3]},"
                + "{\"name\":\"class\",\"datatype\":\"BYTES\",\"shape\":[-1]}]");
        assertThat(ok("GET", "/v2/models/iris/versions/1", null).get("versions").toString()).isEqualTo("[\"1\"]");
        assertThat(ok("GET", "/v2/models/iris/ready", null).toString()).isEqualTo("{\"name\":\"iris\",\"ready\":true}");
        assertThat(ok("GET", "/v2/models/iris/versions/1/ready", null).get("ready").asBoolean()).isTrue();
        assertThat(ok("GET", "/v1/models/iris", null).toString()).isEqualTo("{\"model_version_status\":[{\"version\":\"1\","
                + "\"state\":\"AVAILABLE\",\"status\":{\"error_code\":\"OK\",\"error_message\":\"\"}}]}");
        assertThat(ok("GET", "/v1/models/iris/versions/1", null).at("/model_version_status/0/state").asText()).isEqualTo("AVAILABLE");
        assertThat(ok("GET", "/v1/models/iris/labels/stable", null).at("/model_version_status/0/version").asText()).isEqualTo("1");
        JsonNode tfMeta = ok("GET", "/v1/models/iris/metadata", null);
        assertThat(tfMeta.at("/metadata/signature_def/signature_def/serving_default/inputs/input/dtype").asText()).isEqualTo("DT_FLOAT");
        assertThat(ok("GET", "/v1/models/iris/labels/stable/metadata", null).at("/model_spec/version").asText()).isEqualTo("1");
        assertThat(ok("POST", "/v1/models/iris:predict", ROW).at("/predictions/0/class").asText()).isEqualTo("a");
        assertThat(ok("POST", "/v1/models/iris/labels/stable:predict", ROW).at("/predictions/0/class").asText()).isEqualTo("a");
        JsonNode cls = ok("POST", "/v1/models/iris/versions/1:classify", "{\"examples\": [{\"x0\": 0, \"x1\": 2}]}");
        assertThat(cls.at("/results/0/1/0").asText()).isEqualTo("b");
        assertThat(ok("POST", "/v1/models/reg:regress", "{\"examples\": [{\"x0\": 1, \"x1\": 1}]}").toString())
                .isEqualTo("{\"results\":[1.5]}");
        JsonNode index = ok("POST", "/v2/repository/index", "");
        assertThat(index.toString()).isEqualTo("[{\"name\":\"iris\",\"version\":\"1\",\"state\":\"READY\",\"reason\":\"\"},"
                + "{\"name\":\"reg\",\"version\":\"1\",\"state\":\"READY\",\"reason\":\"\"}]");
        assertThat(ok("POST", "/v2/repository/models/reg/unload", "").toString()).isEqualTo("{}");
        assertThat(send("GET", "/v2/models/reg/ready", null).statusCode()).isEqualTo(503);
        assertThat(send("POST", "/v1/models/reg:predict", ROW).statusCode()).isEqualTo(404);
        assertThat(ok("POST", "/v2/repository/models/reg/load", "").toString()).isEqualTo("{}");
        assertThat(ok("POST", "/v1/models/reg:predict", ROW).toString()).isEqualTo("{\"predictions\":[{\"value\":2.5}]}");
        assertThat(send("POST", "/v2/repository/models/nope/load", "").statusCode()).isEqualTo(404);

        HttpResponse<String> metrics = send("GET", "/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).contains("ringfold_requests_total{model=\"iris\",version=\"1\",outcome=\"success\"} 3\n",
                "ringfold_model_version_loaded{model=\"iris\",version=\"1\"} 1\n",
                "ringfold_batch_size_bucket{model=\"iris\",version=\"1\",le=\"1.0\"} ",
                "ringfold_queue_duration_seconds_count{model=\"iris\",version=\"1\"} ",
                "ringfold_compute_duration_seconds_count{model=\"iris\",version=\"1\"} ",
                "jvm_memory_used_bytes{area=\"heap\"} ", "jvm_gc_collections_total{gc=");
    }

    /** The examples of the Open Inference Protocol's REST documentation, with this model's tensor name and width. */
    @Test
    void openInferenceProtocolDocumentationExample() throws Exception {
        JsonNode r = ok("POST", "/v2/models/iris/infer", """
                {
                  "id" : "42",
                  "inputs" : [
                    {
                      "name" : "input",
                      "shape" : [ 2, 2 ],
                      "datatype" : "UINT32",
                      "data" : [ 1, 0, 0, 2 ]
                    }
                  ],
                  "outputs" : [
                    {
                      "name" : "probabilities"
                    }
                  ]
                }""");
        assertThat(r.get("id").asText()).isEqualTo("42");
        assertThat(r.at("/outputs/0/name").asText()).isEqualTo("probabilities");
        assertThat(r.at("/outputs/0/shape").toString()).isEqualTo("[2,3]");
        assertThat(r.at("/outputs/0/data").size()).isEqualTo(6);
        HttpResponse<String> bad = send("POST", "/v2/models/iris/infer", "{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 2], "
                + "\"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").asText()).isEqualTo("input 'input': data has 3 elements (expected: 4 for shape [2,2])");
    }

    /** TensorFlow Serving's REST documentation: row ("instances") and columnar ("inputs") requests. */
    @Test
    void tensorFlowServingDocumentationExamples() throws Exception {
        JsonNode row = ok("POST", "/v1/models/reg:predict", "{\"signature_name\": \"serving_default\", \"instances\": [[1.0, 2.0], [3.0, 4.0]]}");
        assertThat(row.toString()).isEqualTo("{\"predictions\":[{\"value\":0.5},{\"value\":2.5}]}");
        JsonNode col = ok("POST", "/v1/models/reg:predict", "{\"inputs\": [[1.0, 2.0], [3.0, 4.0]]}");
        assertThat(col.toString()).isEqualTo("{\"outputs\":{\"value\":[0.5,2.5]}}");
        HttpResponse<String> err = send("POST", "/v1/models/reg:predict", "{\"signature_name\": \"other\", \"instances\": [[1, 2]]}");
        assertThat(err.statusCode()).isEqualTo(400);
        assertThat(err.body()).isEqualTo("{\"error\":\"signature_name: 'other' (expected: serving_default)\"}");
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAndTheQueuedRequestsStillSucceed() throws Exception {
        gate.close();
        CompletableFuture<HttpResponse<String>> computing = sendAsync("POST", "/v1/models/iris:predict", ROW);
        gate.awaitWaiting(1);
        CompletableFuture<HttpResponse<String>> queued = sendAsync("POST", "/v1/models/iris:predict", ROW);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.repository().resolve("iris", null, null).queued() < 1) {
            assertThat(System.nanoTime()).as("queued request within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
        HttpResponse<String> refused = send("POST", "/v1/models/iris:predict", "{\"instances\": [[0, 2]]}");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("retry-after")).contains("1");
        assertThat(refused.body()).isEqualTo("{\"error\":\"iris-1: queue full, 1 requests waiting (expected: fewer; retry later)\"}");
        // A bad request is refused before the queue and never touches the batch.
        HttpResponse<String> bad = send("POST", "/v1/models/iris:predict", "{\"instances\": [[0, NaN]]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        gate.open();
        assertThat(computing.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(queued.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void aCorruptNewVersionKeepsTheOldOneServing() throws Exception {
        TestModels.writeCorrupt(repo, "iris", 2);
        HttpResponse<String> load = send("POST", "/v2/repository/models/iris/load", "");
        assertThat(load.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(load.body()).get("error").asText()).startsWith("model 'iris': version 2 failed to load: ")
                .endsWith("; versions [1] keep serving");
        assertThat(ok("POST", "/v1/models/iris:predict", ROW).at("/predictions/0/class").asText()).isEqualTo("a");
        assertThat(ok("GET", "/v1/models/iris/versions/2", null).at("/model_version_status/0/state").asText()).isEqualTo("END");
        assertThat(send("GET", "/metrics", null).body()).contains("ringfold_model_load_failures_total{model=\"iris\"} 1\n");
        TestModels.write(repo, "iris", 2, TestModels.softmax(3));
        ok("POST", "/v2/repository/models/iris/load", "");
        assertThat(ok("POST", "/v2/models/iris/infer", "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 0]}]}")
                .get("model_version").asText()).isEqualTo("2");
    }

    @Test
    void shutdownServesThroughTheDrainPeriodWithReadinessFalseAndFinishesInFlightRequests() throws Exception {
        server.shutdown();
        server = InferenceServer.start(ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(-1)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 1, 0, 4, 1)).withDrainPeriod(DRAIN)
                .withGracePeriod(Duration.ofSeconds(10)), gate);
        gate.close();
        CompletableFuture<HttpResponse<String>> computing = sendAsync("POST", "/v1/models/iris:predict", ROW);
        gate.awaitWaiting(1);
        long shutdownStart = System.nanoTime();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                server.shutdown();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.state() != InferenceServer.State.DRAINING) {
            assertThat(System.nanoTime()).as("DRAINING within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
        // Within the drain period the server answers as usual, new connections included; only readiness changes.
        HttpResponse<String> ready = send("GET", "/v2/health/ready", null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(send("GET", "/v2/health/live", null).statusCode()).isEqualTo(200);
        CompletableFuture<HttpResponse<String>> queued = sendAsync("POST", "/v1/models/iris:predict", ROW);
        assertThat(System.nanoTime() - shutdownStart).as("the checks ran within the drain period")
                .isLessThan(DRAIN.toNanos());
        assertThat(stopping).isNotDone();
        gate.open();
        assertThat(computing.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(queued.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        stopping.get(DRAIN.toSeconds() + 10, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - shutdownStart).as("the drain period was served in full")
                .isGreaterThanOrEqualTo(DRAIN.toNanos());
        assertThat(server.state()).isEqualTo(InferenceServer.State.STOPPED);
    }
}
