package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The server answers exactly as {@code ringfold predict} for the same model and rows. */
class ServeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void serverPredictionsEqualThePredictCommand() throws Exception {
        Path repo = tmp.resolve("repo");
        Path modelDir = repo.resolve("digits").resolve("1");
        CliRunner train = CliRunner.run("train", "--data", "digits", "--model", "softmax", "--seed", "3",
                "--out", modelDir.toString());
        assertThat(train.status()).as(train.err()).isZero();

        // Eight rows of 64 pixel values in 0..16 (the digits range), seed-free and fixed.
        ObjectNode body = JSON.createObjectNode();
        ArrayNode rows = body.putArray("instances");
        for (int r = 0; r < 8; r++) {
            ArrayNode row = rows.addArray();
            for (int c = 0; c < 64; c++) {
                row.add((r * 7 + c * 3) % 17);
            }
        }
        Path input = Files.writeString(tmp.resolve("rows.json"), JSON.writeValueAsString(body));
        CliRunner predict = CliRunner.run("predict", "--model", modelDir.toString(), "--input", input.toString());
        assertThat(predict.status()).as(predict.err()).isZero();
        JsonNode expected = JSON.readTree(predict.out());

        ServerConfig config = ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(0).withPollSeconds(0);
        try (InferenceServer server = InferenceServer.start(config)) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> tf = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/v1/models/digits:predict"))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(tf.statusCode()).as(tf.body()).isEqualTo(200);
            assertThat(JSON.readTree(tf.body())).isEqualTo(expected);

            ObjectNode v2 = JSON.createObjectNode();
            ObjectNode in = v2.putArray("inputs").addObject();
            in.put("name", "input").put("datatype", "FP32");
            in.putArray("shape").add(8).add(64);
            in.set("data", rows);
            HttpResponse<String> infer = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/v2/models/digits/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(v2))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(infer.statusCode()).as(infer.body()).isEqualTo(200);
            JsonNode out = JSON.readTree(infer.body());
            for (int r = 0; r < 8; r++) {
                assertThat(out.at("/outputs/1/data/" + r)).isEqualTo(expected.at("/predictions/" + r + "/class"));
                for (int k = 0; k < 10; k++) {
                    assertThat(out.at("/outputs/0/data/" + (r * 10 + k)))
                            .isEqualTo(expected.at("/predictions/" + r + "/probabilities/" + k));
                }
            }
        }
    }

    @Test
    void badFlagsAreRefusedByName() throws Exception {
        CliRunner missing = CliRunner.run("serve", "--repository", tmp.resolve("nope").toString());
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("--repository: " + tmp.resolve("nope") + " (expected: an existing directory)");
        CliRunner batch = CliRunner.run("serve", "--repository", tmp.toString(), "--batch-max-size", "0");
        assertThat(batch.status()).isEqualTo(2);
        assertThat(batch.err()).contains("max_batch_size: 0 (expected: >= 1)");
        CliRunner port = CliRunner.run("serve", "--repository", tmp.toString(), "--port", "70000");
        assertThat(port.status()).isEqualTo(2);
        assertThat(port.err()).contains("port: 70000 (expected: 0 to 65535)");
        CliRunner grpc = CliRunner.run("serve", "--repository", tmp.toString(), "--port", "9000", "--grpc-port", "9000");
        assertThat(grpc.status()).isEqualTo(2);
        assertThat(grpc.err()).contains("grpcPort: 9000 (expected: 0 to 65535 other than the HTTP port 9000, or -1 for no gRPC)");
        CliRunner grpcRange = CliRunner.run("serve", "--repository", tmp.toString(), "--grpc-port", "-2");
        assertThat(grpcRange.status()).isEqualTo(2);
        assertThat(grpcRange.err()).contains("grpcPort: -2 (expected: 0 to 65535");
    }
}
