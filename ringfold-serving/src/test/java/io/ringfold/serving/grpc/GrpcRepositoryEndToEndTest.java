package io.ringfold.serving.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.grpc.v2.ModelReadyRequest;
import io.ringfold.serving.grpc.v2.RepositoryModelLoadRequest;
import io.ringfold.serving.grpc.v2.RepositoryModelLoadResponse;
import io.ringfold.serving.grpc.v2.RepositoryModelUnloadRequest;
import io.ringfold.serving.grpc.v2.RepositoryModelUnloadResponse;
import io.ringfold.serving.grpc.v2.ServerMetadataRequest;
import io.ringfold.serving.grpc.v2.ServerMetadataResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * KServe's RepositoryModelLoad and RepositoryModelUnload over real sockets, against what the model then
 * serves over both protocols; and ServerMetadata's extensions against HTTP's {@code GET /v2}. Repository
 * polling is off, so only these RPCs change what is served.
 */
class GrpcRepositoryEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path repo;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        server = InferenceServer.start(ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(0).withPollSeconds(0)
                .withGracePeriod(Duration.ofSeconds(5)));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown();
    }

    private GRPCInferenceServiceBlockingStub call() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private RepositoryModelLoadResponse load(String model) {
        return call().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName(model).build());
    }

    private RepositoryModelUnloadResponse unload(String model) {
        return call().repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName(model).build());
    }

    private boolean ready(String model) {
        return call().modelReady(ModelReadyRequest.newBuilder().setName(model).build()).getReady();
    }

    /** The class iris answers for x = (1, 0): "a". */
    private String classOf(String model) {
        ModelInferRequest r = ModelInferRequest.newBuilder().setModelName(model).addInputs(InferInputTensor.newBuilder()
                .setName("input").setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(0))).build();
        return call().modelInfer(r).getOutputs(1).getContents().getBytesContents(0).toStringUtf8();
    }

    private static Status failure(Executable rpc) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, rpc::execute);
        assertThat(e).as("the call fails").isNotNull();
        return e.getStatus();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unloadThenLoadTakesTheModelOutOfServiceAndBack() throws Exception {
        assertThat(classOf("iris")).isEqualTo("a");

        RepositoryModelUnloadResponse unloaded = unload("iris");
        assertThat(unloaded.getModelName()).isEqualTo("iris");
        assertThat(unloaded.getIsUnloaded()).isTrue();
        assertThat(ready("iris")).isFalse();
        assertThat(get("/v2/models/iris/ready").statusCode()).as("HTTP sees the unload").isEqualTo(503);
        Status notServing = failure(() -> classOf("iris"));
        assertThat(notServing.getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(notServing.getDescription()).isEqualTo("model 'iris': no version serving");

        RepositoryModelLoadResponse loaded = load("iris");
        assertThat(loaded.getModelName()).isEqualTo("iris");
        assertThat(loaded.getIsLoaded()).isTrue();
        assertThat(ready("iris")).isTrue();
        assertThat(get("/v2/models/iris/ready").statusCode()).isEqualTo(200);
        assertThat(classOf("iris")).isEqualTo("a");
    }

    @Test
    void loadServesAModelCopiedInAfterStart() throws Exception {
        TestModels.write(repo, "late", 3, TestModels.softmax(1));
        assertThat(failure(() -> ready("late")).getCode()).as("not polled").isEqualTo(Status.Code.NOT_FOUND);
        assertThat(load("late").getIsLoaded()).isTrue();
        assertThat(ready("late")).isTrue();
        assertThat(classOf("late")).isEqualTo("a");
    }

    @Test
    void namesThatAreNoModelAreNotFound() {
        for (String name : List.of("nope", "", "../iris", "iris/1", "a\nb")) {
            Status l = failure(() -> load(name));
            assertThat(l.getCode()).as("load '%s'", name).isEqualTo(Status.Code.NOT_FOUND);
            Status u = failure(() -> unload(name));
            assertThat(u.getCode()).as("unload '%s'", name).isEqualTo(Status.Code.NOT_FOUND);
        }
        assertThat(failure(() -> load("nope")).getDescription())
                .isEqualTo("model 'nope': no directory " + repo.resolve("nope"));
        assertThat(failure(() -> unload("nope")).getDescription()).isEqualTo("model 'nope': not in the repository");
        assertThat(ready("iris")).as("the served model is untouched").isTrue();
    }

    /**
     * Triton's RepositoryModelLoadRequest has the same RPC name but puts model_name in field 2 (field 1 is
     * repository_name): its bytes reach KServe's message with an empty model_name, refused, never read as
     * another model.
     */
    @Test
    void aTritonClientsLoadRequestIsRefusedNotMisread() {
        byte[] triton = {0x12, 4, 'i', 'r', 'i', 's'}; // field 2 (model_name), length-delimited, "iris"
        Status s = failure(() -> ClientCalls.blockingUnaryCall(channel,
                RawBytes.of(GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod()),
                CallOptions.DEFAULT.withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS), triton));
        assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(s.getDescription()).isEqualTo("model name empty: not found (expected: letters, digits, '_', '-' or '.',"
                + " no '..')");
        assertThat(ready("iris")).isTrue();
    }

    /** A model whose files do not load is the operator's to fix: INVALID_ARGUMENT with the reason, as over HTTP. */
    @Test
    void aLoadThatFailsIsInvalidArgumentNamingTheReason() throws Exception {
        Path file = TestModels.write(repo, "broken", 1, TestModels.softmax(1));
        Files.write(file, new byte[] {1, 2, 3});
        Status s = failure(() -> load("broken"));
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).startsWith("model 'broken': no version loaded (").contains(file.toString());

        HttpResponse<String> overHttp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v2/repository/models/broken/load")).POST(HttpRequest.BodyPublishers.noBody()).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(overHttp.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(overHttp.body()).get("error").asText()).isEqualTo(s.getDescription());
    }

    @Test
    void serverMetadataListsTheExtensionsHttpLists() throws Exception {
        ServerMetadataResponse grpc = call().serverMetadata(ServerMetadataRequest.getDefaultInstance());
        JsonNode overHttp = JSON.readTree(get("/v2").body());
        List<String> httpExtensions = new ArrayList<>();
        overHttp.get("extensions").forEach(e -> httpExtensions.add(e.asText()));
        assertThat(grpc.getExtensionsList()).isEqualTo(httpExtensions).contains("model_repository");
        assertThat(grpc.getName()).isEqualTo(overHttp.get("name").asText());
        assertThat(grpc.getVersion()).isEqualTo(overHttp.get("version").asText());
    }
}
