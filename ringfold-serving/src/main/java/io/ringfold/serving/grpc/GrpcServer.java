package io.ringfold.serving.grpc;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.security.BearerToken;
import io.ringfold.serving.security.PemTls;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The gRPC server (HTTP/2, gRPC's shaded Netty transport) carrying {@link InferenceGrpcService}: over TLS
 * when given a server key (the HTTPS certificate and key), cleartext otherwise; with a bearer token, every
 * call but the health RPCs must carry it ({@link BearerAuthInterceptor}). Its lifecycle follows the HTTP server's: {@link #stopAccepting()} refuses new
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
     * @param token           the token every call but ServerLive and ServerReady must carry, or null for none
     * @param tls             the certificate chain and key to serve TLS with, or null for cleartext
     */
    public GrpcServer(String host, int port, int maxMessageBytes, ModelRepository repo, BooleanSupplier ready,
                      BearerToken token, PemTls.ServerKey tls) {
        this.service = new InferenceGrpcService(repo, ready);
        // The handlers never block (inference is queued and answered from the batcher's thread), so they
        // run on the transport threads, as the HTTP handlers do, instead of hopping to another pool.
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).directExecutor()
                .maxInboundMessageSize(maxMessageBytes)
                .addService(token == null ? MalformedRequestGuard.guard(service.bindService())
                        : ServerInterceptors.intercept(MalformedRequestGuard.guard(service.bindService()),
                                new BearerAuthInterceptor(token)));
        if (tls != null) {
            builder.sslContext(sslContext(tls));
        }
        this.server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("gRPC port " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * An HTTP/2 server context (ALPN h2, gRPC's cipher suites) for the key. The JDK provider, as for HTTPS, so
     * both ports behave alike (TLS 1.2 and 1.3) whatever native library is on the class path.
     */
    private static SslContext sslContext(PemTls.ServerKey tls) {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(tls.key(), tls.chain()), SslProvider.JDK).build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("gRPC TLS: certificate and key refused by the TLS provider ("
                    + e.getMessage() + ")", e);
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
