package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench grpc} drives a real server over gRPC and reports counts and percentiles. */
class BenchGrpcCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void measuresARunningServerAndNamesAnUnknownModel() throws Exception {
        Path repo = tmp.resolve("repo");
        CliRunner train = CliRunner.run("train", "--data", "digits", "--model", "softmax",
                "--out", repo.resolve("digits").resolve("1").toString());
        assertThat(train.status()).as(train.err()).isZero();
        ServerConfig config = ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withPollSeconds(0);
        try (InferenceServer server = InferenceServer.start(config)) {
            String target = "127.0.0.1:" + server.grpcPort();
            CliRunner r = CliRunner.run("bench", "grpc", "--target", target, "--model", "digits", "--connections", "2",
                    "--duration", "1", "--warmup", "0", "--json");
            assertThat(r.status()).as(r.err()).isZero();
            JsonNode n = JSON.readTree(r.lastLine());
            assertThat(n.get("requests").asLong()).isPositive();
            assertThat(n.get("p99_us").asDouble()).isGreaterThanOrEqualTo(n.get("p50_us").asDouble());
            // The rows as raw_input_contents, as tritonclient sends them: answered too (a malformed raw request fails).
            CliRunner raw = CliRunner.run("bench", "grpc", "--target", target, "--model", "digits", "--rows", "3",
                    "--raw", "--duration", "1", "--warmup", "0", "--json");
            assertThat(raw.status()).as(raw.err()).isZero();
            JsonNode rn = JSON.readTree(raw.lastLine());
            assertThat(rn.get("raw").asBoolean()).isTrue();
            assertThat(rn.get("rows").asInt()).isEqualTo(3);
            assertThat(rn.get("requests").asLong()).isPositive();
            assertThat(rn.get("failed").asLong()).isZero();
            CliRunner unknown = CliRunner.run("bench", "grpc", "--target", target, "--model", "nope", "--duration", "1");
            assertThat(unknown.status()).isEqualTo(1);
            assertThat(unknown.err()).contains("NOT_FOUND").contains("nope");
        }
    }
}
