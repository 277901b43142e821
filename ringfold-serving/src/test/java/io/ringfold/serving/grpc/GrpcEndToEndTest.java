package io.ringfold.serving.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringfold.serving.GatedBlas;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.ringfold.serving.grpc.v2.InferParameter;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferRequestedOutputTensor;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import io.ringfold.serving.grpc.v2.ModelMetadataRequest;
import io.ringfold.serving.grpc.v2.ModelMetadataResponse;
import io.ringfold.serving.grpc.v2.ModelReadyRequest;
import io.ringfold.serving.grpc.v2.ServerLiveRequest;
import io.ringfold.serving.grpc.v2.ServerMetadataRequest;
import io.ringfold.serving.grpc.v2.ServerMetadataResponse;
import io.ringfold.serving.grpc.v2.ServerReadyRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The whole server over real sockets with a real gRPC client (a {@link ManagedChannel} to localhost), beside
 * the HTTP client to check that both protocols answer the same rows with the same bits and messages.
 * Models: {@link TestModels#softmax} as "iris" (x = (1, 0) gives class a, (0, 2) class b) and
 * {@link TestModels#linear} as "reg" (y = 2 x0 - x1 + 0.5, exact in float for the rows used here).
 */
class GrpcEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rows exact in float, so their decimal text is the same in JSON and in a float. */
    private static final float[][] ROWS = {{1, 0}, {0, 2}, {0.25f, -1.5f}};

    @TempDir
    Path repo;

    /** Long enough for a few calls on a loaded machine; the drain test takes this long. */
    private static final Duration DRAIN = Duration.ofSeconds(4);

    private final GatedBlas gate = new GatedBlas();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;
    private ManagedChannel channel;
    private GRPCInferenceServiceBlockingStub stub;

    @BeforeEach
    void start() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        TestModels.write(repo, "reg", 1, TestModels.linear());
        ServerConfig config = ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 1, 0, 1, 1)).withMaxBodyBytes(64 << 10)
                .withGracePeriod(Duration.ofSeconds(10));
        server = InferenceServer.start(config, gate);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        gate.open();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown();
    }

    private GRPCInferenceServiceBlockingStub call() {
        return stub.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static InferInputTensor.Builder input(String datatype, long... shape) {
        InferInputTensor.Builder t = InferInputTensor.newBuilder().setName("input").setDatatype(datatype);
        for (long d : shape) {
            t.addShape(d);
        }
        return t;
    }

    private static InferInputTensor.Builder fp32(float[][] rows) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (float[] r : rows) {
            for (float v : r) {
                c.addFp32Contents(v);
            }
        }
        return input("FP32", rows.length, rows[0].length).setContents(c);
    }

    private static ByteString rawFp32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return ByteString.copyFrom(b.array());
    }

    private static float[] floats(ByteString raw) {
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[raw.size() / 4];
        for (int i = 0; i < f.length; i++) {
            f[i] = b.getFloat();
        }
        return f;
    }

    private static ModelInferRequest.Builder infer(String model, InferInputTensor.Builder in) {
        return ModelInferRequest.newBuilder().setModelName(model).addInputs(in);
    }

    private HttpResponse<String> httpInfer(String model, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/models/" + model + "/infer"))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static String httpBody(float[][] rows) throws Exception {
        return "{\"inputs\": [{\"name\": \"input\", \"shape\": [" + rows.length + ", " + rows[0].length
                + "], \"datatype\": \"FP32\", \"data\": " + JSON.writeValueAsString(rows) + "}]}";
    }

    private StatusRuntimeException refused(ModelInferRequest.Builder r) {
        return catchThrowableOfType(StatusRuntimeException.class, () -> call().modelInfer(r.build()));
    }

    @Test
    void healthAndMetadataRpcs() {
        assertThat(call().serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(call().serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        ServerMetadataResponse meta = call().serverMetadata(ServerMetadataRequest.getDefaultInstance());
        assertThat(meta.getName()).isEqualTo("ringfold");
        assertThat(meta.getVersion()).isNotEmpty();
        // HTTP's list (GrpcRepositoryEndToEndTest compares the two).
        assertThat(meta.getExtensionsList()).contains("model_repository");
        assertThat(call().modelReady(ModelReadyRequest.newBuilder().setName("iris").build()).getReady()).isTrue();
        assertThat(call().modelReady(ModelReadyRequest.newBuilder().setName("iris").setVersion("1").build()).getReady()).isTrue();
        assertThat(call().modelReady(ModelReadyRequest.newBuilder().setName("iris").setVersion("7").build()).getReady()).isFalse();
        StatusRuntimeException unknown = catchThrowableOfType(StatusRuntimeException.class,
                () -> call().modelReady(ModelReadyRequest.newBuilder().setName("nope").build()));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);

        ModelMetadataResponse m = call().modelMetadata(ModelMetadataRequest.newBuilder().setName("iris").build());
        assertThat(m.getName()).isEqualTo("iris");
        assertThat(m.getVersionsList()).containsExactly("1");
        assertThat(m.getPlatform()).isEqualTo("ringfold");
        assertThat(m.getInputsList()).singleElement().satisfies(t -> {
            assertThat(t.getName()).isEqualTo("input");
            assertThat(t.getDatatype()).isEqualTo("FP32");
            assertThat(t.getShapeList()).containsExactly(-1L, 2L);
        });
        assertThat(m.getOutputsList()).extracting(o -> o.getName() + " " + o.getDatatype() + " " + o.getShapeList())
                .containsExactly("probabilities FP32 [-1, 3]", "class BYTES [-1]");
        StatusRuntimeException noVersion = catchThrowableOfType(StatusRuntimeException.class,
                () -> call().modelMetadata(ModelMetadataRequest.newBuilder().setName("iris").setVersion("2").build()));
        assertThat(noVersion.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(noVersion.getStatus().getDescription()).isEqualTo("model 'iris': version 2 not serving (serving: [1])");
    }

    @Test
    void typedInferAnswersAsTheHttpEndpointWithIdAndParametersEchoed() throws Exception {
        InferParameter p = InferParameter.newBuilder().setStringParam("x").build();
        ModelInferResponse r = call().modelInfer(infer("iris", fp32(ROWS)).setId("42").putParameters("tag", p).build());
        assertThat(r.getModelName()).isEqualTo("iris");
        assertThat(r.getModelVersion()).isEqualTo("1");
        assertThat(r.getId()).isEqualTo("42");
        assertThat(r.getParametersMap()).containsEntry("tag", p);
        assertThat(r.getRawOutputContentsList()).isEmpty();
        JsonNode h = JSON.readTree(httpInfer("iris", httpBody(ROWS)).body());
        assertThat(r.getOutputsCount()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            ModelInferResponse.InferOutputTensor t = r.getOutputs(i);
            JsonNode ht = h.get("outputs").get(i);
            assertThat(t.getName()).isEqualTo(ht.get("name").asText());
            assertThat(t.getDatatype()).isEqualTo(ht.get("datatype").asText());
            assertThat(t.getShapeList().toString()).isEqualTo(ht.get("shape").toString().replace(",", ", "));
        }
        List<Float> httpProbabilities = new ArrayList<>();
        h.at("/outputs/0/data").forEach(v -> httpProbabilities.add(v.floatValue()));
        assertThat(r.getOutputs(0).getContents().getFp32ContentsList()).isEqualTo(httpProbabilities);
        assertThat(r.getOutputs(1).getContents().getBytesContentsList()).extracting(ByteString::toStringUtf8)
                .containsExactly("a", "b", "a");

        ModelInferResponse reg = call().modelInfer(infer("reg", fp32(ROWS))
                .addOutputs(InferRequestedOutputTensor.newBuilder().setName("value")).build());
        // y = 2 x0 - x1 + 0.5, exact in float.
        assertThat(reg.getOutputs(0).getContents().getFp32ContentsList()).containsExactly(2.5f, -1.5f, 2.5f);
        List<Float> httpValues = new ArrayList<>();
        JSON.readTree(httpInfer("reg", httpBody(ROWS)).body()).at("/outputs/0/data").forEach(v -> httpValues.add(v.floatValue()));
        assertThat(reg.getOutputs(0).getContents().getFp32ContentsList()).isEqualTo(httpValues);
    }

    @Test
    void rawInputGivesRawOutputWithTheSameValuesAsTypedInput() {
        ModelInferRequest.Builder raw = infer("iris", input("FP32", 3, 2))
                .addRawInputContents(rawFp32(1, 0, 0, 2, 0.25f, -1.5f))
                .addOutputs(InferRequestedOutputTensor.newBuilder().setName("class"))
                .addOutputs(InferRequestedOutputTensor.newBuilder().setName("probabilities"));
        ModelInferResponse r = call().modelInfer(raw.build());
        assertThat(r.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName).containsExactly("class", "probabilities");
        assertThat(r.getOutputsList()).allSatisfy(t -> assertThat(t.hasContents()).isFalse());
        ByteBuffer classes = r.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        List<String> names = new ArrayList<>();
        while (classes.hasRemaining()) {
            byte[] s = new byte[classes.getInt()];
            classes.get(s);
            names.add(new String(s, java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(names).containsExactly("a", "b", "a");
        ModelInferResponse typed = call().modelInfer(infer("iris", fp32(ROWS)).build());
        float[] rawProbabilities = floats(r.getRawOutputContents(1));
        assertThat(rawProbabilities).hasSize(9);
        for (int i = 0; i < 9; i++) {
            assertThat(rawProbabilities[i]).isEqualTo(typed.getOutputs(0).getContents().getFp32Contents(i));
        }
        ModelInferResponse reg = call().modelInfer(infer("reg", input("FP32", 1, 2)).addRawInputContents(rawFp32(1, 0)).build());
        assertThat(floats(reg.getRawOutputContents(0))).containsExactly(2.5f);
    }

    @Test
    void otherNumericContentsAreAccepted() {
        ModelInferResponse ints = call().modelInfer(infer("reg", input("INT32", 2, 2)
                .setContents(InferTensorContents.newBuilder().addIntContents(1).addIntContents(0).addIntContents(0).addIntContents(2))).build());
        assertThat(ints.getOutputs(0).getContents().getFp32ContentsList()).containsExactly(2.5f, -1.5f);
        ModelInferResponse doubles = call().modelInfer(infer("reg", input("FP64", 2)
                .setContents(InferTensorContents.newBuilder().addFp64Contents(0.25).addFp64Contents(-1.5))).build());
        assertThat(doubles.getOutputs(0).getContents().getFp32ContentsList()).containsExactly(2.5f);
    }

    @Test
    void badRequestsGetTheGrpcStatusAndTheHttpMessage() throws Exception {
        assertRefused(infer("nope", fp32(ROWS)), Status.Code.NOT_FOUND, null);
        assertRefused(infer("iris", fp32(ROWS)).setModelVersion("x1"), Status.Code.NOT_FOUND,
                "version 'x1': not found (expected: a decimal version number)");
        assertRefused(infer("iris", fp32(ROWS)).setModelVersion("9"), Status.Code.NOT_FOUND,
                "model 'iris': version 9 not serving (serving: [1])");
        assertRefused(infer("../x", fp32(ROWS)), Status.Code.NOT_FOUND, null);
        // Same tensor over both protocols, same message.
        String[][] cases = {
            {"{\"name\": \"input\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}"},
            {"{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}"},
            {"{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}"},
            {"{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"BOOL\", \"data\": [true, false]}"},
            {"{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"INT8\", \"data\": [300, 0]}"},
            {"{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"UINT8\", \"data\": [256, 0]}"},
        };
        List<InferInputTensor.Builder> grpc = List.of(
                input("FP32", 2, 2).setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2).addFp32Contents(3)),
                input("FP32", 1, 2).setName("x").setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2)),
                input("FP32", 1, 3).setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2).addFp32Contents(3)),
                input("BOOL", 1, 2).setContents(InferTensorContents.newBuilder().addBoolContents(true).addBoolContents(false)),
                input("INT8", 1, 2).setContents(InferTensorContents.newBuilder().addIntContents(300).addIntContents(0)),
                input("UINT8", 1, 2).setContents(InferTensorContents.newBuilder().addUintContents(256).addUintContents(0)));
        for (int i = 0; i < cases.length; i++) {
            HttpResponse<String> h = httpInfer("iris", "{\"inputs\": [" + cases[i][0] + "]}");
            assertThat(h.statusCode()).isEqualTo(400);
            assertRefused(infer("iris", grpc.get(i)), Status.Code.INVALID_ARGUMENT, JSON.readTree(h.body()).get("error").asText());
        }
        assertRefused(infer("iris", input("FP32", 1, 2).setContents(InferTensorContents.newBuilder().addFp32Contents(Float.NaN)
                .addFp32Contents(0))), Status.Code.INVALID_ARGUMENT,
                "input 'input': row 0, column 'x0': NaN (expected: a finite number within float range)");
        assertRefused(infer("iris", fp32(ROWS)).addInputs(fp32(ROWS)), Status.Code.INVALID_ARGUMENT,
                "inputs[1].name: 'input' given twice (expected: each input once)");
        assertRefused(infer("iris", fp32(ROWS)).addInputs(fp32(ROWS).setName("other")), Status.Code.INVALID_ARGUMENT,
                "inputs: 2 tensors (expected: 1, 'input')");
        assertRefused(infer("iris", input("FP32", 1, 2).setContents(InferTensorContents.newBuilder().addIntContents(1).addIntContents(0))),
                Status.Code.INVALID_ARGUMENT, "input 'input': contents.int_contents set for datatype FP32 (expected: contents.fp32_contents)");
        assertRefused(infer("iris", fp32(new float[][] {{1, 0}})).addRawInputContents(rawFp32(1, 0)), Status.Code.INVALID_ARGUMENT,
                "input 'input': both contents and raw_input_contents set (expected: one of them)");
        assertRefused(infer("iris", input("FP32", 1, 2)).addRawInputContents(ByteString.copyFrom(new byte[7])),
                Status.Code.INVALID_ARGUMENT, "input 'input': 7 bytes of raw data (expected: 8, 2 elements of 4 bytes for datatype FP32)");
        assertRefused(infer("iris", input("FP32", 1, 2)).addRawInputContents(rawFp32(1)), Status.Code.INVALID_ARGUMENT,
                "input 'input': 4 bytes of raw data (expected: 8, 2 elements of 4 bytes for datatype FP32)");
        assertRefused(infer("iris", input("FP32", 1, 2)).addRawInputContents(rawFp32(1, 0)).addRawInputContents(rawFp32(1, 0)),
                Status.Code.INVALID_ARGUMENT, "raw_input_contents: 2 entries (expected: 1, one per input tensor)");
        assertRefused(infer("iris", fp32(ROWS)).addOutputs(InferRequestedOutputTensor.newBuilder().setName("value")),
                Status.Code.INVALID_ARGUMENT, "outputs[0].name: 'value' (expected: one of [probabilities, class])");
        // Larger than --max-body-bytes (64 KiB here).
        assertRefused(infer("iris", input("FP32", 1, 2)).addRawInputContents(ByteString.copyFrom(new byte[80 << 10])),
                Status.Code.RESOURCE_EXHAUSTED, null);
        // The server still answers after every refusal.
        assertThat(call().modelInfer(infer("iris", fp32(ROWS)).build()).getOutputsCount()).isEqualTo(2);
    }

    private void assertRefused(ModelInferRequest.Builder r, Status.Code code, String message) {
        StatusRuntimeException e = refused(r);
        assertThat(e).as("refusal of " + r.getInputsList()).isNotNull();
        assertThat(e.getStatus().getCode()).as(String.valueOf(e.getStatus())).isEqualTo(code);
        if (message != null) {
            assertThat(e.getStatus().getDescription()).isEqualTo(message);
        }
    }

    @Test
    void aFullQueueIsUnavailableAndTheDrainWaitsForGrpcCalls() throws Exception {
        stop();
        ServerConfig config = ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 1, 0, 1, 1)).withMaxBodyBytes(64 << 10)
                .withDrainPeriod(DRAIN).withGracePeriod(Duration.ofSeconds(10));
        server = InferenceServer.start(config, gate);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        gate.close();
        var async = GRPCInferenceServiceGrpc.newFutureStub(channel);
        var computing = async.modelInfer(infer("reg", fp32(ROWS)).build());
        gate.awaitWaiting(1);
        var queued = async.modelInfer(infer("reg", fp32(ROWS)).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.repository().resolve("reg", null, null).queued() < 1) {
            assertThat(System.nanoTime()).as("queued request within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
        assertRefused(infer("reg", fp32(ROWS)), Status.Code.UNAVAILABLE,
                "reg-1: queue full, 1 requests waiting (expected: fewer; retry later)");

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                server.shutdown();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long stoppingSince = System.nanoTime();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.state() != InferenceServer.State.DRAINING) {
            assertThat(System.nanoTime()).as("DRAINING within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
        // The drain period: answering as usual but for readiness.
        assertThat(call().serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
        assertThat(call().modelReady(ModelReadyRequest.newBuilder().setName("reg").build()).getReady()).isFalse();
        assertThat(call().serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(System.nanoTime() - stoppingSince).as("checked within the drain period").isLessThan(DRAIN.toNanos());
        assertThat(stopping).isNotDone();
        gate.open();
        assertThat(computing.get(10, TimeUnit.SECONDS).getOutputs(0).getContents().getFp32ContentsList())
                .containsExactly(2.5f, -1.5f, 2.5f);
        assertThat(queued.get(10, TimeUnit.SECONDS).getOutputsCount()).isEqualTo(1);
        stopping.get(DRAIN.toSeconds() + 10, TimeUnit.SECONDS);
        assertThat(server.state()).isEqualTo(InferenceServer.State.STOPPED);
    }
}
