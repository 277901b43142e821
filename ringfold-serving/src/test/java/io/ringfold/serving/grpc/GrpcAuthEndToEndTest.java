package io.ringfold.serving.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.stub.MetadataUtils;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import io.ringfold.serving.grpc.v2.ModelReadyRequest;
import io.ringfold.serving.grpc.v2.ServerLiveRequest;
import io.ringfold.serving.grpc.v2.ServerMetadataRequest;
import io.ringfold.serving.grpc.v2.ServerReadyRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * gRPC with {@code --auth-token-file}, over a real cleartext channel: only the health RPCs (ServerLive, ServerReady,
 * grpc.health.v1) are open; reflection is not.
 */
class GrpcAuthEndToEndTest {

    private static final String TOKEN = "grpc-Token.42";

    @TempDir
    static Path dir;

    private static InferenceServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        Path repo = Files.createDirectory(dir.resolve("repo"));
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        server = InferenceServer.start(ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withPollSeconds(0).withGracePeriod(Duration.ofSeconds(5)).withAuthTokenFile(token));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown();
    }

    /** A stub sending {@code authorization} with each of {@code values} (none: no header). */
    private static GRPCInferenceServiceBlockingStub stub(String... values) {
        Metadata md = new Metadata();
        for (String v : values) {
            md.put(BearerAuthInterceptor.AUTHORIZATION, v);
        }
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static ModelInferRequest infer(String model) {
        return ModelInferRequest.newBuilder().setModelName(model).addInputs(InferInputTensor.newBuilder().setName("input")
                .setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(0))).build();
    }

    private static Status refused(GRPCInferenceServiceBlockingStub s, ModelInferRequest r) {
        return catchThrowableOfType(StatusRuntimeException.class, () -> s.modelInfer(r)).getStatus();
    }

    @Test
    void healthRpcsAreOpenWithoutAToken() {
        assertThat(stub().serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(stub().serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        assertThat(stub("Bearer wrong").serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
    }

    @Test
    void everyOtherRpcNeedsTheToken() {
        Status none = refused(stub(), infer("iris"));
        assertThat(none.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(none.getDescription())
                .isEqualTo("authorization: no bearer token (expected: metadata authorization: Bearer <token>)");
        assertThat(refused(stub("Basic dXNlcjpwYXNz"), infer("iris")).getDescription()).startsWith("authorization: no bearer token");

        Status wrong = refused(stub("Bearer grpc-Token.43"), infer("iris"));
        assertThat(wrong.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(wrong.getDescription()).isEqualTo("authorization: bearer token not valid (expected: the server's token)");
        // Refused before the handler runs: an unknown model is not revealed as NOT_FOUND.
        assertThat(refused(stub("Bearer grpc-Token.43"), infer("nope")).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

        Status malformed = refused(stub("Bearer a b"), infer("iris"));
        assertThat(malformed.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(malformed.getDescription()).startsWith("authorization: malformed");
        assertThat(refused(stub("Bearer " + TOKEN, "Bearer " + TOKEN), infer("iris")).getDescription())
                .startsWith("authorization: malformed");

        StatusRuntimeException meta = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub().serverMetadata(ServerMetadataRequest.getDefaultInstance()));
        assertThat(meta.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        StatusRuntimeException ready = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub().modelReady(ModelReadyRequest.newBuilder().setName("iris").build()));
        assertThat(ready.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void theRightTokenIsServed() {
        ModelInferResponse r = stub("Bearer " + TOKEN).modelInfer(infer("iris"));
        assertThat(r.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName)
                .containsExactly("probabilities", "class");
        assertThat(r.getOutputs(1).getContents().getBytesContents(0).toStringUtf8()).isEqualTo("a");
        // The scheme is case-insensitive, as over HTTP.
        assertThat(stub("bearer " + TOKEN).modelReady(ModelReadyRequest.newBuilder().setName("iris").build()).getReady()).isTrue();
        assertThat(stub("Bearer " + TOKEN).serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName())
                .isEqualTo("ringfold");
        Status unknown = refused(stub("Bearer " + TOKEN), infer("nope"));
        assertThat(unknown.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }
    /** Kubernetes' probes and load balancers' health checkers carry no token: grpc.health.v1 is open. */
    @Test
    void grpcHealthIsOpenWithoutATokenWhileInferenceIsNot() throws Exception {
        HealthCheckRequest all = HealthCheckRequest.getDefaultInstance();
        assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).check(all).getStatus())
                .isEqualTo(ServingStatus.SERVING);
        try (HealthWatch watch = new HealthWatch(channel, "inference.GRPCInferenceService")) {
            assertThat(watch.next(Duration.ofSeconds(20))).isEqualTo(ServingStatus.SERVING);
        }
        assertThat(refused(stub(), infer("iris")).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    /** Reflection describes the whole API, so it takes the token like the API does. */
    @Test
    void reflectionNeedsTheToken() throws Exception {
        ServerReflectionGrpc.ServerReflectionStub reflection = ServerReflectionGrpc.newStub(channel);
        StatusRuntimeException none = catchThrowableOfType(StatusRuntimeException.class,
                () -> new ReflectionClient(reflection, Duration.ofSeconds(20)).services());
        assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

        Metadata md = new Metadata();
        md.put(BearerAuthInterceptor.AUTHORIZATION, "Bearer " + TOKEN);
        assertThat(new ReflectionClient(reflection.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)),
                Duration.ofSeconds(20)).services()).contains("inference.GRPCInferenceService", "grpc.health.v1.Health");
    }
}
