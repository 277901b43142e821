package io.ringfold.serving.load;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.ModelInferRequest;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop gRPC ModelInfer load, every call counted: each client thread has its own channel and makes one
 * call at a time. A call that fails is a failure, except UNAVAILABLE caused by a refused connection, which
 * ends that client: the server no longer accepts, and the call was never sent.
 */
public final class GrpcLoad extends ClosedLoop {

    private final ManagedChannel[] channels;
    private final ModelInferRequest request;
    private final Duration deadline;

    public GrpcLoad(String host, int port, ModelInferRequest request, int clients, Duration deadline) {
        super(clients);
        this.request = request;
        this.deadline = deadline;
        channels = new ManagedChannel[clients];
        for (int i = 0; i < clients; i++) {
            channels[i] = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
        }
        start("grpc-load");
    }

    @Override
    void run(int client) {
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(channels[client]);
        while (!stop) {
            try {
                stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).modelInfer(request);
                ok.incrementAndGet();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.UNAVAILABLE && refused(e)) {
                    refusedClients.incrementAndGet();
                    return;
                }
                failures.add(e.getStatus().toString());
            }
        }
    }

    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        super.close();
        for (ManagedChannel ch : channels) {
            ch.shutdownNow();
        }
    }
}
