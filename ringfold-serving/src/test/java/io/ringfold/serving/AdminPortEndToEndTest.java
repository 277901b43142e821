package io.ringfold.serving;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --admin-port}: the repository API and {@code /metrics} on their own HTTP port, behind the same token, and
 * 404 on the public port naming where they are; inference only on the public port. Real sockets, the JDK's client.
 */
class AdminPortEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "admin-e2e.7";
    private static final String ROW = "{\"instances\": [[1, 1]]}";

    @TempDir
    Path repo;
    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;

    @BeforeEach
    void start() throws Exception {
        TestModels.write(repo, "reg", 1, TestModels.linear());
        Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        server = InferenceServer.start(ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withAdminPort(0).withPollSeconds(0).withDrainPeriod(Duration.ZERO).withGracePeriod(Duration.ofSeconds(5))
                .withBatching(new BatchingConfig(true, 1, 0, 4, 1)).withAuthTokenFile(token));
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    @Test
    void theRepositoryApiAndMetricsAnswerOnTheAdminPortOnly() throws Exception {
        int admin = server.adminPort();
        assertThat(admin).isPositive().isNotIn(server.port(), server.grpcPort());

        // The admin port: unload, then load, take effect on the public port's inference.
        assertThat(send(admin, "POST", "/v2/repository/models/reg/unload", "", TOKEN).statusCode()).isEqualTo(200);
        assertThat(send(server.port(), "POST", "/v1/models/reg:predict", ROW, TOKEN).statusCode()).isEqualTo(404);
        assertThat(send(admin, "POST", "/v2/repository/models/reg/load", "", TOKEN).statusCode()).isEqualTo(200);
        HttpResponse<String> predicted = send(server.port(), "POST", "/v1/models/reg:predict", ROW, TOKEN);
        assertThat(predicted.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(predicted.body()).toString()).isEqualTo("{\"predictions\":[{\"value\":1.5}]}");
        HttpResponse<String> index = send(admin, "POST", "/v2/repository/index", "", TOKEN);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(index.body()).path(0).path("state").asText()).isEqualTo("READY");
        HttpResponse<String> metrics = send(admin, "GET", "/metrics", null, TOKEN);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("ringfold_requests_total{model=\"reg\",version=\"1\",outcome=\"success\"} 1\n",
                "ringfold_connections{protocol=\"admin\"} ", "ringfold_build_info{");

        // The public port: the same paths are 404, naming the admin port.
        for (String[] r : new String[][] {{"GET", "/metrics"}, {"POST", "/v2/repository/index"},
                {"POST", "/v2/repository/models/reg/unload"}, {"POST", "/v2/repository/models/reg/load"}}) {
            HttpResponse<String> refused = send(server.port(), r[0], r[1], r[0].equals("GET") ? null : "", TOKEN);
            assertThat(refused.statusCode()).as(r[1]).isEqualTo(404);
            assertThat(JSON.readTree(refused.body()).path("error").asText()).as(r[1]).isEqualTo("path '" + r[1]
                    + "' not found on this port (expected: the admin port " + admin
                    + ", where /metrics and /v2/repository/... are served)");
        }
        assertThat(send(server.port(), "POST", "/v1/models/reg:predict", ROW, TOKEN).statusCode())
                .as("still loaded: the public unload was refused").isEqualTo(200);

        // The admin port serves no inference, no dashboard; both serve the health probes, without the token.
        HttpResponse<String> noInference = send(admin, "POST", "/v1/models/reg:predict", ROW, TOKEN);
        assertThat(noInference.statusCode()).isEqualTo(404);
        assertThat(noInference.body()).contains("not found on the admin port");
        assertThat(send(admin, "GET", "/ui/", null, TOKEN).statusCode()).isEqualTo(404);
        for (int port : new int[] {server.port(), admin}) {
            assertThat(send(port, "GET", "/v2/health/ready", null, null).statusCode()).isEqualTo(200);
            assertThat(send(port, "GET", "/v2/health/live", null, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theAdminPortWantsTheToken() throws Exception {
        assertThat(send(server.adminPort(), "GET", "/metrics", null, null).statusCode()).isEqualTo(401);
        assertThat(send(server.adminPort(), "POST", "/v2/repository/models/reg/unload", "", "wrong").statusCode())
                .isEqualTo(401);
        assertThat(send(server.port(), "POST", "/v1/models/reg:predict", ROW, TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void withoutAnAdminPortEverythingStaysOnTheOnePort() throws Exception {
        server.shutdown();
        server = InferenceServer.start(ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(-1)
                .withPollSeconds(0).withDrainPeriod(Duration.ZERO));
        assertThat(server.adminPort()).isEqualTo(-1);
        assertThat(send(server.port(), "GET", "/metrics", null, null).statusCode()).isEqualTo(200);
        assertThat(send(server.port(), "POST", "/v2/repository/models/reg/load", "", null).statusCode()).isEqualTo(200);
        assertThat(send(server.port(), "GET", "/metrics", null, null).body()).doesNotContain("protocol=\"admin\"");
    }

    @Test
    void theAdminPortMustDifferFromTheOthers() {
        ServerConfig c = ServerConfig.defaults(repo);
        assertThatThrownBy(() -> c.withAdminPort(8080)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("adminPort: 8080 (expected: 0 to 65535 other than the HTTP port 8080 and the gRPC port 8081,"
                        + " or -1 for none)");
        assertThatThrownBy(() -> c.withAdminPort(8081)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withAdminPort(-2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.withAdminPort(9090).adminPort()).isEqualTo(9090);
    }

    private HttpResponse<String> send(int port, String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
