package io.ringfold.serving.grpc;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.ServerReadyRequest;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code grpc.health.v1.Health} over real sockets with gRPC's own generated client: Check and Watch follow the
 * readiness that HTTP's {@code /v2/health/ready} and the v2 ServerReady report (NOT_SERVING while starting and
 * draining), "liveness" stays SERVING through the drain, and names that are not services are NOT_FOUND.
 */
class GrpcHealthEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Long enough to make the calls below while the server drains, on a loaded machine. */
    private static final Duration DRAIN = Duration.ofSeconds(3);
    /** Far longer than the drain: a shutdown that waited for open Watch streams would take this long. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    @TempDir
    Path repo;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdown();
        }
    }

    private InferenceServer start(Duration drain) throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        server = InferenceServer.start(ServerConfig.defaults(repo).withDrainPeriod(drain)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(0).withPollSeconds(0)
                .withGracePeriod(GRACE));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        return server;
    }

    private ServingStatus check(String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    private int httpReady() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/health/ready"))
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private boolean grpcReady() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .serverReady(ServerReadyRequest.getDefaultInstance()).getReady();
    }

    @Test
    void aReadyServerIsServingAsAWholeForItsServiceAndForLiveness() throws Exception {
        start(Duration.ZERO);
        assertThat(check("")).isEqualTo(ServingStatus.SERVING);
        assertThat(check("inference.GRPCInferenceService")).isEqualTo(ServingStatus.SERVING);
        assertThat(check(GrpcHealth.LIVENESS)).isEqualTo(ServingStatus.SERVING);
        assertThat(httpReady()).isEqualTo(200);
        assertThat(grpcReady()).isTrue();
    }

    @Test
    void namesThatAreNotServicesAreNotFoundAsTheStandardSays() throws Exception {
        start(Duration.ZERO);
        // A model is not a service: the standard has no per-model entries (ModelReady answers for models).
        for (String name : new String[] {"iris", "inference.NoSuchService", "grpc.health.v1.Health"}) {
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> check(name));
            assertThat(e).as(name).isNotNull();
            assertThat(e.getStatus().getCode()).as(name).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(e.getStatus().getDescription()).as(name).isEqualTo("service '" + name + "': unknown (expected: "
                    + "one of ['liveness', '', 'inference.GRPCInferenceService', 'tensorflow.serving.PredictionService',"
                    + " 'tensorflow.serving.ModelService'])");
        }
        try (HealthWatch watch = new HealthWatch(channel, "iris")) {
            assertThat(watch.next(WAIT)).isEqualTo(ServingStatus.SERVICE_UNKNOWN);
        }
    }

    /** Health is open to any client even with a token configured: bytes that are no request get a status, not a log flood. */
    @Test
    void aMalformedCheckIsInvalidArgumentNamingTheMessage() throws Exception {
        start(Duration.ZERO);
        MethodDescriptor<byte[], byte[]> rawCheck = RawBytes.of(HealthGrpc.getCheckMethod());
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                channel, rawCheck, CallOptions.DEFAULT.withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS),
                new byte[] {(byte) 0xff}));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).isEqualTo("Check request: not a valid protobuf message (expected: a "
                + "serialized HealthCheckRequest of grpc/health/v1/health.proto)");
        assertThat(check("")).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void watchTurnsNotServingWhenTheDrainBeginsWhileLivenessStaysServing() throws Exception {
        start(DRAIN);
        try (HealthWatch all = new HealthWatch(channel, ""); HealthWatch service = new HealthWatch(channel,
                "inference.GRPCInferenceService"); HealthWatch liveness = new HealthWatch(channel, GrpcHealth.LIVENESS)) {
            assertThat(all.next(WAIT)).isEqualTo(ServingStatus.SERVING);
            assertThat(service.next(WAIT)).isEqualTo(ServingStatus.SERVING);
            assertThat(liveness.next(WAIT)).isEqualTo(ServingStatus.SERVING);

            long begun = System.nanoTime();
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server::close);
            assertThat(all.next(WAIT)).isEqualTo(ServingStatus.NOT_SERVING);
            assertThat(service.next(WAIT)).isEqualTo(ServingStatus.NOT_SERVING);
            Duration seen = Duration.ofNanos(System.nanoTime() - begun);
            // Within the drain period: the server still serves, and every readiness signal agrees.
            assertThat(server.state()).isEqualTo(InferenceServer.State.DRAINING);
            assertThat(check("")).isEqualTo(ServingStatus.NOT_SERVING);
            assertThat(check(GrpcHealth.LIVENESS)).isEqualTo(ServingStatus.SERVING);
            assertThat(grpcReady()).isFalse();
            assertThat(httpReady()).isEqualTo(503);
            assertThat(liveness.nothingMore(Duration.ofMillis(200))).as("liveness while draining").isNull();
            assertThat(seen).as("NOT_SERVING streamed before the drain period ends").isLessThan(DRAIN);

            // After the drain period the server stops accepting calls: every name NOT_SERVING, and each open
            // Watch ends, so the streams do not hold the shutdown for the grace period.
            assertThat(liveness.next(WAIT)).isEqualTo(ServingStatus.NOT_SERVING);
            for (HealthWatch w : new HealthWatch[] {all, service, liveness}) {
                Status end = w.end(WAIT);
                assertThat(end.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(end.getDescription()).isEqualTo("grpc.health.v1.Health/Watch: the server is stopping"
                        + " (expected: watch another replica)");
            }
            shutdown.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(server.state()).isEqualTo(InferenceServer.State.STOPPED);
            assertThat(Duration.ofNanos(System.nanoTime() - begun)).as("shutdown with Watch streams open")
                    .isLessThan(DRAIN.plus(GRACE).minus(WAIT));
        }
    }

    /** The port opens before the models are loaded: until the server says it is ready, health says NOT_SERVING. */
    @Test
    void aStartingServerIsNotServingUntilItsReadinessTurns() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        try (ModelRepository models = new ModelRepository(repo, BatchingConfig.defaults(), new ServingMetrics(), Blas.get())) {
            GrpcServer grpc = new GrpcServer("127.0.0.1", 0, 1 << 20, models, ready::get, null, null, null);
            try {
                channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
                try (HealthWatch watch = new HealthWatch(channel, "")) {
                    assertThat(watch.next(WAIT)).isEqualTo(ServingStatus.NOT_SERVING);
                    assertThat(check("")).isEqualTo(ServingStatus.NOT_SERVING);
                    assertThat(check(GrpcHealth.LIVENESS)).isEqualTo(ServingStatus.SERVING);

                    ready.set(true);
                    grpc.readinessChanged();
                    assertThat(watch.next(WAIT)).isEqualTo(ServingStatus.SERVING);
                    assertThat(check("")).isEqualTo(ServingStatus.SERVING);
                    assertThat(check("inference.GRPCInferenceService")).isEqualTo(ServingStatus.SERVING);

                    grpc.stopAccepting();
                    assertThat(watch.next(WAIT)).as("once the server stops accepting").isEqualTo(ServingStatus.NOT_SERVING);
                    assertThat(watch.end(WAIT).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                }
            } finally {
                grpc.close(1000);
            }
        }
    }
}
