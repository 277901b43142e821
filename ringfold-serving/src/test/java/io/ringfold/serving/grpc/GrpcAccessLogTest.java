package io.ringfold.serving.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import io.ringfold.serving.grpc.v2.ServerLiveRequest;
import io.ringfold.serving.http.AccessLog;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.security.BearerToken;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The gRPC access log over a real channel to a real {@link GrpcServer} with a bearer token: served,
 * refused and failed calls each give one line, with the sizes the client itself sent and received.
 */
class GrpcAccessLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_INFER = "inference.GRPCInferenceService/ModelInfer";

    @TempDir
    Path dir;

    private static GRPCInferenceServiceBlockingStub stub(ManagedChannel ch, String token, String requestId) {
        Metadata md = new Metadata();
        if (token != null) {
            md.put(BearerAuthInterceptor.AUTHORIZATION, "Bearer " + token);
        }
        if (requestId != null) {
            md.put(GrpcAccessLog.REQUEST_ID, requestId);
        }
        return GRPCInferenceServiceGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static ModelInferRequest infer(String model) {
        return ModelInferRequest.newBuilder().setModelName(model).addInputs(InferInputTensor.newBuilder().setName("input")
                .setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(0))).build();
    }

    @Test
    void everyCallIsOneLineWithStatusModelVersionBytesAndPeer() throws Exception {
        Path repoDir = Files.createDirectory(dir.resolve("repo"));
        TestModels.write(repoDir, "iris", 1, TestModels.softmax(1));
        BearerToken token = BearerToken.read(Files.writeString(dir.resolve("token"), "tok\n"));
        StringWriter out = new StringWriter();
        AccessLog log = new AccessLog(64, out);
        ModelRepository repo = new ModelRepository(repoDir, BatchingConfig.defaults(), new ServingMetrics(), Blas.get());
        repo.poll();
        GrpcServer server = new GrpcServer("127.0.0.1", 0, 1 << 20, repo, () -> true, token, null, log);
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        ModelInferResponse served;
        try {
            served = stub(ch, "tok", "req-1").modelInfer(infer("iris"));
            StatusRuntimeException unknown = catchThrowableOfType(StatusRuntimeException.class,
                    () -> stub(ch, "tok", null).modelInfer(infer("nope")));
            assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
                    () -> stub(ch, null, "req-3").modelInfer(infer("iris")));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(stub(ch, null, null).serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close(5_000);
            repo.close(5_000);
            log.close(); // writes what is queued and joins the writer: the text is complete
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String l : out.toString().split("\n")) {
            lines.add(JSON.readTree(l));
        }
        assertThat(lines).hasSize(4);

        JsonNode ok = lines.get(0);
        assertThat(ok.get("protocol").asText()).isEqualTo("grpc");
        assertThat(ok.get("method").asText()).isEqualTo(MODEL_INFER);
        assertThat(ok.get("status").asText()).isEqualTo("OK");
        assertThat(ok.get("grpc_code").asInt()).isZero();
        assertThat(ok.get("model").asText()).isEqualTo("iris");
        assertThat(ok.get("version").asText()).as("the version that answered").isEqualTo("1");
        assertThat(ok.get("request_id").asText()).isEqualTo("req-1");
        assertThat(ok.get("bytes_in").asLong()).isEqualTo(infer("iris").getSerializedSize());
        assertThat(ok.get("bytes_out").asLong()).isEqualTo(served.getSerializedSize());
        assertThat(ok.get("remote").asText()).startsWith("127.0.0.1:");
        assertThat(ok.get("duration_us").asLong()).isNotNegative();
        assertThat(ok.get("time").asText()).endsWith("Z");

        JsonNode notFound = lines.get(1);
        assertThat(notFound.get("status").asText()).isEqualTo("NOT_FOUND");
        assertThat(notFound.get("grpc_code").asInt()).isEqualTo(5);
        assertThat(notFound.get("model").asText()).isEqualTo("nope");
        assertThat(notFound.get("version")).isNull();
        assertThat(notFound.get("bytes_out").asLong()).isZero();
        assertThat(notFound.get("request_id")).isNull();

        JsonNode unauthenticated = lines.get(2);
        assertThat(unauthenticated.get("method").asText()).isEqualTo(MODEL_INFER);
        assertThat(unauthenticated.get("status").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(unauthenticated.get("request_id").asText()).isEqualTo("req-3");

        JsonNode live = lines.get(3);
        assertThat(live.get("method").asText()).isEqualTo("inference.GRPCInferenceService/ServerLive");
        assertThat(live.get("status").asText()).isEqualTo("OK");
        assertThat(live.get("model")).isNull();
    }
}
