package io.ringfold.serving.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.netty.shaded.io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.ringfold.serving.connection.ConnectionLimits;
import io.ringfold.serving.http.AccessLog;
import io.ringfold.serving.metrics.ConnectionMetrics;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.security.BearerToken;
import io.ringfold.serving.security.PemTls;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The gRPC server (HTTP/2, gRPC's shaded Netty transport) carrying {@link InferenceGrpcService}, with
 * {@code grpc.health.v1.Health} over the server's readiness ({@link GrpcHealth}) and server reflection (v1 and
 * v1alpha, so grpcurl needs no {@code .proto}): over TLS
 * when given a server key (the HTTPS certificate and key), cleartext otherwise; with a bearer token, every
 * call but the health RPCs must carry it ({@link BearerAuthInterceptor}); with an access log, every call is
 * logged ({@link GrpcAccessLog}). Each connection is bounded: at most {@code maxConcurrentCalls} calls at once
 * (HTTP/2 MAX_CONCURRENT_STREAMS; more wait in the client), messages of {@code maxMessageBytes}, metadata of
 * gRPC's 8 KiB default, closed (GOAWAY) after the idle timeout without calls, and the port holds at most
 * {@code maxConnections} of them ({@link LimitedServerChannel}). Its lifecycle follows the HTTP server's:
 * {@link #stopAccepting()} sends GOAWAY, so clients open no new calls here while running ones finish;
 * {@link #close(long)} waits for them, then cuts what is left.
 */
public final class GrpcServer implements AutoCloseable {

    /** gRPC's own default initial window (1 MiB), fixed rather than tuned. */
    static final int FLOW_CONTROL_WINDOW = 1 << 20;
    /** Client resets (RST_STREAM) allowed per connection in 10 s; a client cancelling calls at 100/s stays under. */
    static final int MAX_RESETS_PER_10_SECONDS = 1000;

    private final InferenceGrpcService service;
    private final GrpcHealth health;
    private final ExecutorService admin;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Server server;

    /**
     * Binds {@code host:port} (port 0: any free port).
     *
     * @param maxMessageBytes a larger request message is refused with RESOURCE_EXHAUSTED (the HTTP body limit)
     * @param ready           whether the server takes traffic (false while starting and draining)
     * @param token           the token every call but the health RPCs must carry, or null for none
     * @param tls             the certificate chain and key to serve TLS with, or null for cleartext
     * @param accessLog       where each call is logged (with the HTTP requests), or null for no access log
     */
    public GrpcServer(String host, int port, int maxMessageBytes, ModelRepository repo, BooleanSupplier ready,
                      BearerToken token, PemTls.ServerKey tls, AccessLog accessLog) {
        this(host, port, maxMessageBytes, repo, ready, token, tls, accessLog, ConnectionLimits.defaults(),
                new ServingMetrics().grpcConnections());
    }

    /**
     * As above, with the limits on connections, idle time, handshakes and concurrent calls per connection,
     * counting the port's connections in {@code connections}.
     */
    public GrpcServer(String host, int port, int maxMessageBytes, ModelRepository repo, BooleanSupplier ready,
                      BearerToken token, PemTls.ServerKey tls, AccessLog accessLog, ConnectionLimits limits,
                      ConnectionMetrics connections) {
        // Repository loads read and check files: one thread of their own, off the transport threads.
        this.admin = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "grpc-repository-admin");
            t.setDaemon(true);
            return t;
        });
        this.service = new InferenceGrpcService(repo, ready, admin);
        // The application services, one line each; health, reflection and the interceptors apply to them all.
        List<ServerServiceDefinition> services = List.of(
                MalformedRequestGuard.guard(service.bindService()),
                MalformedRequestGuard.guard(new TfServingPredictionService(repo).bindService()),
                MalformedRequestGuard.guard(new TfServingModelService(repo).bindService()));
        this.health = new GrpcHealth(ready, services.stream().map(d -> d.getServiceDescriptor().getName()).toList());
        // The handlers never block (inference is queued and answered from the batcher's thread), so they
        // run on the transport threads, as the HTTP handlers do, instead of hopping to another pool.
        // Event loops: one per core, as for HTTP, instead of gRPC's shared default of two per core, which
        // on a small machine only adds threads competing with the batch workers for the same cores.
        // A fixed flow-control window: messages here are small, and the default auto-tuning sends a
        // BDP ping on reads, work for both sides that no unary call of a few KiB needs.
        this.boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), NioIoHandler.newFactory());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).directExecutor()
                .bossEventLoopGroup(boss).workerEventLoopGroup(workers)
                .channelFactory(() -> new LimitedServerChannel(connections, limits.maxConnections()))
                .flowControlWindow(FLOW_CONTROL_WINDOW)
                .maxInboundMessageSize(maxMessageBytes)
                .maxConcurrentCallsPerConnection(limits.maxConcurrentCalls())
                .maxConnectionIdle(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handshakeTimeout(limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                // Calls reset by their client, as a flood would (HTTP/2 "rapid reset"), end the connection.
                .maxRstFramesPerWindow(MAX_RESETS_PER_10_SECONDS, 10);
        List<ServerInterceptor> interceptors = interceptors(token, accessLog);
        for (ServerServiceDefinition d : services) {
            builder.addService(ServerInterceptors.intercept(d, interceptors));
        }
        // Health is open without a token (BearerAuthInterceptor); reflection, which describes the API, is not.
        builder.addService(ServerInterceptors.intercept(MalformedRequestGuard.guard(health.bindService()),
                interceptors));
        builder.addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), interceptors));
        builder.addService(ServerInterceptors.intercept(v1alphaReflection(), interceptors));
        if (tls != null) {
            builder.sslContext(sslContext(tls));
        }
        this.server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            shutdownLoops();
            admin.shutdownNow();
            throw new UncheckedIOException("gRPC port " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code grpc.reflection.v1alpha.ServerReflection}, which clients written before v1 existed ask (older
     * grpcurl releases among them; newer ones try v1 first). gRPC deprecates the class in favour of v1 but keeps it.
     */
    @SuppressWarnings("deprecation")
    private static BindableService v1alphaReflection() {
        return ProtoReflectionService.newInstance();
    }

    /**
     * Innermost first: the token check, then the access log (so it sees refusals too), then, outermost, the call's
     * arrival time, which inferences time themselves from.
     */
    private static List<ServerInterceptor> interceptors(BearerToken token, AccessLog accessLog) {
        List<ServerInterceptor> list = new ArrayList<>(3);
        if (token != null) {
            list.add(new BearerAuthInterceptor(token));
        }
        if (accessLog != null) {
            list.add(new GrpcAccessLog(accessLog));
        }
        list.add(new CallArrival());
        return list;
    }

    /**
     * An HTTP/2 server context (ALPN h2) for the key, with the TLS versions and cipher suites of the HTTPS port
     * ({@link PemTls#PROTOCOLS}, {@link PemTls#CIPHER_SUITES}) and the same JDK provider, so both ports accept
     * exactly the same clients whatever native library is on the class path.
     */
    private static SslContext sslContext(PemTls.ServerKey tls) {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(tls.key(), tls.chain()), SslProvider.JDK)
                    .protocols(PemTls.PROTOCOLS).ciphers(PemTls.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .build();
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

    /**
     * Publishes the server's readiness (the {@code ready} given at construction) to {@code grpc.health.v1.Health}
     * Check and Watch; call it whenever readiness turns.
     */
    public void readinessChanged() {
        health.readinessChanged();
    }

    /** Refuses new calls (clients get GOAWAY); calls already running go on. Health is NOT_SERVING for good. */
    public void stopAccepting() {
        health.terminate();
        server.shutdown();
    }

    /**
     * Waits at most {@code millis} for running calls, then cancels what is left; an interrupt ends the wait
     * early and stays set on the thread.
     */
    public void close(long millis) {
        health.terminate(); // ends Watch streams, which would otherwise hold the wait below
        server.shutdown();
        try {
            if (!server.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
                server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            admin.shutdownNow();
            shutdownLoops();
        }
    }

    private void shutdownLoops() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        close(0);
    }
}
