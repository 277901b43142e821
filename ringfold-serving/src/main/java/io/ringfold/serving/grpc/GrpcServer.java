package io.ringfold.serving.grpc;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.ringfold.serving.repository.ModelRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The gRPC server (HTTP/2 over cleartext, gRPC's shaded Netty transport) carrying
 * {@link InferenceGrpcService}. Its lifecycle follows the HTTP server's: {@link #stopAccepting()} refuses new
 * calls while running ones finish; {@link #close(long)} waits for them, then cuts what is left.
 */
public final class GrpcServer implements AutoCloseable {

    private final InferenceGrpcService service;
    private final Server server;

    /**
     * Binds {@code host:port} (port 0: any free port).
     *
     * @param maxMessageBytes a larger request message is refused with RESOURCE_EXHAUSTED (the HTTP body limit)
     * @param ready           whether the server takes traffic (false while starting and draining)
     */
    public GrpcServer(String host, int port, int maxMessageBytes, ModelRepository repo, BooleanSupplier ready) {
        this.service = new InferenceGrpcService(repo, ready);
        // The handlers never block (inference is queued and answered from the batcher's thread), so they
        // run on the transport threads, as the HTTP handlers do, instead of hopping to another pool.
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).directExecutor()
                .maxInboundMessageSize(maxMessageBytes).addService(service).build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("gRPC port " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** ModelInfer calls received and not yet answered. */
    public int inFlight() {
        return service.inFlight();
    }

    /** Refuses new calls (clients get GOAWAY); calls already running go on. */
    public void stopAccepting() {
        server.shutdown();
    }

    /**
     * Waits at most {@code millis} for running calls, then cancels what is left; an interrupt ends the wait
     * early and stays set on the thread.
     */
    public void close(long millis) {
        server.shutdown();
        try {
            if (!server.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
                server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(0);
    }
}
