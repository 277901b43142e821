package io.ringfold.serving.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property: whatever ModelInfer message or bytes a client sends over a real channel, the server answers
 * with a status the request explains (OK, INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED), never INTERNAL
 * or UNKNOWN, and keeps answering a valid request correctly. Bytes that are not a ModelInferRequest get
 * {@link MalformedRequestGuard}'s INVALID_ARGUMENT; whether they parse is decided here independently, with
 * protobuf's own parser. The seed is printed; {@code -Dringfold.fuzz.seed=S -Dringfold.fuzz.cases=N}
 * replays or widens a run.
 */
class GrpcInferFuzzTest {

    private static final long SEED = Long.getLong("ringfold.fuzz.seed", 20261128L);
    private static final int CASES = Integer.getInteger("ringfold.fuzz.cases", 400);
    private static final Set<Status.Code> EXPLAINED = Set.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND, Status.Code.RESOURCE_EXHAUSTED);

    /** ModelInfer with the request and response as bytes, so that any bytes can be sent. */
    private static final MethodDescriptor<byte[], byte[]> RAW_INFER = RawBytes.of(GRPCInferenceServiceGrpc.getModelInferMethod());

    @TempDir
    Path repo;

    private InferenceServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        TestModels.write(repo, "reg", 1, TestModels.linear());
        server = InferenceServer.start(ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 8, 0, 64, 1)).withMaxBodyBytes(4096)
                .withGracePeriod(Duration.ofSeconds(5)));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown();
    }

    @Test
    void mutatedMessagesGetExplainedStatuses() {
        System.out.println("GrpcInferFuzzTest (messages): seed " + SEED + ", " + CASES + " cases");
        InferRequestMutator fuzz = new InferRequestMutator(SEED);
        Map<Status.Code, Integer> seen = new EnumMap<>(Status.Code.class);
        for (int i = 0; i < CASES; i++) {
            ModelInferRequest r = fuzz.mutated();
            String what = "seed " + SEED + " case " + i + ": " + r;
            Status s = send(r.toByteArray());
            seen.merge(s.getCode(), 1, Integer::sum);
            assertThat(s.getCode()).as(what + " -> " + s).isIn(EXPLAINED);
            if (!s.isOk()) {
                assertThat(s.getDescription()).as(what).isNotBlank();
            }
            if (i % 50 == 49) {
                stillServes(what);
            }
        }
        System.out.println("GrpcInferFuzzTest (messages): " + seen);
        // The mutations must reach validation, not only the model lookup: both outcomes occur often.
        assertThat(seen.getOrDefault(Status.Code.OK, 0)).as("OK").isGreaterThan(CASES / 50);
        assertThat(seen.getOrDefault(Status.Code.INVALID_ARGUMENT, 0)).as("INVALID_ARGUMENT").isGreaterThan(CASES / 4);
        stillServes("after seed " + SEED);
    }

    @Test
    void mutatedAndRandomBytesGetExplainedStatuses() {
        long seed = SEED + 1;
        System.out.println("GrpcInferFuzzTest (bytes): seed " + seed + ", " + CASES + " cases");
        InferRequestMutator fuzz = new InferRequestMutator(seed);
        int parsed = 0;
        int unparsed = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] b = fuzz.bytes();
            String what = "seed " + seed + " case " + i + ": " + b.length + " bytes " + java.util.HexFormat.of().formatHex(b);
            Status s = send(b);
            if (parses(b)) {
                parsed++;
                assertThat(s.getCode()).as(what + " -> " + s).isIn(EXPLAINED);
            } else {
                unparsed++;
                assertThat(s.getCode()).as(what + " -> " + s).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(s.getDescription()).as(what).isEqualTo("ModelInfer request: not a valid protobuf message "
                        + "(expected: a serialized ModelInferRequest of grpc_predict_v2.proto)");
            }
            if (i % 50 == 49) {
                stillServes(what);
            }
        }
        System.out.println("GrpcInferFuzzTest (bytes): " + parsed + " parsed, " + unparsed + " not");
        assertThat(parsed).as("parsing byte strings").isGreaterThan(CASES / 10);
        assertThat(unparsed).as("non-parsing byte strings").isGreaterThan(CASES / 10);
        stillServes("after seed " + seed);
    }

    /**
     * Found by this fuzz test (seed 7, 3000 cases): rows * columns overflowed for rows near Long.MAX_VALUE
     * and came back INTERNAL; and a claimed shape was used to presize the element list, so [500000000, 2]
     * with two values allocated gigabytes. Both are the client's bad shape (the same decoder serves HTTP).
     */
    @Test
    void shapesClaimingHugeOrOverflowingRowCountsAreRefusedAsBadInput() {
        Status overflow = send(fp32Request(Long.MAX_VALUE).toByteArray());
        assertThat(overflow.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(overflow.getDescription())
                .isEqualTo("input 'input': shape [9223372036854775807,2] (expected: at most 2147483647 elements)");
        Status huge = send(fp32Request(500_000_000L).toByteArray());
        assertThat(huge.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(huge.getDescription())
                .isEqualTo("input 'input': data has 2 elements (expected: 1000000000 for shape [500000000,2])");
        stillServes("after huge shapes");
    }

    private static ModelInferRequest fp32Request(long rows) {
        return ModelInferRequest.newBuilder().setModelName("reg").addInputs(InferInputTensor.newBuilder()
                .setName("input").setDatatype("FP32").addShape(rows).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(2).addFp32Contents(2))).build();
    }

    private static boolean parses(byte[] b) {
        try {
            ModelInferRequest.parseFrom(b);
            return true;
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    /** Sends {@code bytes} as a ModelInfer request; the call's status, with a parsed response when OK. */
    private Status send(byte[] bytes) {
        try {
            byte[] response = ClientCalls.blockingUnaryCall(channel, RAW_INFER,
                    CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), bytes);
            assertThat(parsesAsResponse(response)).as("an OK answer is a ModelInferResponse").isTrue();
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    private static boolean parsesAsResponse(byte[] b) {
        try {
            ModelInferResponse.parseFrom(b);
            return true;
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    /** x = (1, 0) on iris is class a (TestModels.softmax). */
    private void stillServes(String after) {
        ModelInferRequest r = ModelInferRequest.newBuilder().setModelName("iris").addInputs(InferInputTensor.newBuilder()
                .setName("input").setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(0))).build();
        ModelInferResponse a = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .modelInfer(r);
        assertThat(a.getOutputs(1).getContents().getBytesContents(0).toStringUtf8()).as(after).isEqualTo("a");
    }
}
