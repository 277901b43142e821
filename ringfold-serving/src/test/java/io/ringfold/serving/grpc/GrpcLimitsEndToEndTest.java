package io.ringfold.serving.grpc;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringfold.serving.GatedBlas;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.connection.ConnectionLimits;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import io.ringfold.serving.grpc.v2.ServerLiveRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What one client can hold of the gRPC port: calls in progress per connection, connections per port, and a
 * connection that never speaks. Before these limits a client could run any number of calls on one
 * connection, open any number of connections, and hold a silent socket forever.
 */
class GrpcLimitsEndToEndTest {

    @TempDir
    Path repo;

    private final GatedBlas gate = new GatedBlas();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private InferenceServer server;

    private void start(ConnectionLimits limits) throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        server = InferenceServer.start(ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 1, 0, 64, 1)).withDrainPeriod(Duration.ZERO)
                .withGracePeriod(Duration.ofSeconds(5)).withLimits(limits), gate);
    }

    private ManagedChannel channel() {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        channels.add(c);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        gate.open();
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    private static ModelInferRequest row() {
        return ModelInferRequest.newBuilder().setModelName("iris").addInputs(InferInputTensor.newBuilder()
                .setName("input").setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(0))).build();
    }

    @Test
    void callsBeyondTheLimitOfAConnectionWaitInTheClient() throws Exception {
        start(ConnectionLimits.defaults().withMaxConcurrentCalls(2));
        var stub = GRPCInferenceServiceGrpc.newFutureStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
        gate.close();
        List<ListenableFuture<ModelInferResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(stub.modelInfer(row()));
        }
        gate.awaitWaiting(1);
        Thread.sleep(500);
        // One computing at the gate, at most one queued: the other four never reached the server.
        assertThat(server.repository().resolve("iris", null, null).queued()).isLessThanOrEqualTo(1);
        gate.open();
        for (ListenableFuture<ModelInferResponse> c : calls) {
            assertThat(c.get(30, TimeUnit.SECONDS).getOutputsCount()).isEqualTo(2);
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws Exception {
        start(ConnectionLimits.defaults().withMaxConnections(2));
        for (int i = 0; i < 2; i++) {
            assertThat(GRPCInferenceServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        }
        StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
                () -> GRPCInferenceServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .serverLive(ServerLiveRequest.getDefaultInstance()));
        assertThat(refused).as("third connection's call").isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(server.metrics().grpcConnections().refused()).isGreaterThanOrEqualTo(1);
        assertThat(server.metrics().grpcConnections().open()).isEqualTo(2);
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        start(ConnectionLimits.defaults().withIdleTimeout(Duration.ofSeconds(1)));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.grpcPort()), 5000);
            s.setSoTimeout(30_000);
            long t0 = System.nanoTime();
            while (s.getInputStream().read() >= 0) {
                // The server's SETTINGS and GOAWAY frames, then the end.
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            // gRPC closes an idle connection gracefully: GOAWAY and a PING, then, with no PING ack from a client
            // that never spoke HTTP/2, the close 10 s later.
            System.out.println("silent gRPC connection closed after " + seconds + " s");
            assertThat(seconds).as("closed after (s)").isBetween(0.5, 15.0);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.metrics().grpcConnections().open() > 0) {
            assertThat(System.nanoTime()).as("connection count back to 0 within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
