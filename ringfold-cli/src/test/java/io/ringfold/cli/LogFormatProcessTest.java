package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.serving.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code serve} and {@code jobs serve} write, as separate processes: each log record one line, plain text by
 * default and one JSON object with {@code --log-format json}; no java.util.logging two-line records, no SLF4J
 * notices; and {@code --admin-port} moving {@code /metrics} and the repository API to their own port.
 */
class LogFormatProcessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** What serve prints itself on stdout, and the JVM's one warning: not log records. */
    private static final Pattern NOT_A_RECORD = Pattern.compile("^(serving .* on http://|dashboard: |gRPC \\(Open "
            + "Inference Protocol v2\\) on |admin \\(repository API, /metrics\\) on |ringfold serve: (draining|stopped)|"
            + "ringfold jobs: serving |WARNING: Using incubator modules: jdk\\.incubator\\.vector$)");
    private static final Pattern TEXT_RECORD = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO |WARN |ERROR) [A-Za-z0-9_$]+ - \\S.*$");
    private static final Pattern ADMIN = Pattern.compile("^admin \\(repository API, /metrics\\) on http://[^:]+:(\\d+)$",
            Pattern.MULTILINE);

    @TempDir
    Path tmp;

    private Path repository() throws IOException {
        Path repo = tmp.resolve("repo");
        TestModels.write(repo, "reg", 1, TestModels.linear());
        TestModels.writeCorrupt(repo, "broken", 1); // a WARN record
        return repo;
    }

    @Test
    void serveWritesOneJsonObjectPerRecordAndServesMetricsOnTheAdminPort() throws Exception {
        List<String> lines;
        try (ServerProcess server = ServerProcess.start(tmp.resolve("serve.log"), List.of("-Xmx256m"),
                "--repository", repository().toString(), "--poll-seconds", "0", "--drain-seconds", "0",
                "--admin-port", "0", "--log-format", "json")) {
            Matcher admin = ADMIN.matcher(server.logText());
            assertThat(admin.find()).as("the admin port printed: " + server.logText()).isTrue();
            int adminPort = Integer.parseInt(admin.group(1));
            assertThat(get(adminPort, "/metrics").statusCode()).isEqualTo(200);
            assertThat(get(adminPort, "/metrics").body()).contains("ringfold_build_info{", "process_cpu_seconds_total ");
            HttpResponse<String> publicMetrics = get(server.httpPort, "/metrics");
            assertThat(publicMetrics.statusCode()).isEqualTo(404);
            assertThat(publicMetrics.body()).contains("the admin port " + adminPort);
            assertThat(server.terminate(Duration.ofSeconds(60))).as("SIGTERM's status").isEqualTo(143);
            lines = server.logText().lines().toList();
        }
        List<JsonNode> records = new ArrayList<>();
        for (String line : lines) {
            if (!NOT_A_RECORD.matcher(line).find()) {
                assertThat(line).as("a log record on one line, as JSON").startsWith("{").endsWith("}");
                JsonNode r = JSON.readTree(line);
                assertThat(r.fieldNames()).toIterable().as(line).containsExactly("time", "level", "logger", "message", "thread");
                assertThat(r.get("time").asText()).as(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
                records.add(r);
            }
        }
        assertThat(records).extracting(r -> r.get("message").asText())
                .anySatisfy(m -> assertThat(m).startsWith("ready: models [broken, reg]"))
                .anySatisfy(m -> assertThat(m).isEqualTo("stopped"));
        assertThat(records).filteredOn(r -> r.get("level").asText().equals("WARN"))
                .anySatisfy(r -> {
                    assertThat(r.get("logger").asText()).isEqualTo("io.ringfold.serving.repository.ModelRepository");
                    assertThat(r.get("message").asText()).startsWith("model broken: version 1 failed to load");
                });
    }

    @Test
    void serveWritesOneTextLinePerRecordByDefault() throws Exception {
        List<String> lines;
        try (ServerProcess server = ServerProcess.start(tmp.resolve("serve.log"), List.of("-Xmx256m"),
                "--repository", repository().toString(), "--poll-seconds", "0", "--drain-seconds", "0")) {
            assertThat(get(server.httpPort, "/metrics").statusCode()).as("no admin port: /metrics here").isEqualTo(200);
            assertThat(server.terminate(Duration.ofSeconds(60))).as("SIGTERM's status").isEqualTo(143);
            lines = server.logText().lines().toList();
        }
        List<String> records = lines.stream().filter(l -> !NOT_A_RECORD.matcher(l).find()).toList();
        assertThat(records).as("records").hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(l -> assertThat(l).matches(TEXT_RECORD));
        assertThat(records).anySatisfy(l -> assertThat(l).contains(" INFO  InferenceServer - ready: models [broken, reg]"))
                .anySatisfy(l -> assertThat(l).contains(" WARN  ModelRepository - model broken: version 1 failed to load"));
    }

    @Test
    void jobsServeWritesNoSlf4jNoticeAndNoLibraryChatter() throws Exception {
        List<String> cmd = new ArrayList<>(LaunchCommand.javaCommand(List.of()));
        cmd.addAll(List.of("jobs", "serve", "--port", "0", "--data-dir", tmp.resolve("data").toString(),
                "--log-format", "json"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        try {
            List<String> lines = new ArrayList<>();
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
                if (line.startsWith("ringfold jobs: serving ") || System.nanoTime() > deadline) {
                    break;
                }
            }
            assertThat(lines).as("the service started").anySatisfy(l -> assertThat(l).startsWith("ringfold jobs: serving "));
            p.toHandle().destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            out.lines().forEach(lines::add);
            // The store opened (H2, Flyway's migrations, HikariCP's pool) without a word: their INFO is below WARN.
            assertThat(lines).noneSatisfy(l -> assertThat(l).contains("SLF4J"))
                    .allSatisfy(l -> assertThat(NOT_A_RECORD.matcher(l).find() || l.matches("\\{.*\\}"))
                            .as("a record as JSON or the service's own line: " + l).isTrue());
        } finally {
            p.destroyForcibly();
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
