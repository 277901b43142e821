package io.ringfold.serving.grpc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A server reflection client as grpcurl is one: {@code grpc.reflection.v1.ServerReflection/ServerReflectionInfo}
 * through gRPC's generated stub, one request per stream, each answer awaited with a deadline.
 */
final class ReflectionClient {

    private final ServerReflectionGrpc.ServerReflectionStub stub;
    private final Duration deadline;

    ReflectionClient(ServerReflectionGrpc.ServerReflectionStub stub, Duration deadline) {
        this.stub = stub;
        this.deadline = deadline;
    }

    ReflectionClient(Channel channel, Duration deadline) {
        this(ServerReflectionGrpc.newStub(channel), deadline);
    }

    /** The full names of the services the server lists. */
    List<String> services() throws Exception {
        ServerReflectionResponse r = ask(ServerReflectionRequest.newBuilder().setListServices("").build());
        List<String> names = new ArrayList<>();
        for (ServiceResponse s : r.getListServicesResponse().getServiceList()) {
            names.add(s.getName());
        }
        return names;
    }

    /** The file that defines {@code symbol}, then the files it imports, as the server sends them. */
    List<FileDescriptorProto> fileContainingSymbol(String symbol) throws Exception {
        ServerReflectionResponse r = ask(ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol).build());
        if (r.hasErrorResponse()) {
            throw new AssertionError("reflection: " + symbol + ": error " + r.getErrorResponse());
        }
        List<FileDescriptorProto> files = new ArrayList<>();
        for (var bytes : r.getFileDescriptorResponse().getFileDescriptorProtoList()) {
            try {
                files.add(FileDescriptorProto.parseFrom(bytes));
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("reflection: " + symbol + ": not a FileDescriptorProto", e);
            }
        }
        return files;
    }

    /** One request on a stream of its own; a failed call throws its {@link StatusRuntimeException}. */
    ServerReflectionResponse ask(ServerReflectionRequest request) throws Exception {
        return askOnce(stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)::serverReflectionInfo,
                request, deadline);
    }

    /**
     * Opens a bidirectional stream with {@code open}, sends {@code request} and half-closes, and returns the
     * first answer within {@code deadline} (v1 and v1alpha have the same shape in different classes).
     */
    static <Q, R> R askOnce(Function<StreamObserver<R>, StreamObserver<Q>> open, Q request, Duration deadline)
            throws Exception {
        CompletableFuture<R> answer = new CompletableFuture<>();
        StreamObserver<Q> requests = open.apply(new StreamObserver<>() {
            @Override
            public void onNext(R r) {
                answer.complete(r);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                answer.completeExceptionally(new AssertionError("reflection: stream ended without an answer"));
            }
        });
        requests.onNext(request);
        requests.onCompleted();
        try {
            return answer.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        }
    }
}
