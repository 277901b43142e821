package io.ringfold.serving.backend.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringfold.model.Model;
import io.ringfold.onnx.OnnxExport;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.RawTensors;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import io.ringfold.serving.grpc.v2.ModelMetadataRequest;
import io.ringfold.serving.grpc.v2.ModelMetadataResponse;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * ONNX models served over every protocol, by real clients on real sockets: the PyTorch fixtures (two inputs and
 * two outputs; INT64 token ids) answer PyTorch's outputs within 1e-5 through v2 JSON, Triton's binary extension,
 * v2 gRPC (typed and raw contents) and TensorFlow Serving's REST API, with the graph's names, datatypes and
 * shapes in every protocol's metadata; and a Ringfold model exported to ONNX answers as its model file does.
 */
class OnnxEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path repo;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;
    private ManagedChannel channel;
    private Model iris;

    @BeforeEach
    void start() throws Exception {
        OnnxFixtures.install(repo, "two", 1, "two_io");
        OnnxFixtures.install(repo, "tokens", 1, "embedding");
        iris = TestModels.softmax(1);
        TestModels.write(repo, "iris", 1, iris);
        java.nio.file.Files.createDirectories(repo.resolve("iris-onnx/1"));
        OnnxExport.write(iris, repo.resolve("iris-onnx/1/model.onnx"));
        server = InferenceServer.start(ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO).withHost("127.0.0.1")
                .withPort(0).withGrpcPort(0).withPollSeconds(0).withBatching(new BatchingConfig(true, 8, 2_000, 64, 1))
                .withGracePeriod(Duration.ofSeconds(10)), Blas.get());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown();
    }

    private HttpResponse<byte[]> send(String path, byte[] body, Integer jsonLength) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30));
        if (body == null) {
            b.GET();
        } else {
            b.POST(HttpRequest.BodyPublishers.ofByteArray(body));
        }
        if (jsonLength != null) {
            b.header("Inference-Header-Content-Length", Integer.toString(jsonLength));
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(path + ": " + new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return r;
    }

    private JsonNode json(String path, String body) throws Exception {
        return JSON.readTree(send(path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), null).body());
    }

    private static void assertClose(JsonNode actual, Tensor expected) {
        assertThat(actual.size()).isEqualTo(expected.elementCount());
        for (int i = 0; i < expected.elementCount(); i++) {
            assertThat(actual.get(i).doubleValue()).as("%s[%d]", expected.name(), i).isCloseTo(expected.number(i), within(1e-5));
        }
    }

    @Test
    void theGraphsSignatureIsEveryProtocolsMetadata() throws Exception {
        JsonNode v2 = json("/v2/models/two", null);
        assertThat(v2.get("platform").asText()).isEqualTo("onnxruntime_onnx");
        assertThat(v2.get("inputs").toString()).isEqualTo("[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[-1,3]},"
                + "{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]");
        assertThat(v2.get("outputs").toString()).isEqualTo("[{\"name\":\"mixed\",\"datatype\":\"FP32\",\"shape\":[-1,2]},"
                + "{\"name\":\"scaled\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]");
        ModelMetadataResponse grpc = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .modelMetadata(ModelMetadataRequest.newBuilder().setName("tokens").build());
        assertThat(grpc.getPlatform()).isEqualTo("onnxruntime_onnx");
        assertThat(grpc.getInputs(0).getName()).isEqualTo("tokens");
        assertThat(grpc.getInputs(0).getDatatype()).isEqualTo("INT64");
        assertThat(grpc.getInputs(0).getShapeList()).containsExactly(-1L, -1L);
        JsonNode tf = json("/v1/models/two/metadata", null).get("metadata").get("signature_def").get("signature_def")
                .get("serving_default");
        assertThat(tf.get("inputs").get("b").get("dtype").asText()).isEqualTo("DT_FLOAT");
        JsonNode config = json("/v2/models/two/config", null);
        assertThat(config.get("max_batch_size").asInt()).isEqualTo(8);
        assertThat(config.get("input").get(0).get("dims").toString()).isEqualTo("[3]");
        assertThat(config.get("parameters").get("producer").get("string_value").asText()).isEqualTo("pytorch");
    }

    @Test
    void twoInputsAndTwoOutputsOverJsonBinaryGrpcAndTfServing() throws Exception {
        JsonNode fixture = OnnxFixtures.expected("two_io");
        List<Tensor> inputs = OnnxFixtures.tensors(fixture.get("inputs"));
        List<Tensor> outputs = OnnxFixtures.tensors(fixture.get("outputs"));

        // v2 JSON: the fixture's own tensors are v2 tensor objects.
        JsonNode v2 = json("/v2/models/two/infer", "{\"inputs\": " + fixture.get("inputs") + "}");
        for (int k = 0; k < 2; k++) {
            assertThat(v2.get("outputs").get(k).get("name").asText()).isEqualTo(outputs.get(k).name());
            assertClose(v2.get("outputs").get(k).get("data"), outputs.get(k));
        }

        // Triton's binary extension, as tritonclient sends it.
        byte[] a = RawTensors.encode(inputs.get(0));
        byte[] b = RawTensors.encode(inputs.get(1));
        String header = "{\"inputs\":[{\"name\":\"a\",\"shape\":[4,3],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":"
                + a.length + "}},{\"name\":\"b\",\"shape\":[4,2],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":"
                + b.length + "}}],\"parameters\":{\"binary_data_output\":true}}";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(a);
        body.writeBytes(b);
        HttpResponse<byte[]> bin = send("/v2/models/two/infer", body.toByteArray(), header.length());
        int n = Integer.parseInt(bin.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        ByteBuffer data = ByteBuffer.wrap(bin.body(), n, bin.body().length - n).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor expected : outputs) {
            for (int i = 0; i < expected.elementCount(); i++) {
                assertThat((double) data.getFloat()).as(expected.name()).isCloseTo(expected.number(i), within(1e-5));
            }
        }

        // v2 gRPC, typed contents and raw contents.
        ModelInferRequest.Builder typed = ModelInferRequest.newBuilder().setModelName("two");
        ModelInferRequest.Builder raw = ModelInferRequest.newBuilder().setModelName("two");
        for (Tensor t : inputs) {
            ModelInferRequest.InferInputTensor.Builder in = ModelInferRequest.InferInputTensor.newBuilder()
                    .setName(t.name()).setDatatype("FP32");
            for (long d : t.shape()) {
                in.addShape(d);
            }
            raw.addInputs(in.clone()).addRawInputContents(ByteString.copyFrom(RawTensors.encode(t)));
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            for (float v : t.floats()) {
                c.addFp32Contents(v);
            }
            typed.addInputs(in.setContents(c));
        }
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        ModelInferResponse typedOut = stub.modelInfer(typed.build());
        ModelInferResponse rawOut = stub.modelInfer(raw.build());
        for (int k = 0; k < 2; k++) {
            Tensor expected = outputs.get(k);
            List<Float> values = typedOut.getOutputs(k).getContents().getFp32ContentsList();
            ByteBuffer rb = rawOut.getRawOutputContents(k).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < expected.elementCount(); i++) {
                assertThat((double) values.get(i)).isCloseTo(expected.number(i), within(1e-5));
                assertThat(rb.getFloat()).isEqualTo(values.get(i));
            }
        }

        // TensorFlow Serving's REST API, row format with named inputs: one object per output row.
        StringBuilder instances = new StringBuilder("{\"instances\": [");
        for (int r = 0; r < 4; r++) {
            instances.append(r == 0 ? "" : ",").append("{\"a\": [");
            for (int c = 0; c < 3; c++) {
                instances.append(c == 0 ? "" : ",").append(inputs.get(0).floats()[r * 3 + c]);
            }
            instances.append("], \"b\": [");
            for (int c = 0; c < 2; c++) {
                instances.append(c == 0 ? "" : ",").append(inputs.get(1).floats()[r * 2 + c]);
            }
            instances.append("]}");
        }
        JsonNode tf = json("/v1/models/two:predict", instances.append("]}").toString());
        for (int r = 0; r < 4; r++) {
            JsonNode row = tf.get("predictions").get(r);
            for (int c = 0; c < 2; c++) {
                assertThat(row.get("mixed").get(c).doubleValue()).isCloseTo(outputs.get(0).number(r * 2 + c), within(1e-5));
            }
        }
    }

    @Test
    void int64TokenIdsAndARingfoldModelExportedToOnnx() throws Exception {
        JsonNode fixture = OnnxFixtures.expected("embedding");
        JsonNode out = json("/v2/models/tokens/infer", "{\"inputs\": " + fixture.get("inputs") + "}");
        assertClose(out.get("outputs").get(0).get("data"), OnnxFixtures.tensors(fixture.get("outputs")).get(0));

        String rows = "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [3, 2], \"data\": [0.5, -1, 2, 3, -0.25, 0]}]}";
        JsonNode ringfold = json("/v2/models/iris/infer", rows);
        JsonNode onnx = json("/v2/models/iris-onnx/infer", rows);
        assertThat(onnx.get("outputs").get(1).get("data")).isEqualTo(ringfold.get("outputs").get(1).get("data"));
        for (int i = 0; i < 9; i++) {
            assertThat(onnx.get("outputs").get(0).get("data").get(i).doubleValue())
                    .isCloseTo(ringfold.get("outputs").get(0).get("data").get(i).doubleValue(), within(1e-5));
        }
        JsonNode tf = json("/v1/models/iris-onnx:predict", "{\"instances\": [[0.5, -1], [2, 3]]}");
        assertThat(tf.get("predictions").get(1).get("class").asText())
                .isEqualTo(ringfold.get("outputs").get(1).get("data").get(1).asText());
    }
}
