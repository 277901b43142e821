package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.ringfold.serving.GatedBlas;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client's mistakes get a 400 naming the problem, and leave nothing in the server's log: bodies nested
 * deeper than any request needs or holding a number of thousands of digits (both answered 500 with a stack
 * trace per request before), integers out of their datatype's range (accepted before), and an unknown output
 * name (refused only after the model had computed).
 */
class ClientMistakesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path repo;

    private final GatedBlas gate = new GatedBlas();
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (logged) {
                    logged.add(r);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private ModelRepository repository;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        ServingMetrics metrics = new ServingMetrics();
        repository = new ModelRepository(repo, new BatchingConfig(true, 8, 0, 16, 1), metrics, gate);
        repository.poll();
        Router router = new Router(repository, metrics, () -> true, Runnable::run);
        channel = new EmbeddedChannel();
        HttpServer.addHandlers(channel.pipeline(), 1 << 20, router, new HttpServer.Counters(metrics));
        Logger.getLogger("io.ringfold.serving").addHandler(capture);
    }

    @AfterEach
    void tearDown() throws Exception {
        Logger.getLogger("io.ringfold.serving").removeHandler(capture);
        gate.open();
        channel.finishAndReleaseAll();
        repository.close(2000);
    }

    private JsonNode expect400(String uri, String body) throws Exception {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
        long deadline = System.nanoTime() + 10_000_000_000L;
        FullHttpResponse r = null;
        while (r == null) {
            assertThat(System.nanoTime()).as(uri + ": a response within 10 s").isLessThan(deadline);
            channel.runPendingTasks();
            r = channel.readOutbound();
            Thread.sleep(1);
        }
        try {
            String text = r.content().toString(StandardCharsets.UTF_8);
            assertThat(r.status().code()).as(uri + " " + text).isEqualTo(400);
            return JSON.readTree(text);
        } finally {
            r.release();
        }
    }

    private static String tensor(String datatype, String data) {
        return "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"" + datatype + "\", \"data\": ["
                + data + "]}]}";
    }

    @Test
    void deepNestingAndHugeNumbersAre400sNamingTheLimit() throws Exception {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        String digits = "1".repeat(5000);
        String[][] cases = {
            {"/v2/models/iris/infer", "{\"inputs\": " + deep + "}"},
            {"/v1/models/iris:predict", "{\"instances\": " + deep + "}"},
            {"/v1/models/iris:classify", "{\"examples\": " + deep + "}"},
            {"/v2/repository/index", "{\"ready\": " + deep + "}"},
            {"/v2/models/iris/infer", tensor("FP32", digits + ", 0")},
            {"/v2/models/iris/infer", tensor("FP32", "0." + digits + ", 0")},
            {"/v1/models/iris:predict", "{\"instances\": [[" + digits + ", 0]]}"},
            {"/v1/models/iris:predict", "{\"instances\": [[1e" + digits + ", 0]]}"},
        };
        for (String[] c : cases) {
            String error = expect400(c[0], c[1]).get("error").asText();
            assertThat(error).as(c[0]).startsWith("request body: ");
            assertThat(error).as(c[0]).containsAnyOf("nesting depth (65) exceeds the maximum allowed (64)",
                    "Number value length (5000) exceeds the maximum allowed (1000)",
                    "Number value length (5002) exceeds the maximum allowed (1000)",
                    "Number value length (5001) exceeds the maximum allowed (1000)");
            assertThat(error).doesNotContain("StreamReadConstraints");
        }
        assertThat(logged).as("log records of WARNING or more").isEmpty();
    }

    @Test
    void integersOutsideTheirDatatypeAreRefusedAndTheBoundsAccepted() throws Exception {
        String[][] refused = {
            {"INT8", "300, 0", "data[0] is 300 (expected: an integer from -128 to 127 for datatype INT8)"},
            {"INT8", "0, -129", "data[1] is -129 (expected: an integer from -128 to 127 for datatype INT8)"},
            {"UINT8", "-3, 0", "data[0] is -3 (expected: an integer from 0 to 255 for datatype UINT8)"},
            {"UINT8", "256, 0", "data[0] is 256 (expected: an integer from 0 to 255 for datatype UINT8)"},
            {"INT16", "40000, 0", "data[0] is 40000 (expected: an integer from -32768 to 32767 for datatype INT16)"},
            {"UINT16", "0, 65536", "data[1] is 65536 (expected: an integer from 0 to 65535 for datatype UINT16)"},
            {"INT32", "2147483648, 0", "data[0] is 2147483648 (expected: an integer from -2147483648 to 2147483647"
                    + " for datatype INT32)"},
            {"UINT32", "-1, 0", "data[0] is -1 (expected: an integer from 0 to 4294967295 for datatype UINT32)"},
            {"INT64", "9223372036854775808, 0", "data[0] is 9223372036854775808 (expected: an integer from"
                    + " -9223372036854775808 to 9223372036854775807 for datatype INT64)"},
            {"UINT64", "18446744073709551616, 0", "data[0] is 18446744073709551616 (expected: an integer from 0 to"
                    + " 18446744073709551615 for datatype UINT64)"},
        };
        for (String[] c : refused) {
            assertThat(expect400("/v2/models/iris/infer", tensor(c[0], c[1])).get("error").asText()).as(c[0])
                    .isEqualTo("input 'input': " + c[2]);
            // The same tensor with an id and outputs takes the streamed reader; it refuses alike.
            String withOutputs = tensor(c[0], c[1]).replace("]}]}", "]}], \"outputs\": [{\"name\": \"class\"}]}");
            assertThat(expect400("/v2/models/iris/infer", withOutputs).get("error").asText()).as(c[0])
                    .isEqualTo("input 'input': " + c[2]);
        }
        String[][] accepted = {{"INT8", "-128, 127"}, {"UINT8", "0, 255"}, {"UINT32", "4294967295, 0"},
            {"UINT64", "18446744073709551615, 0"}, {"INT64", "-9223372036854775808, 9223372036854775807"}};
        for (String[] c : accepted) {
            channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/iris/infer",
                    Unpooled.copiedBuffer(tensor(c[0], c[1]), StandardCharsets.UTF_8)));
            long deadline = System.nanoTime() + 10_000_000_000L;
            FullHttpResponse r = null;
            while (r == null) {
                assertThat(System.nanoTime()).as("a response within 10 s").isLessThan(deadline);
                channel.runPendingTasks();
                r = channel.readOutbound();
                Thread.sleep(1);
            }
            assertThat(r.status().code()).as(c[0] + " " + r.content().toString(StandardCharsets.UTF_8)).isEqualTo(200);
            r.release();
        }
        assertThat(logged).isEmpty();
    }

    @Test
    void anUnknownOutputIsRefusedBeforeTheModelComputes() throws Exception {
        gate.close();
        // With compute held at the gate, a request that reached the model would wait there and never answer.
        JsonNode r = expect400("/v2/models/iris/infer", tensor("FP32", "1, 0").replace("]}]}",
                "]}], \"outputs\": [{\"name\": \"logits\"}]}"));
        assertThat(r.get("error").asText()).isEqualTo("outputs[0].name: 'logits' (expected: one of [probabilities, class])");
        assertThat(gate.waiting()).as("products started").isZero();
        assertThat(repository.resolve("iris", null, null).queued()).isZero();
    }
}
