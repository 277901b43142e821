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
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A memory-bomb model file (a kilobyte that declares 8.4 GB of parameters, see
 * {@link TestModels#writeMemoryBomb}) over real HTTP: present at start, arriving on a poll, and loaded
 * through the repository API. Each time it fails alone, with its reason, and the server and the versions
 * serving before go on. Before the loader checked declared sizes against the file, the first case never
 * became ready (the OutOfMemoryError escaped start-up), the second killed the polling thread (no later
 * version was ever loaded) and the third answered 500.
 */
class ModelLoadingEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROW = "{\"instances\": [[1, 0]]}";

    @TempDir
    Path repo;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;

    private InferenceServer start(int pollSeconds) throws InterruptedException {
        ServerConfig config = ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(-1)
                .withPollSeconds(pollSeconds).withBatching(new BatchingConfig(true, 8, 0, 16, 1))
                .withGracePeriod(Duration.ofSeconds(5));
        server = InferenceServer.start(config);
        return server;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.shutdown();
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(String method, String path, String body) throws Exception {
        HttpResponse<String> r = send(method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The version that answers a v2 inference on {@code model}. */
    private String servingVersion(String model) throws Exception {
        return ok("POST", "/v2/models/" + model + "/infer", "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2],"
                + " \"datatype\": \"FP32\", \"data\": [1, 0]}]}").get("model_version").asText();
    }

    private String failures(String model) throws Exception {
        String metrics = send("GET", "/metrics", null).body();
        String prefix = "ringfold_model_load_failures_total{model=\"" + model + "\"} ";
        return metrics.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst().orElse("0");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 20 s");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aBombPresentAtStartFailsAloneAndTheServerBecomesReady() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        Path bomb = TestModels.writeMemoryBomb(repo, "bomb", 1);
        start(0);

        assertThat(server.state()).isEqualTo(InferenceServer.State.READY);
        assertThat(ok("GET", "/v2/health/ready", null).get("ready").asBoolean()).isTrue();
        assertThat(ok("POST", "/v1/models/iris:predict", ROW).at("/predictions/0/class").asText()).isEqualTo("a");
        JsonNode status = ok("GET", "/v1/models/bomb", null).at("/model_version_status/0");
        assertThat(status.get("state").asText()).isEqualTo("END");
        assertThat(status.at("/status/error_message").asText()).isEqualTo(TestModels.memoryBombReason(bomb));
        assertThat(failures("bomb")).isEqualTo("1");
    }

    @Test
    void aBombArrivingOnAPollLeavesTheServingVersionAndThePollerGoesOn() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        start(1);
        assertThat(servingVersion("iris")).isEqualTo("1");

        TestModels.writeMemoryBomb(repo, "iris", 2);
        await("the bomb's failure counted", () -> {
            try {
                return failures("iris").equals("1");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(servingVersion("iris")).isEqualTo("1");

        // The poller survived: a later good version is picked up on its own.
        TestModels.write(repo, "iris", 3, TestModels.softmax(3));
        await("version 3 serving", () -> server.repository().versions("iris").containsKey(3L));
        assertThat(servingVersion("iris")).isEqualTo("3");
    }

    @Test
    void aBombLoadedThroughTheApiIsA400NamingItAndTheServingVersionStays() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        start(0);
        Path bomb = TestModels.writeMemoryBomb(repo, "iris", 2);

        HttpResponse<String> load = send("POST", "/v2/repository/models/iris/load", "");
        assertThat(load.statusCode()).as(load.body()).isEqualTo(400);
        assertThat(JSON.readTree(load.body()).get("error").asText()).isEqualTo("model 'iris': version 2 failed to load: "
                + TestModels.memoryBombReason(bomb) + "; versions [1] keep serving");
        assertThat(servingVersion("iris")).isEqualTo("1");
        assertThat(failures("iris")).isEqualTo("1");
    }
}
