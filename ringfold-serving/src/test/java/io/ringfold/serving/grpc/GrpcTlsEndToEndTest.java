package io.ringfold.serving.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestCertificates;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.grpc.v2.ServerLiveRequest;
import io.ringfold.serving.grpc.v2.ServerReadyRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * gRPC with {@code --tls-cert/--tls-key} (the HTTPS files) and a token, over real channels: one trusting
 * the test certificate, one speaking cleartext, one trusting nothing but the JDK's default roots.
 */
class GrpcTlsEndToEndTest {

    private static final String TOKEN = "tls-Token.7";

    @TempDir
    static Path dir;

    private static InferenceServer server;
    private static TestCertificates.Pem pem;

    @BeforeAll
    static void start() throws Exception {
        Path repo = Files.createDirectory(dir.resolve("repo"));
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        pem = TestCertificates.selfSigned(dir, "server", "RSA");
        Path token = Files.writeString(dir.resolve("token"), TOKEN);
        server = InferenceServer.start(ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withPollSeconds(0).withGracePeriod(Duration.ofSeconds(5)).withAuthTokenFile(token)
                .withTls(pem.cert(), pem.key()));
    }

    @AfterAll
    static void stop() throws Exception {
        server.shutdown();
    }

    private static ManagedChannel trusting() throws Exception {
        // The certificate names 127.0.0.1 as an IP subject alternative name, so the host name check passes.
        return NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                .sslContext(GrpcSslContexts.forClient().trustManager((X509Certificate) pem.certificate()).build()).build();
    }

    private static GRPCInferenceServiceBlockingStub stub(ManagedChannel channel, String token) {
        Metadata md = new Metadata();
        if (token != null) {
            md.put(BearerAuthInterceptor.AUTHORIZATION, "Bearer " + token);
        }
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static ModelInferRequest row() {
        return ModelInferRequest.newBuilder().setModelName("iris").addInputs(InferInputTensor.newBuilder().setName("input")
                .setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(0).addFp32Contents(2))).build();
    }

    private static void close(ManagedChannel c) throws InterruptedException {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aClientTrustingTheCertificateIsServedAndStillNeedsTheToken() throws Exception {
        ManagedChannel c = trusting();
        try {
            assertThat(stub(c, null).serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
            assertThat(stub(c, TOKEN).modelInfer(row()).getOutputs(1).getContents().getBytesContents(0).toStringUtf8())
                    .isEqualTo("b");
            StatusRuntimeException none = catchThrowableOfType(StatusRuntimeException.class, () -> stub(c, null).modelInfer(row()));
            assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        } finally {
            close(c);
        }
    }

    @Test
    void cleartextAndUntrustingClientsFailTheirCallsAndTheServerKeepsServing() throws Exception {
        ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try {
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> stub(plain, null).serverLive(ServerLiveRequest.getDefaultInstance()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        } finally {
            close(plain);
        }
        // TLS with the JDK's default trust roots, which do not include the self-signed test certificate.
        ManagedChannel untrusting = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                .sslContext(GrpcSslContexts.forClient().build()).build();
        try {
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> stub(untrusting, null).serverLive(ServerLiveRequest.getDefaultInstance()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        } finally {
            close(untrusting);
        }

        ManagedChannel c = trusting();
        try {
            assertThat(stub(c, null).serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
            assertThat(stub(c, TOKEN).modelInfer(row()).getOutputsCount()).isEqualTo(2);
        } finally {
            close(c);
        }
    }
}
