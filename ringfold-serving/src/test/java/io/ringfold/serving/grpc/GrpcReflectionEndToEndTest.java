package io.ringfold.serving.grpc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1alpha.ServerReflectionGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionRequest;
import io.grpc.reflection.v1alpha.ServerReflectionResponse;
import io.grpc.reflection.v1alpha.ServiceResponse;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Server reflection as grpcurl uses it without {@code -proto}: list the services, fetch the file that defines
 * {@code inference.GRPCInferenceService}, and rebuild from it alone the method and message types a client
 * needs, over v1 and over the v1alpha that older clients ask.
 */
class GrpcReflectionEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    private static InferenceServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        Path repo = Files.createDirectory(dir.resolve("repo"));
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        server = InferenceServer.start(ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(0).withPollSeconds(0)
                .withGracePeriod(Duration.ofSeconds(5)));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown();
    }

    @Test
    void listsTheInferenceHealthAndReflectionServices() throws Exception {
        assertThat(new ReflectionClient(channel, WAIT).services()).contains("inference.GRPCInferenceService",
                "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");
    }

    @Test
    void theInferenceServicesFileAloneDescribesEveryMethodAndMessage() throws Exception {
        List<FileDescriptorProto> files = new ReflectionClient(channel, WAIT).fileContainingSymbol("inference.GRPCInferenceService");
        FileDescriptorProto proto = files.get(0);
        assertThat(proto.getName()).isEqualTo("grpc_predict_v2.proto");
        assertThat(proto.getPackage()).isEqualTo("inference");
        assertThat(proto.getDependencyList()).as("imports to fetch too").isEmpty();

        FileDescriptor file = FileDescriptor.buildFrom(proto, new FileDescriptor[0]);
        ServiceDescriptor service = file.findServiceByName("GRPCInferenceService");
        List<String> methods = service.getMethods().stream().map(MethodDescriptor::getName).toList();
        List<String> served = GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(io.grpc.MethodDescriptor::getBareMethodName).toList();
        assertThat(methods).containsExactlyInAnyOrderElementsOf(served)
                .contains("ModelInfer", "RepositoryModelLoad", "RepositoryModelUnload");
        MethodDescriptor infer = service.findMethodByName("ModelInfer");
        assertThat(infer.getInputType().getFullName()).isEqualTo("inference.ModelInferRequest");
        assertThat(infer.getInputType().findFieldByName("raw_input_contents").getNumber()).isEqualTo(7);
        assertThat(service.findMethodByName("RepositoryModelLoad").getOutputType().findFieldByName("isLoaded").getNumber())
                .isEqualTo(2);
    }

    @Test
    void healthIsDescribedToo() throws Exception {
        FileDescriptorProto health = new ReflectionClient(channel, WAIT).fileContainingSymbol("grpc.health.v1.Health").get(0);
        assertThat(health.getServiceList()).extracting(s -> s.getName()).containsExactly("Health");
    }

    /** Clients written before v1 existed (older grpcurl releases among them) ask v1alpha. */
    @Test
    void v1alphaListsTheSameServices() throws Exception {
        ServerReflectionResponse r = ReflectionClient.askOnce(ServerReflectionGrpc.newStub(channel)
                        .withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS)::serverReflectionInfo,
                ServerReflectionRequest.newBuilder().setListServices("").build(), WAIT);
        List<String> names = new ArrayList<>();
        for (ServiceResponse s : r.getListServicesResponse().getServiceList()) {
            names.add(s.getName());
        }
        assertThat(names).containsExactlyInAnyOrderElementsOf(new ReflectionClient(channel, WAIT).services());
    }
}
