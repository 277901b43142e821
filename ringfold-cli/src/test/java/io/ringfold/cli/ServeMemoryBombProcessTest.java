package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ringfold serve} as its own JVM with the container image's memory settings (a 60% heap of a 1 GiB
 * limit, capped direct memory, exit on OutOfMemoryError: deploy/Dockerfile), and a memory-bomb model
 * file (a few kilobytes declaring 8 GB of parameters) present at start and another arriving on a poll.
 * Before the loader checked declared sizes, the first bomb's allocation ended the process at start-up
 * (and so at every restart: a crash loop).
 */
class ServeMemoryBombProcessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** 200 million inputs × 10 classes: 2 billion floats, 8 GB, for the digits model's [64, 10] weight. */
    private static final int BOMB_INPUTS = 200_000_000;

    @TempDir
    Path tmp;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theServerOutlivesMemoryBombsAndServesTheGoodModel() throws Exception {
        Path repo = tmp.resolve("repo");
        Path trained = tmp.resolve("trained");
        CliRunner train = CliRunner.run("train", "--data", "digits", "--model", "softmax", "--seed", "1",
                "--out", trained.toString());
        assertThat(train.status()).as(train.err()).isZero();
        publish(repo, "digits", 1, trained.resolve("model.rfm"));
        publishBomb(repo, "bomb", 1, trained.resolve("model.rfm"));

        Path log = tmp.resolve("serve.log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx614m", "-XX:MaxDirectMemorySize=256m", "-XX:+ExitOnOutOfMemoryError",
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                RingfoldCommand.class.getName(), "serve", "--repository", repo.toString(), "--host", "127.0.0.1",
                "--port", "0", "--grpc-port", "-1", "--poll-seconds", "1", "--grace-seconds", "1");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = awaitPort(p, log);
            String base = "http://127.0.0.1:" + port;
            assertThat(get(base + "/v2/health/ready").statusCode()).as(Files.readString(log)).isEqualTo(200);
            assertThat(servingVersion(base)).isEqualTo("1");
            assertThat(failures(base, "bomb")).isEqualTo("1");

            publishBomb(repo, "digits", 2, trained.resolve("model.rfm"));
            await(p, log, "the bomb arriving on a poll counted", () -> failures(base, "digits").equals("1"));
            assertThat(servingVersion(base)).isEqualTo("1");

            publish(repo, "digits", 3, trained.resolve("model.rfm"));
            await(p, log, "version 3 picked up by the next poll", () -> servingVersion(base).equals("3"));
            assertThat(p.isAlive()).isTrue();
            assertThat(Files.readString(log)).contains("model digits: version 2 failed to load (versions [1] keep serving)")
                    .contains("shape [" + BOMB_INPUTS + ", 10]").doesNotContain("OutOfMemoryError");
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Puts {@code file} in place as a version in one rename, so a poll never sees half of it. */
    private static void publish(Path repo, String model, long version, Path file) throws Exception {
        Path staging = Files.createDirectories(repo.resolve(model).resolve(".staging-" + version));
        Files.copy(file, staging.resolve("model.rfm"));
        Files.move(staging, repo.resolve(model).resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
    }

    /** {@code file}'s tensors under a header declaring {@link #BOMB_INPUTS} inputs; the checksum is valid. */
    private void publishBomb(Path repo, String model, long version, Path file) throws Exception {
        ModelFile.Contents c = ModelFile.read(file);
        ObjectNode header = c.header();
        ((ObjectNode) header.get("network")).putArray("input").add(BOMB_INPUTS);
        Path bomb = tmp.resolve("bomb-" + model + "-" + version + ".rfm");
        ModelFile.write(bomb, header, c.tensors());
        assertThat(Files.size(bomb)).isLessThan(16 << 10);
        publish(repo, model, version, bomb);
    }

    /** The HTTP port from the serve command's "serving ... on http://HOST:PORT" line. */
    private static int awaitPort(Process p, Path log) throws Exception {
        Pattern serving = Pattern.compile("serving .* on http://127\\.0\\.0\\.1:(\\d+) ");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("server process alive; its log:%n%s", Files.readString(log)).isTrue();
            Matcher m = serving.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no 'serving ... on' line within 60 s; log:\n" + Files.readString(log));
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Process p, Path log, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!check.holds()) {
            assertThat(p.isAlive()).as("server process alive; its log:%n%s", Files.readString(log)).isTrue();
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 30 s; log:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String servingVersion(String base) throws Exception {
        StringBuilder zeros = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            zeros.append(i == 0 ? "0" : ", 0");
        }
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/digits/infer"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 64],"
                        + " \"datatype\": \"FP32\", \"data\": [" + zeros + "]}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("model_version").asText();
    }

    private String failures(String base, String model) throws Exception {
        String prefix = "ringfold_model_load_failures_total{model=\"" + model + "\"} ";
        return get(base + "/metrics").body().lines().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length())).findFirst().orElse("0");
    }
}
