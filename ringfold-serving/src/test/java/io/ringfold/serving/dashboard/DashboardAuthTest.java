package io.ringfold.serving.dashboard;

import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.ringfold.serving.dashboard.DashboardEndToEndTest.rawStatus;
import static io.ringfold.serving.dashboard.DashboardEndToEndTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/** With a bearer token: the page's files are public (no data in them); its API needs the token like every endpoint. */
class DashboardAuthTest {

    private static final String TOKEN = "dash-Token.7";

    @TempDir
    static Path dir;

    private static InferenceServer server;

    @BeforeAll
    static void start() throws Exception {
        Path repo = Files.createDirectory(dir.resolve("repo"));
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        server = InferenceServer.start(ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(-1)
                .withPollSeconds(0).withGracePeriod(Duration.ofSeconds(5)).withAuthTokenFile(token));
    }

    @AfterAll
    static void stop() throws Exception {
        server.shutdown();
    }

    @Test
    void filesArePublicAndTheApiNeedsTheToken() throws Exception {
        int port = server.port();
        for (String file : new String[] {"/ui", "/ui/", "/ui/app.js", "/ui/vendor/chart.umd.js"}) {
            assertThat(send(port, "GET", file, null, null, null).statusCode()).as(file).isIn(200, 308);
        }
        for (String api : new String[] {"/ui/api/models", "/ui/api/runs", "/ui/api/server", "/ui/api/runs/x"}) {
            assertThat(send(port, "GET", api, null, null, null).statusCode()).as(api).isEqualTo(401);
            assertThat(send(port, "GET", api, null, "Authorization", "Bearer wrong").statusCode()).as(api).isEqualTo(401);
        }
        assertThat(send(port, "GET", "/ui/api/models", null, "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        // A path that looks like a file to the token check is answered as a file, never by the API or the models.
        assertThat(rawStatus(port, "/ui/../ui/api/models", null)).isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(rawStatus(port, "/ui/../v2/models/iris", null)).isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(rawStatus(port, "/ui/x/../../v2/models/iris", null)).isEqualTo("HTTP/1.1 404 Not Found");
    }
}
