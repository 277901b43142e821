package io.ringfold.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringfold.model.Model;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import io.ringfold.serving.grpc.v2.ModelMetadataRequest;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An image model over real sockets: its signature carries the example's shape ({@code [-1, 1, 4, 4]}), and an
 * image sent in that shape, as a flat row ({@code [-1, 16]}), as a nested TF Serving instance or over gRPC gets
 * the probabilities {@code Model.predictRaw} gives, to the bit, batched with other images.
 */
class ImageModelEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path repo;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;
    private ManagedChannel channel;
    private Model model;

    @BeforeEach
    void start() throws Exception {
        model = TestModels.cnn();
        TestModels.write(repo, "cnn", 1, model);
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

    private JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private int status(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static float[][] images() {
        float[][] x = new float[3][16];
        for (int r = 0; r < 3; r++) {
            for (int i = 0; i < 16; i++) {
                x[r][i] = ((r * 7 + i * 5) % 11) / 4f;
            }
        }
        return x;
    }

    private static String flat(float[][] x) {
        StringBuilder b = new StringBuilder();
        for (float[] row : x) {
            for (float v : row) {
                b.append(b.length() == 0 ? "" : ",").append(v);
            }
        }
        return b.toString();
    }

    /** One image as nested lists, [1][4][4]. */
    private static String nested(float[] image) {
        StringBuilder b = new StringBuilder("[[");
        for (int h = 0; h < 4; h++) {
            b.append(h == 0 ? "[" : ",[");
            for (int w = 0; w < 4; w++) {
                b.append(w == 0 ? "" : ",").append(image[h * 4 + w]);
            }
            b.append(']');
        }
        return b.append("]]").toString();
    }

    @Test
    void theSignatureHasTheImageShapeAndEveryFormGetsTheModelsBits() throws Exception {
        HttpResponse<String> meta = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v2/models/cnn")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(meta.body()).get("inputs").toString())
                .isEqualTo("[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,1,4,4]}]");
        assertThat(GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .modelMetadata(ModelMetadataRequest.newBuilder().setName("cnn").build()).getInputs(0).getShapeList())
                .containsExactly(-1L, 1L, 4L, 4L);

        float[][] x = images();
        FloatMatrix expected = model.predictRaw(Blas.get(), x);
        JsonNode shaped = post("/v2/models/cnn/infer", "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\","
                + " \"shape\": [3, 1, 4, 4], \"data\": [" + flat(x) + "]}]}");
        JsonNode flatRows = post("/v2/models/cnn/infer", "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\","
                + " \"shape\": [3, 16], \"data\": [" + flat(x) + "]}]}");
        for (JsonNode answer : new JsonNode[] {shaped, flatRows}) {
            JsonNode probs = answer.get("outputs").get(0).get("data");
            for (int i = 0; i < 9; i++) {
                assertThat(probs.get(i).floatValue()).isEqualTo(expected.data()[i]);
            }
        }
        // Instances share one form within a request (as TensorFlow Serving requires): nested, or flat rows.
        JsonNode tfNested = post("/v1/models/cnn:predict", "{\"instances\": [" + nested(x[0]) + ", " + nested(x[1])
                + ", " + nested(x[2]) + "]}");
        JsonNode tfFlat = post("/v1/models/cnn:predict", "{\"instances\": [[" + flat(new float[][] {x[0]}) + "], ["
                + flat(new float[][] {x[1]}) + "], [" + flat(new float[][] {x[2]}) + "]]}");
        for (JsonNode tf : new JsonNode[] {tfNested, tfFlat}) {
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(tf.get("predictions").get(r).get("probabilities").get(c).floatValue()).as("row %d", r)
                            .isEqualTo(expected.get(r, c));
                }
            }
        }
        assertThat(status("/v1/models/cnn:predict", "{\"instances\": [" + nested(x[0]) + ", [" + flat(new float[][] {x[1]})
                + "]]}")).isEqualTo(400);
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float[] row : x) {
            for (float v : row) {
                contents.addFp32Contents(v);
            }
        }
        ModelInferResponse grpc = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("cnn").addInputs(
                        ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32")
                                .addShape(3).addShape(1).addShape(4).addShape(4).setContents(contents)).build());
        assertThat(grpc.getOutputs(0).getContents().getFp32ContentsList()).hasSize(9);
        for (int i = 0; i < 9; i++) {
            assertThat(grpc.getOutputs(0).getContents().getFp32Contents(i)).isEqualTo(expected.data()[i]);
        }
    }

    @Test
    void aWrongShapeIsA400NamingBoth() throws Exception {
        String wrong = "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 1, 2, 8],"
                + " \"data\": [" + flat(new float[][] {images()[0]}) + "]}]}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v2/models/cnn/infer")).POST(HttpRequest.BodyPublishers.ofString(wrong)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("input 'input': shape [1, 1, 2, 8] (expected:"
                + " [rows, 16] or [rows, 1, 4, 4], the model's 16 input values)");
        assertThat(status("/v1/models/cnn:predict", "{\"instances\": [[[[1, 2, 3, 4]]]]}")).isEqualTo(400);
    }
}
