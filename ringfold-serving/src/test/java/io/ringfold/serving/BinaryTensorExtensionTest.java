package io.ringfold.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Triton's binary tensor data extension over real sockets, with requests built as tritonclient's HTTP client
 * builds them (JSON header, {@code Inference-Header-Content-Length}, binary inputs with
 * {@code binary_data_size}, {@code binary_data_output} or per-output {@code binary_data}): the answers have the
 * bits of the same request in JSON; and malformed headers, sizes that disagree with the shape, shapes that
 * overflow and random mutations are 400s naming the tensor, never a 5xx, never an answer to another request.
 */
class BinaryTensorExtensionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = Long.getLong("ringfold.fuzz.seed", 20261207L);

    @TempDir
    Path repo;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;

    @BeforeEach
    void start() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        TestModels.write(repo, "spam", 1, TestModels.spamFilter());
        server = InferenceServer.start(ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO).withHost("127.0.0.1")
                .withPort(0).withGrpcPort(0).withPollSeconds(0).withBatching(new BatchingConfig(true, 8, 2_000, 64, 1))
                .withGracePeriod(Duration.ofSeconds(10)), Blas.get());
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    /** A reply: status, JSON part, binary part, and the header's value. */
    private record Reply(int status, JsonNode json, byte[] binary, String headerLength) {
    }

    private Reply post(String path, byte[] body, Integer headerLength) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headerLength != null) {
            b.header("Inference-Header-Content-Length", Integer.toString(headerLength));
            b.header("Content-Type", "application/octet-stream");
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        String h = r.headers().firstValue("Inference-Header-Content-Length").orElse(null);
        int n = h == null ? r.body().length : Integer.parseInt(h);
        return new Reply(r.statusCode(), JSON.readTree(Arrays.copyOf(r.body(), n)), Arrays.copyOfRange(r.body(), n,
                r.body().length), h);
    }

    /** tritonclient's request: the JSON, then each binary input's bytes in input order. */
    private static byte[] body(String json, byte[]... binary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(json.getBytes(StandardCharsets.UTF_8));
        for (byte[] b : binary) {
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static byte[] fp32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static byte[] strings(String... v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : v) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(u.length).array());
            out.writeBytes(u);
        }
        return out.toByteArray();
    }

    private static float[] floats(byte[] raw, int from, int count) {
        ByteBuffer b = ByteBuffer.wrap(raw, from, count * 4).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[count];
        for (int i = 0; i < count; i++) {
            f[i] = b.getFloat();
        }
        return f;
    }

    @Test
    void binaryInputsAndOutputsCarryTheBitsOfTheJsonRequest() throws Exception {
        float[] x = {0.1f, -2.5f, 3e-7f, 1e6f, 0, -0f};
        Reply plain = post("/v2/models/iris/infer", body("{\"inputs\": [{\"name\": \"input\", \"shape\": [3, 2],"
                + " \"datatype\": \"FP32\", \"data\": " + Arrays.toString(x) + "}]}"), null);
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.headerLength()).isNull();

        // tritonclient with no outputs named: binary_data_output for all of them.
        String header = "{\"inputs\":[{\"name\":\"input\",\"shape\":[3,2],\"datatype\":\"FP32\",\"parameters\":"
                + "{\"binary_data_size\":24}}],\"parameters\":{\"binary_data_output\":true}}";
        Reply binary = post("/v2/models/iris/infer", body(header, fp32(x)), header.length());
        assertThat(binary.status()).as(binary.json().toString()).isEqualTo(200);
        JsonNode probs = binary.json().get("outputs").get(0);
        assertThat(probs.get("name").asText()).isEqualTo("probabilities");
        assertThat(probs.has("data")).isFalse();
        assertThat(probs.get("parameters").get("binary_data_size").asInt()).isEqualTo(36);
        JsonNode cls = binary.json().get("outputs").get(1);
        assertThat(cls.get("parameters").get("binary_data_size").asInt()).isEqualTo(binary.binary().length - 36);
        float[] fromBinary = floats(binary.binary(), 0, 9);
        for (int i = 0; i < 9; i++) {
            assertThat(Float.floatToRawIntBits(fromBinary[i])).as("probability %d", i)
                    .isEqualTo(Float.floatToRawIntBits(plain.json().get("outputs").get(0).get("data").get(i).floatValue()));
        }
        ByteBuffer classes = ByteBuffer.wrap(binary.binary(), 36, binary.binary().length - 36).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < 3; r++) {
            byte[] name = new byte[classes.getInt()];
            classes.get(name);
            assertThat(new String(name, StandardCharsets.UTF_8))
                    .isEqualTo(plain.json().get("outputs").get(1).get("data").get(r).asText());
        }

        // One output binary, the other in the JSON, as InferRequestedOutput(binary_data=...) asks.
        String mixed = "{\"inputs\":[{\"name\":\"input\",\"shape\":[3,2],\"datatype\":\"FP32\",\"parameters\":"
                + "{\"binary_data_size\":24}}],\"outputs\":[{\"name\":\"class\",\"parameters\":{\"binary_data\":false}},"
                + "{\"name\":\"probabilities\",\"parameters\":{\"binary_data\":true}}]}";
        Reply m = post("/v2/models/iris/infer", body(mixed, fp32(x)), mixed.length());
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.json().get("outputs").get(0).get("data")).isEqualTo(plain.json().get("outputs").get(1).get("data"));
        assertThat(m.binary()).hasSize(36);
        assertThat(floats(m.binary(), 0, 9)).containsExactly(fromBinary);

        // A JSON-only reply to a binary request when no output asks for binary data.
        String jsonOut = "{\"inputs\":[{\"name\":\"input\",\"shape\":[3,2],\"datatype\":\"FP32\",\"parameters\":"
                + "{\"binary_data_size\":24}}]}";
        Reply j = post("/v2/models/iris/infer", body(jsonOut, fp32(x)), jsonOut.length());
        assertThat(j.headerLength()).isNull();
        assertThat(j.json().get("outputs")).isEqualTo(plain.json().get("outputs"));
    }

    @Test
    void bytesTensorsTravelAsLengthPrefixedStrings() throws Exception {
        Reply plain = post("/v2/models/spam/infer", body("{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 1],"
                + " \"datatype\": \"BYTES\", \"data\": [\"free money\", \"meeting at 10\"]}]}"), null);
        byte[] text = strings("free money", "meeting at 10");
        String header = "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,1],\"datatype\":\"BYTES\",\"parameters\":"
                + "{\"binary_data_size\":" + text.length + "}}]}";
        Reply binary = post("/v2/models/spam/infer", body(header, text), header.length());
        assertThat(binary.status()).as(binary.json().toString()).isEqualTo(200);
        assertThat(binary.json().get("outputs")).isEqualTo(plain.json().get("outputs"));
    }

    @Test
    void malformedBinaryRequestsAreRefusedNamingTheTensor() throws Exception {
        String ok = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP32\",\"parameters\":"
                + "{\"binary_data_size\":8}}]}";
        Object[][] cases = {
            {body(ok, fp32(1, 2)), "-1", "Inference-Header-Content-Length: '-1' (expected: the length of the JSON at the"
                    + " start of the body, 0 to " + (ok.length() + 8) + ")"},
            {body(ok, fp32(1, 2)), "x", "Inference-Header-Content-Length: 'x' (expected: the length of the JSON at the"
                    + " start of the body, 0 to " + (ok.length() + 8) + ")"},
            {body(ok, fp32(1, 2)), Integer.toString(ok.length() + 9), null},
            {body(ok, fp32(1)), Integer.toString(ok.length()), "input 'input': parameters.binary_data_size 8 (expected:"
                    + " at most the 4 bytes of binary data left in the body)"},
            {body(ok, fp32(1, 2, 3)), Integer.toString(ok.length()), "body: 4 bytes of binary data beyond the inputs'"
                    + " binary_data_size (expected: none)"},
            {body(ok.replace("\"binary_data_size\":8", "\"binary_data_size\":4"), fp32(1)),
                    Integer.toString(ok.length()), "input 'input': 4 bytes of raw data (expected: 8, 2 elements of"
                    + " 4 bytes for datatype FP32)"},
            {body(ok.replace("[1,2]", "[4611686018427387904,4]"), fp32(1, 2)),
                    Integer.toString(ok.replace("[1,2]", "[4611686018427387904,4]").length()),
                    "input 'input': shape [4611686018427387904,4] (expected: at most 2147483647 elements)"},
            {body(ok.replace("\"binary_data_size\":8", "\"binary_data_size\":-8"), fp32(1, 2)),
                    Integer.toString(ok.length() + 1), "input 'input': parameters.binary_data_size -8 (expected: a"
                    + " non-negative integer)"},
            {body(ok.replace("}}]}", "},\"data\":[1,2]}]}"), fp32(1, 2)), Integer.toString(ok.length() + 13),
                    "input 'input': both data and parameters.binary_data_size (expected: one of them)"},
            {body(ok, fp32(1, 2)), null, "input 'input': parameters.binary_data_size without the"
                    + " Inference-Header-Content-Length header (expected: the header, giving the length of the JSON before"
                    + " the binary data)"},
            {body(ok.replace("FP32", "INT64"), fp32(1, 2)), Integer.toString(ok.length() + 1),
                    "input 'input': 8 bytes of raw data (expected: 16, 2 elements of 8 bytes for datatype INT64)"},
            {body(ok.replace("FP32", "BYTES"), fp32(1, 2)), Integer.toString(ok.length() + 1),
                    "input 'input': raw BYTES element 0 is cut off (expected: a 4-byte little-endian length, then that"
                    + " many bytes)"},
        };
        for (Object[] c : cases) {
            byte[] b = (byte[]) c[0];
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/v2/models/iris/infer")).timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(b));
            if (c[1] != null) {
                req.header("Inference-Header-Content-Length", (String) c[1]);
            }
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(c[1] + " " + r.body()).isEqualTo(400);
            if (c[2] != null) {
                assertThat(JSON.readTree(r.body()).get("error").asText()).as(String.valueOf(c[1])).isEqualTo(c[2]);
            }
        }
    }

    /**
     * Random mutations of good binary requests (header length, sizes, shape, datatype, flipped bytes): every answer
     * is a 200 whose rows are the request's, or a 400 with a message; never a 5xx.
     */
    @Test
    void mutatedBinaryRequestsNeverGive5xxNorAnotherRequestsAnswer() throws Exception {
        System.out.println("BinaryTensorExtensionTest: seed " + SEED);
        SplittableRandom rnd = new SplittableRandom(SEED);
        String[] types = {"FP32", "FP64", "INT64", "INT32", "BYTES", "BOOL", "UINT8", "FP16"};
        int ok = 0;
        int refused = 0;
        for (int i = 0; i < 200; i++) {
            int rows = 1 + rnd.nextInt(4);
            float[] x = new float[rows * 2];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) rnd.nextDouble(-3, 3);
            }
            byte[] raw = fp32(x);
            String type = rnd.nextInt(3) == 0 ? types[rnd.nextInt(types.length)] : "FP32";
            long size = rnd.nextInt(4) == 0 ? raw.length + rnd.nextInt(-8, 9) : raw.length;
            String shape = rnd.nextInt(5) == 0 ? "[" + rnd.nextLong() + "," + rnd.nextInt(-1, 4) + "]" : "[" + rows + ",2]";
            String header = "{\"inputs\":[{\"name\":\"input\",\"shape\":" + shape + ",\"datatype\":\"" + type
                    + "\",\"parameters\":{\"binary_data_size\":" + size + "}}],\"parameters\":{\"binary_data_output\":"
                    + rnd.nextBoolean() + "}}";
            byte[] b = body(header, raw);
            if (rnd.nextInt(4) == 0) {
                b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            int length = rnd.nextInt(4) == 0 ? rnd.nextInt(-2, b.length + 3) : header.length();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/v2/models/iris/infer")).timeout(Duration.ofSeconds(20)).header("Inference-Header-Content-Length",
                    Integer.toString(length)).POST(HttpRequest.BodyPublishers.ofByteArray(b)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            String what = "seed " + SEED + " case " + i + ": " + new String(b, StandardCharsets.ISO_8859_1);
            assertThat(r.statusCode()).as(what).isIn(200, 400);
            if (r.statusCode() == 200) {
                ok++;
                int n = r.headers().firstValue("Inference-Header-Content-Length").map(Integer::parseInt)
                        .orElse(r.body().length);
                JsonNode reply = JSON.readTree(Arrays.copyOf(r.body(), n));
                // The answer is this request's: as many rows as its shape says.
                assertThat(reply.get("outputs").get(0).get("shape").get(0).asLong()).as(what)
                        .isEqualTo(JSON.readTree(new String(Arrays.copyOf(b, length), StandardCharsets.ISO_8859_1))
                                .get("inputs").get(0).get("shape").get(0).asLong());
            } else {
                refused++;
                assertThat(JSON.readTree(r.body()).get("error").asText()).as(what).isNotEmpty();
            }
        }
        System.out.println("BinaryTensorExtensionTest: " + ok + " answered, " + refused + " refused");
        assertThat(ok).isGreaterThan(20);
        assertThat(refused).isGreaterThan(20);
        // The server still answers a good request after all of that.
        assertThat(post("/v2/models/iris/infer", body("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2],"
                + " \"datatype\": \"FP32\", \"data\": [1, 2]}]}"), null).status()).isEqualTo(200);
    }

    @Test
    void configAndStatisticsHaveTritonsShape() throws Exception {
        post("/v2/models/iris/infer", body("{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 2],"
                + " \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}"), null);
        HttpResponse<String> config = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v2/models/iris/config")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode c = JSON.readTree(config.body());
        assertThat(c.get("max_batch_size").asInt()).isEqualTo(8);
        assertThat(c.get("input").toString()).isEqualTo("[{\"name\":\"input\",\"data_type\":\"TYPE_FP32\",\"dims\":[2]}]");
        assertThat(c.get("output").get(1).toString()).isEqualTo("{\"name\":\"class\",\"data_type\":\"TYPE_STRING\",\"dims\":[]}");
        assertThat(c.get("dynamic_batching").get("max_queue_delay_microseconds").asLong()).isEqualTo(2000);

        List<JsonNode> all = new ArrayList<>();
        for (String path : List.of("/v2/models/stats", "/v2/models/iris/stats", "/v2/models/iris/versions/1/stats")) {
            HttpResponse<String> s = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(s.statusCode()).as(path).isEqualTo(200);
            all.add(JSON.readTree(s.body()).get("model_stats"));
        }
        assertThat(all.get(0)).hasSize(2); // iris and spam: /v2/models/stats is every model's, not a model's
        JsonNode iris = all.get(1).get(0);
        assertThat(iris.get("name").asText()).isEqualTo("iris");
        assertThat(iris.get("inference_count").asLong()).isEqualTo(2);
        assertThat(iris.get("inference_stats").get("success").get("count").asLong()).isEqualTo(1);
        assertThat(iris.get("inference_stats").get("success").get("ns").asLong()).isPositive();
        assertThat(iris.get("inference_stats").get("compute_infer").get("count").asLong()).isEqualTo(1);
        assertThat(all.get(2).get(0).get("version").asText()).isEqualTo("1");
        HttpResponse<String> meta = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(meta.body()).get("extensions").toString()).contains("binary_tensor_data", "statistics",
                "model_configuration");
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v2/models/nope/stats")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
    }
}
