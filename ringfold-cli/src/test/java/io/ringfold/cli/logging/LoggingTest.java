package io.ringfold.cli.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Records from each logging API the code and its libraries use (System.Logger, java.util.logging, SLF4J) reach the
 * one appender, one line each, libraries below WARN dropped. In-process, stderr captured.
 */
class LoggingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintStream stderr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        System.setErr(stderr);
        Logging.configure(LogFormat.TEXT);
    }

    /** Configures {@code format} with stderr captured (the appender takes System.err when it starts). */
    private void capture(LogFormat format) {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Logging.configure(format);
    }

    private List<String> lines() {
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static void logFromEveryApi() {
        System.getLogger("io.ringfold.test.Platform").log(System.Logger.Level.INFO, "from {0}", "System.Logger");
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.ringfold.test.Jul");
        jul.warning("from java.util.logging");
        org.slf4j.LoggerFactory.getLogger("io.ringfold.test.Slf4j").error("from {}", "SLF4J",
                new IllegalStateException("boom\nsecond line"));
        // Libraries: INFO dropped, WARN kept.
        java.util.logging.Logger.getLogger("io.grpc.internal.SomeChannel").info("grpc chatter");
        org.slf4j.LoggerFactory.getLogger("com.zaxxer.hikari.HikariDataSource").info("HikariPool-1 - Starting...");
        org.slf4j.LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector").warn("LEAK: a buffer was not released");
        // Below INFO: dropped.
        System.getLogger("io.ringfold.test.Platform").log(System.Logger.Level.DEBUG, "debug detail");
    }

    @Test
    void jsonIsOneObjectPerRecordWithTheExceptionAsOneField() throws Exception {
        capture(LogFormat.JSON);
        logFromEveryApi();
        List<JsonNode> records = new ArrayList<>();
        for (String line : lines()) {
            records.add(JSON.readTree(line));
        }
        assertThat(records).extracting(r -> r.get("logger").asText() + " " + r.get("level").asText() + " "
                + r.get("message").asText()).containsExactly(
                "io.ringfold.test.Platform INFO from System.Logger",
                "io.ringfold.test.Jul WARN from java.util.logging",
                "io.ringfold.test.Slf4j ERROR from SLF4J",
                "io.netty.util.ResourceLeakDetector WARN LEAK: a buffer was not released");
        JsonNode error = records.get(2);
        assertThat(error.get("exception").asText()).startsWith("java.lang.IllegalStateException: boom\nsecond line")
                .contains("at io.ringfold.cli.logging.LoggingTest.logFromEveryApi");
        assertThat(error.get("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(records.get(0).has("exception")).isFalse();
        assertThat(records.get(0).get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    }

    @Test
    void textIsOneLinePerRecordWithoutException() {
        capture(LogFormat.TEXT);
        logFromEveryApi();
        List<String> lines = lines();
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  Platform - from System.Logger");
        assertThat(lines.get(1)).endsWith(" WARN  Jul - from java.util.logging");
        assertThat(lines.get(2)).endsWith(" ERROR Slf4j - from SLF4J");
        // A stack trace follows its record's line, as people expect to read it.
        assertThat(lines.get(3)).isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(lines).last().asString().endsWith(" WARN  ResourceLeakDetector - LEAK: a buffer was not released");
        assertThat(String.join("\n", lines)).doesNotContain("chatter", "HikariPool", "debug detail");
    }

    @Test
    void formatsAreNamedTextOrJson() {
        assertThat(LogFormat.parse("JSON")).isEqualTo(LogFormat.JSON);
        assertThatThrownBy(() -> LogFormat.parse("xml")).hasMessage("log format: 'xml' (expected: text or json)");
    }
}
