package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The handlers in-process, through Netty's EmbeddedChannel: no sockets. */
class HttpRequestHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path repo;

    private ModelRepository repository;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        TestModels.write(repo, "reg", 3, TestModels.linear());
        TestModels.write(repo, "colour", 1, TestModels.colourRegressor("zero"));
        TestModels.write(repo, "colour-strict", 1, TestModels.colourRegressor("error"));
        ServingMetrics metrics = new ServingMetrics();
        repository = new ModelRepository(repo, new BatchingConfig(true, 8, 0, 16, 1), metrics, Blas.get());
        repository.poll();
        Router router = new Router(repository, metrics, () -> true, Runnable::run);
        channel = new EmbeddedChannel();
        HttpServer.addHandlers(channel.pipeline(), 1024, router, new HttpServer.Counters(metrics));
    }

    @AfterEach
    void tearDown() throws Exception {
        channel.finishAndReleaseAll();
        repository.close(2000);
    }

    private FullHttpResponse call(HttpMethod method, String uri, String body) throws InterruptedException {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            channel.runPendingTasks();
            FullHttpResponse r = channel.readOutbound();
            if (r != null) {
                return r;
            }
            Thread.sleep(1);
        }
        throw new AssertionError(method + " " + uri + ": no response within 10 s");
    }

    private static JsonNode json(FullHttpResponse r) throws Exception {
        try {
            return JSON.readTree(r.content().toString(StandardCharsets.UTF_8));
        } finally {
            r.release();
        }
    }

    private JsonNode expect(int status, HttpMethod method, String uri, String body) throws Exception {
        FullHttpResponse r = call(method, uri, body);
        assertThat(r.status().code()).as(r.content().toString(StandardCharsets.UTF_8)).isEqualTo(status);
        assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        return json(r);
    }

    /** softmax of (l0, l1, l2), in double: the reference the server's float softmax is checked against. */
    private static double[] softmax(double... l) {
        double s = 0;
        for (double v : l) {
            s += Math.exp(v);
        }
        double[] p = new double[l.length];
        for (int i = 0; i < l.length; i++) {
            p[i] = Math.exp(l[i]) / s;
        }
        return p;
    }

    @Test
    void tfServingPredictRowFormatGivesClassAndProbabilities() throws Exception {
        JsonNode r = expect(200, HttpMethod.POST, "/v1/models/iris:predict", "{\"instances\": [[1, 0], [0, 2]]}");
        // W = [[1, 0, -1], [0, 1, 0]]: logits (1, 0, -1) and (0, 2, 0).
        double[] p0 = softmax(1, 0, -1);
        double[] p1 = softmax(0, 2, 0);
        assertThat(r.at("/predictions/0/class").asText()).isEqualTo("a");
        assertThat(r.at("/predictions/1/class").asText()).isEqualTo("b");
        for (int k = 0; k < 3; k++) {
            assertThat(r.at("/predictions/0/probabilities/" + k).asDouble()).isCloseTo(p0[k], org.assertj.core.data.Offset.offset(1e-6));
            assertThat(r.at("/predictions/1/probabilities/" + k).asDouble()).isCloseTo(p1[k], org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void tfServingColumnarAndNamedInputsAndRegressor() throws Exception {
        JsonNode r = expect(200, HttpMethod.POST, "/v1/models/reg/versions/3:predict", "{\"inputs\": {\"input\": [[1, 1], [2, 0]]}}");
        assertThat(r.at("/outputs/value").toString()).isEqualTo("[1.5,4.5]");
        JsonNode named = expect(200, HttpMethod.POST, "/v1/models/reg:predict", "{\"instances\": [{\"input\": [1, 1]}]}");
        assertThat(named.toString()).isEqualTo("{\"predictions\":[{\"value\":1.5}]}");
        JsonNode reg = expect(200, HttpMethod.POST, "/v1/models/reg:regress",
                "{\"context\": {\"x1\": 1}, \"examples\": [{\"x0\": 1}, {\"x0\": [2]}]}");
        assertThat(reg.toString()).isEqualTo("{\"results\":[1.5,3.5]}");
    }

    @Test
    void anUnseenCategoryGivesZerosOrIsRefusedAsTheModelWasTrainedAndMissingNumbersAreImputed() throws Exception {
        String rows = "{\"instances\": [[\"blue\", 1], [\"green\", 1], [\"red\", null], [\"red\", \"NA\"]]}";
        JsonNode r = expect(200, HttpMethod.POST, "/v1/models/colour:predict", rows);
        assertThat(r.toString()).isEqualTo("{\"predictions\":[{\"value\":11.5},{\"value\":10.5},{\"value\":22.5},"
                + "{\"value\":22.5}]}");
        JsonNode refused = expect(400, HttpMethod.POST, "/v1/models/colour-strict:predict", rows);
        assertThat(refused.get("error").asText()).isEqualTo("input 'input': row 1: column 'colour': unknown category"
                + " 'green' (expected: one of [blue, red])");
    }

    @Test
    void v2InferValidatesAndAnswersWithIdAndRequestedOutputs() throws Exception {
        JsonNode r = expect(200, HttpMethod.POST, "/v2/models/iris/versions/1/infer", """
                {"id": "42", "inputs": [{"name": "input", "shape": [2, 2], "datatype": "UINT32", "data": [[1, 0], [0, 2]]}],
                 "outputs": [{"name": "class"}]}""");
        assertThat(r.toString()).isEqualTo("{\"model_name\":\"iris\",\"model_version\":\"1\",\"id\":\"42\","
                + "\"outputs\":[{\"name\":\"class\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"a\",\"b\"]}]}");
    }

    @Test
    void everyBadTensorIsRefusedWithTheTensorAndExpectedVersusActual() throws Exception {
        String[][] cases = {
                {"{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
                        "input 'input': shape [1, 3] (expected: [rows, 2], the model's 2 input columns)"},
                {"{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
                        "input 'input': data has 3 elements (expected: 4 for shape [2,2])"},
                {"{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"BYTES\", \"data\": [\"1\", \"2\"]}]}",
                        "input 'input': datatype BYTES (expected: FP32 or another numeric type)"},
                {"{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, NaN]}]}",
                        "input 'input': row 0, column 'x1': NaN (expected: a finite number within float range)"},
                {"{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 1e39]}]}",
                        "input 'input': data[1] is 1.0E39 (expected: a number within FP32 range)"},
                {"{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"INT32\", \"data\": [1, 1.5]}]}",
                        "input 'input': data[1] is number 1.5 (expected: an integer for datatype INT32)"},
                {"{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}]}",
                        "inputs[0].name: 'x' (expected: 'input')"},
                {"{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP33\", \"data\": [1, 2]}]}",
                        "input 'input': datatype 'FP33' (expected: one of [BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32,"
                                + " INT64, FP16, BF16, FP32, FP64, BYTES])"},
                {"{\"inputs\": []}", "inputs: 0 tensors (expected: an array of tensors)"},
                {"{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}], \"outputs\": [{\"name\": \"logits\"}]}",
                        "outputs[0].name: 'logits' (expected: one of [probabilities, class])"},
                {"{\"inputs\": [1, 2", "malformed JSON: Unexpected end-of-input: expected close marker for Array at line 1, column 17"},
        };
        for (String[] c : cases) {
            JsonNode r = expect(400, HttpMethod.POST, "/v2/models/iris/infer", c[0]);
            assertThat(r.get("error").asText()).as(c[0]).isEqualTo(c[1]);
        }
        JsonNode tf = expect(400, HttpMethod.POST, "/v1/models/iris:predict", "{\"instances\": [[1, 2], [3]]}");
        assertThat(tf.get("error").asText()).isEqualTo("instances[1]: input 'input' of shape [1] (expected: [2], as instances[0])");
        JsonNode both = expect(400, HttpMethod.POST, "/v1/models/iris:predict", "{\"instances\": [], \"inputs\": []}");
        assertThat(both.get("error").asText()).isEqualTo("request: both 'instances' and 'inputs' (expected: exactly one)");
        JsonNode notObject = expect(400, HttpMethod.POST, "/v1/models/iris:predict", "[1]");
        assertThat(notObject.get("error").asText()).isEqualTo("request body: array (expected: a JSON object)");
        JsonNode wrongVerb = expect(400, HttpMethod.POST, "/v1/models/iris:regress", "{\"examples\": [{\"x0\": 1, \"x1\": 2}]}");
        assertThat(wrongVerb.get("error").asText()).isEqualTo(":regress: model 'iris' is a classifier (expected: :classify or :predict)");
    }

    @Test
    void notFoundMethodNotAllowedAndTooLarge() throws Exception {
        assertThat(expect(404, HttpMethod.GET, "/v1/models/nope", "").get("error").asText())
                .isEqualTo("model 'nope': not in the repository (models: [colour, colour-strict, iris, reg])");
        assertThat(expect(404, HttpMethod.POST, "/v2/models/iris/versions/7/infer", "{}").get("error").asText())
                .isEqualTo("model 'iris': version 7 not serving (serving: [1])");
        assertThat(expect(404, HttpMethod.GET, "/v1/models/iris/labels/stable", "").get("error").asText())
                .isEqualTo("model 'iris': label 'stable' unknown (labels: {})");
        expect(404, HttpMethod.GET, "/v1/models/..%2Fetc", "");
        expect(404, HttpMethod.GET, "/v3/x", "");
        FullHttpResponse r = call(HttpMethod.GET, "/v2/models/iris/infer", "");
        assertThat(r.status().code()).isEqualTo(405);
        assertThat(r.headers().get("Allow")).isEqualTo("POST");
        assertThat(json(r).get("error").asText()).isEqualTo("method GET not allowed (expected: POST)");
        FullHttpResponse del = call(HttpMethod.DELETE, "/v1/models/iris", "");
        assertThat(del.status().code()).isEqualTo(405);
        del.release();

        DefaultHttpRequest big = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/iris/infer");
        big.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2048);
        channel.writeInbound(big);
        channel.runPendingTasks();
        FullHttpResponse tooLarge = channel.readOutbound();
        assertThat(tooLarge.status().code()).isEqualTo(413);
        assertThat(json(tooLarge).get("error").asText()).isEqualTo("request body: larger than 1024 bytes (expected: at most 1024; see --max-body-bytes)");
    }

    @Test
    void pipelinedRepliesKeepRequestOrder() throws Exception {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/models/reg:predict",
                Unpooled.copiedBuffer("{\"instances\": [[1, 1]]}", StandardCharsets.UTF_8)));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/health/live"));
        FullHttpResponse first = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (first == null && System.nanoTime() < deadline) {
            channel.runPendingTasks();
            first = channel.readOutbound();
            Thread.sleep(1);
        }
        assertThat(json(first).toString()).isEqualTo("{\"predictions\":[{\"value\":1.5}]}");
        FullHttpResponse second = channel.readOutbound();
        assertThat(json(second).toString()).isEqualTo("{\"live\":true}");
    }
}
