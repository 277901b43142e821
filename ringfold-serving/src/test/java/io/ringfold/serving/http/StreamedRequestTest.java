package io.ringfold.serving.http;

import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.inference.InferenceCall;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.ServedVersion;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streamed readers of v2 infer and TF :predict bodies against the tree path they stand in front of:
 * for the examples of the protocol tests, the benchmark's body, and thousands of random and mutated bodies
 * ({@link RequestFuzzer}), both give the same decoded rows (bit for bit) or the same error, and the same
 * reply (status and bytes), for a classifier and a regressor. The seed is printed;
 * {@code -Dringfold.fuzz.seed=S -Dringfold.fuzz.cases=N} replays or widens a run.
 */
class StreamedRequestTest {

    private static final long SEED = Long.getLong("ringfold.fuzz.seed", 20261128L);
    private static final int CASES = Integer.getInteger("ringfold.fuzz.cases", 4000);

    /** Bodies from the protocol tests and documentation, valid and not. */
    private static final List<String> EXAMPLES = List.of(
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 0]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [[1, 0], [0, 2]]}]}",
            "{\"id\": \"7\", \"parameters\": {\"p\": [1, {\"q\": null}]}, \"outputs\": [{\"name\": \"class\"}],"
                    + " \"inputs\": [{\"data\": [0.5, -3e2], \"datatype\": \"FP64\", \"shape\": [2], \"name\": \"input\","
                    + " \"parameters\": {\"x\": 1}}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"INT64\", \"data\": [1, 9223372036854775807]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"INT64\", \"data\": [1, 9223372036854775808]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [0.1, 1.0000000596046448]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [-0.0, 1e-45]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"BYTES\", \"data\": [\"1\", \"2\"]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, NaN]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 1e39]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"INT32\", \"data\": [1, 1.5]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"INT32\", \"data\": [1, 1.0]}]}",
            "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP33\", \"data\": [1, 2]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [0, 2], \"datatype\": \"FP32\", \"data\": []}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [9999999999, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}, {}]}",
            "{\"inputs\": []}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}], \"outputs\": [{\"name\": \"logits\"}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}], \"outputs\": null}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}], \"id\": 5}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}], \"extra\": 1}",
            "{\"inputs\": [{\"name\": \"input\", \"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}]} trailing",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}]",
            "{\"inputs\": [1, 2",
            "",
            " ",
            "[]",
            "{\"instances\": [[1, 0]]}",
            "{\"instances\": [[1, 0], [0, 2]]}",
            "{\"signature_name\": \"serving_default\", \"instances\": [[1.0, 2.0], [3.0, 4.0]]}",
            "{\"signature_name\": \"other\", \"instances\": [[1, 2]]}",
            "{\"signature_name\": 5, \"instances\": [[1, 2]]}",
            "{\"instances\": [[0, NaN]]}",
            "{\"instances\": [[0, 0.1]]}",
            "{\"instances\": [[1, 2], [3]]}",
            "{\"instances\": [[1, 2, 3]]}",
            "{\"instances\": [[[1, 2]]]}",
            "{\"instances\": [[1, \"2\"]]}",
            "{\"instances\": []}",
            "{\"instances\": [], \"inputs\": []}",
            "{\"instances\": [{\"input\": [1, 1]}]}",
            "{\"instances\": {\"input\": [1, 1]}}",
            "{\"inputs\": {\"input\": [[1, 1], [2, 0]]}}",
            "{\"inputs\": [[1.0, 2.0]]}",
            "{\"instances\": [[1, 0]], \"instances\": [[1, 0]]}",
            "{\"instances\": [[1, 0]]} {",
            "{\"instances\": [[1, 0]]");

    @TempDir
    Path repo;

    private ModelRepository repository;
    /** Bodies the plain scan accepted so far in the running test. */
    private int scannedCount;
    private InferenceProtocolApi v2;
    private TfServingApi tf;

    @BeforeEach
    void setUp() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        TestModels.write(repo, "reg", 3, TestModels.linear());
        repository = new ModelRepository(repo, new BatchingConfig(false, 8, 0, 64, 1), new ServingMetrics(), Blas.get());
        repository.poll();
        v2 = new InferenceProtocolApi(repository);
        tf = new TfServingApi(repository);
    }

    @AfterEach
    void tearDown() throws Exception {
        repository.close(2000);
    }

    @Test
    void examplesReadAlikeEitherWay() {
        int streamed = 0;
        for (String body : EXAMPLES) {
            streamed += compare("example " + body, body.getBytes(StandardCharsets.UTF_8));
        }
        // The valid single-tensor and plain-row examples above are read by the streamed path, but for the tensor
        // with parameters, which may hold binary_data_size and is left to the tree path.
        assertThat(streamed).isGreaterThanOrEqualTo(19);
        assertThat(scannedCount).isGreaterThanOrEqualTo(12);
        assertThat(V2InferRequest.streamed(("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 64], \"datatype\": \"FP32\","
                + " \"data\": [" + "0,5,13,9,".repeat(16).replaceAll(",$", "") + "]}]}").getBytes(StandardCharsets.UTF_8))).isNotNull();
    }

    @Test
    void randomAndMutatedBodiesReadAlikeEitherWay() {
        System.out.println("StreamedRequestTest: seed " + SEED + ", " + CASES + " cases");
        RequestFuzzer fuzz = new RequestFuzzer(SEED);
        int streamed = 0;
        for (int i = 0; i < CASES; i++) {
            RequestFuzzer.Case c = fuzz.next();
            streamed += compare("seed " + SEED + " case " + i + ": " + c, c.body());
        }
        System.out.println("StreamedRequestTest: " + streamed + " of " + 2 * CASES + " reads streamed, " + scannedCount
                + " scanned");
        assertThat(streamed).as("bodies the streamed path read").isGreaterThan(CASES / 100);
    }

    /**
     * Bodies near the common form, where the two paths are most likely to part: random field order, optional
     * id, parameters and outputs, names, datatypes, shapes, element counts, nesting, and values from ints to
     * doubles that are not floats, NaN, out-of-range and non-numbers.
     */
    @Test
    void nearlyValidBodiesReadAlikeEitherWay() {
        SplittableRandom rnd = new SplittableRandom(SEED + 2);
        System.out.println("StreamedRequestTest (near valid): seed " + (SEED + 2) + ", " + CASES + " cases");
        int streamed = 0;
        for (int i = 0; i < CASES; i++) {
            String body = rnd.nextBoolean() ? nearV2(rnd) : nearPredict(rnd);
            if (rnd.nextInt(4) == 0) {
                body = body.replace(", ", pick(rnd, ",", " ,", ",\n\t", "\r\n,  ", ",\u000b", ",\u00a0"));
            }
            if (rnd.nextInt(10) == 0) {
                int cut = rnd.nextInt(body.length() + 1);
                body = rnd.nextBoolean() ? body.substring(0, cut) : body.substring(0, cut) + pick(rnd, "}", "]", " ", "\"", "x")
                        + body.substring(cut);
            }
            streamed += compare("seed " + (SEED + 2) + " case " + i + ": " + body, body.getBytes(StandardCharsets.UTF_8));
        }
        System.out.println("StreamedRequestTest (near valid): " + streamed + " of " + 2 * CASES + " reads streamed, "
                + scannedCount + " scanned");
        assertThat(streamed).as("bodies the streamed path read").isGreaterThan(CASES / 4);
        assertThat(scannedCount).as("bodies the plain scan read").isGreaterThan(CASES / 5);
    }

    private static final String[] VALUES = {"0", "-0", "1", "2", "7", "-3", "1.5", "0.25", "-0.0", "1e2", "0.1", "1e39",
            "-1e-46", "NaN", "Infinity", "2147483648", "9223372036854775807", "9223372036854775808", "16777217",
            "1.0000000596046448", "\"1\"", "true", "null", "{}", "1E+2", "-1.5e-3", "2e0", "00", "01", "1.", ".5",
            "+1", "1x", "-", "123456789012345678", "1234567890123456789", "0.5000000000000000000000000000000000000001"};

    private static String pick(SplittableRandom rnd, String... options) {
        return options[rnd.nextInt(options.length)];
    }

    /** Mostly plain numbers, sometimes anything of {@link #VALUES}. */
    private static String value(SplittableRandom rnd) {
        return rnd.nextInt(8) == 0 ? VALUES[rnd.nextInt(VALUES.length)] : VALUES[rnd.nextInt(10)];
    }

    private static String nearV2(SplittableRandom rnd) {
        int rows = rnd.nextInt(8) == 0 ? rnd.nextInt(4) : 1 + rnd.nextInt(3);
        int width = rnd.nextInt(6) == 0 ? 1 + rnd.nextInt(3) : 2;
        int count = rows * width + (rnd.nextInt(8) == 0 ? rnd.nextInt(3) - 1 : 0);
        boolean nested = rnd.nextInt(3) == 0;
        StringBuilder data = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            if (nested && i % width == 0) {
                data.append(i == 0 ? "[" : "], [");
            } else if (i > 0) {
                data.append(", ");
            }
            data.append(value(rnd));
        }
        data.append(nested && count > 0 ? "]]" : "]");
        String shape = rnd.nextInt(5) == 0 ? "[" + rows * width + "]" : rnd.nextInt(10) == 0 ? "[" + rows + ", " + width
                + ", 1]" : "[" + rows + ", " + pick(rnd, String.valueOf(width), String.valueOf(width), "0", "2.0") + "]";
        List<String> fields = new ArrayList<>(List.of("\"name\": " + pick(rnd, "\"input\"", "\"input\"", "\"input\"", "\"x\"", "1"),
                "\"datatype\": " + pick(rnd, "\"FP32\"", "\"FP32\"", "\"FP64\"", "\"INT32\"", "\"UINT8\"", "\"BYTES\"", "\"FP33\""),
                "\"shape\": " + shape, "\"data\": " + data));
        if (rnd.nextInt(6) == 0) {
            fields.add("\"parameters\": {\"binary_data\": false}");
        }
        if (rnd.nextInt(10) == 0) {
            fields.remove(rnd.nextInt(fields.size()));
        }
        shuffle(rnd, fields);
        List<String> top = new ArrayList<>(List.of("\"inputs\": [{" + String.join(", ", fields) + "}]"));
        if (rnd.nextInt(4) == 0) {
            top.add("\"id\": " + pick(rnd, "\"a\"", "\"\"", "3"));
        }
        if (rnd.nextInt(4) == 0) {
            top.add("\"parameters\": " + pick(rnd, "{\"k\": [1, 2.5]}", "{}", "[]"));
        }
        if (rnd.nextInt(4) == 0) {
            top.add("\"outputs\": " + pick(rnd, "[{\"name\": \"class\"}]", "[{\"name\": \"value\"}]", "[]", "{}"));
        }
        shuffle(rnd, top);
        return "{" + String.join(", ", top) + "}";
    }

    private static String nearPredict(SplittableRandom rnd) {
        int rows = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(3);
        List<String> rowTexts = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int width = rnd.nextInt(8) == 0 ? rnd.nextInt(4) : 2;
            List<String> vs = new ArrayList<>();
            for (int c = 0; c < width; c++) {
                vs.add(value(rnd));
            }
            rowTexts.add(rnd.nextInt(20) == 0 ? "{\"input\": [" + String.join(", ", vs) + "]}" : "[" + String.join(", ", vs) + "]");
        }
        List<String> top = new ArrayList<>(List.of("\"instances\": [" + String.join(", ", rowTexts) + "]"));
        if (rnd.nextInt(4) == 0) {
            top.add("\"signature_name\": " + pick(rnd, "\"serving_default\"", "\"other\"", "null"));
        }
        shuffle(rnd, top);
        return "{" + String.join(", ", top) + "}";
    }

    private static void shuffle(SplittableRandom rnd, List<String> l) {
        for (int i = l.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            String t = l.get(i);
            l.set(i, l.get(j));
            l.set(j, t);
        }
    }

    /**
     * Each reader that accepts the body (plain scan, Jackson stream) and the reader chain against the tree
     * path, on both models, for v2 and :predict; how many of the four faster reads accepted the body.
     */
    private int compare(String what, byte[] body) {
        V2InferRequest scanned = V2InferRequest.scanned(body);
        V2InferRequest streamed = V2InferRequest.streamed(body);
        StreamedInstances scannedRows = StreamedInstances.scan(body);
        StreamedInstances streamedRows = StreamedInstances.read(body);
        for (String model : List.of("iris", "reg")) {
            InferenceCall.Target t = new InferenceCall.Target(model, null, null);
            ServedVersion sv = repository.resolve(model, null, null);
            String v2Tree = outcome(() -> v2.infer(t, V2InferRequest.tree(body), System.nanoTime()));
            List<String> v2TreeRows = tensors(() -> V2InferRequest.tree(body).inputs().get());
            for (V2InferRequest r : Arrays.asList(scanned, streamed)) {
                if (r != null) {
                    assertThat(outcome(() -> v2.infer(t, r, System.nanoTime()))).as(what + " (v2, " + model + ")")
                            .isEqualTo(v2Tree);
                    assertThat(tensors(() -> r.inputs().get())).as(what + " (v2 tensors, " + model + ")").isEqualTo(v2TreeRows);
                }
            }
            assertThat(outcome(() -> v2.infer(t, V2InferRequest.parse(body), System.nanoTime())))
                    .as(what + " (v2 chain, " + model + ")")
                    .isEqualTo(v2Tree);
            String tfTree = outcome(() -> tf.predict(t, TfServingApi.predictTree(body), System.nanoTime()));
            List<String> tfTreeRows = tensors(() -> TfServingApi.predictTree(body).decode().apply(sv));
            for (StreamedInstances r : Arrays.asList(scannedRows, streamedRows)) {
                if (r != null) {
                    TfServingApi.Predict p = new TfServingApi.Predict(true, v -> {
                        Tensor decoded = r.tensor(v.signature());
                        return decoded != null ? List.of(decoded) : TfServingApi.predictTree(body).decode().apply(v);
                    });
                    assertThat(outcome(() -> tf.predict(t, p, System.nanoTime()))).as(what + " (predict, " + model + ")")
                            .isEqualTo(tfTree);
                    assertThat(tensors(() -> p.decode().apply(sv))).as(what + " (predict tensors, " + model + ")")
                            .isEqualTo(tfTreeRows);
                }
            }
            assertThat(outcome(() -> tf.predict(t, TfServingApi.predictRequest(body), System.nanoTime())))
                    .as(what + " (predict chain, " + model + ")")
                    .isEqualTo(tfTree);
        }
        // The plain scan accepts a subset of what the Jackson stream accepts.
        assertThat(scanned == null || streamed != null).as(what + ": scanned but not streamed (v2)").isTrue();
        assertThat(scannedRows == null || streamedRows != null).as(what + ": scanned but not streamed (predict)").isTrue();
        scannedCount += (scanned != null ? 1 : 0) + (scannedRows != null ? 1 : 0);
        return (streamed != null ? 1 : 0) + (streamedRows != null ? 1 : 0);
    }

    /** Status and body of the reply, or of the error reply a failure maps to. */
    private static String outcome(Supplier<CompletableFuture<HttpReply>> call) {
        HttpReply r;
        try {
            r = call.get().exceptionally(Router::failure).join();
        } catch (RuntimeException e) {
            r = Router.failure(e);
        }
        return r.status() + " " + new String(r.body(), StandardCharsets.UTF_8);
    }

    /** The decoded tensors (name, datatype, shape and float bits), or the failure's class and message. */
    private static List<String> tensors(Supplier<List<Tensor>> read) {
        try {
            List<String> bits = new ArrayList<>();
            for (Tensor t : read.get()) {
                bits.add(t.toString());
                if (t.data() instanceof float[] f) {
                    for (float v : f) {
                        bits.add(Integer.toHexString(Float.floatToRawIntBits(v)));
                    }
                } else {
                    bits.add(Arrays.deepToString(new Object[] {t.data()}));
                }
            }
            return bits;
        } catch (RuntimeException e) {
            return Arrays.asList(e.getClass().getName(), e.getMessage());
        }
    }
}
