package io.ringfold.serving;

import io.netty.handler.ssl.SslContext;
import io.ringfold.serving.dashboard.JobsLink;
import io.ringfold.serving.grpc.GrpcServer;
import io.ringfold.serving.http.AccessLog;
import io.ringfold.serving.http.Guard;
import io.ringfold.serving.http.HttpServer;
import io.ringfold.serving.http.Router;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.security.BearerToken;
import io.ringfold.serving.security.PemTls;
import io.ringfold.tensor.Blas;

import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running inference server: HTTP, and gRPC unless its port is -1. {@link #start} binds the ports first,
 * so liveness answers at once while readiness stays false until the repository's first scan has loaded
 * and warmed the models.
 * {@link #shutdown()} drains it: readiness false, serving on for the drain period, then every connection closed
 * as its replies are done (at most the grace period), then stop.
 */
public final class InferenceServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InferenceServer.class.getName());
    /** Access log lines waiting for stdout; about 2 MB at most, seconds of traffic at the benchmark rates. */
    private static final int ACCESS_LOG_QUEUE = 8192;

    /** Lifecycle; readiness is true only in {@link #READY}. */
    public enum State { STARTING, READY, DRAINING, STOPPED }

    private final ServerConfig config;
    private final ServingMetrics metrics = new ServingMetrics();
    private final ModelRepository repository;
    private final ExecutorService admin;
    private final ScheduledExecutorService poller;
    private final HttpServer http;
    private final HttpServer adminHttp; // null when config.adminPort() is -1
    private final AccessLog accessLog;
    private final GrpcServer grpc; // null when config.grpcPort() is -1
    private volatile State state = State.STARTING;

    private InferenceServer(ServerConfig config, Blas blas, JobsLink jobs) throws InterruptedException {
        this.config = config;
        // Token and TLS files are read before anything starts, so a bad file fails start-up naming it.
        BearerToken token = config.authTokenFile() == null ? null : BearerToken.read(config.authTokenFile());
        PemTls.ServerKey serverKey = config.tlsCertFile() == null ? null : PemTls.read(config.tlsCertFile(), config.tlsKeyFile());
        SslContext tls = serverKey == null ? null : PemTls.serverContext(serverKey, config.tlsCertFile(), config.tlsKeyFile());
        this.accessLog = config.accessLog()
                ? new AccessLog(ACCESS_LOG_QUEUE, new OutputStreamWriter(System.out, StandardCharsets.UTF_8)) : null;
        if (accessLog != null) {
            metrics.accessLogDropped(accessLog::dropped);
        }
        this.repository = config.singleModel() == null
                ? new ModelRepository(config.repository(), config.batching(), metrics, blas, config.modelLimits(),
                config.maskKey())
                : ModelRepository.singleModel(config.repository(), config.singleModel(), config.batching(), metrics, blas,
                config.modelLimits(), config.maskKey());
        this.admin = Executors.newSingleThreadExecutor(r -> daemon(r, "repository-admin"));
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "repository-poll"));
        Guard guard = new Guard(token, accessLog);
        if (config.adminPort() < 0) {
            this.adminHttp = null;
            this.http = new HttpServer(config.host(), config.port(), config.maxBodyBytes(),
                    new Router(repository, metrics, () -> state == State.READY, admin, Router.Exposure.ALL, () -> -1,
                            jobs), metrics, tls, guard, config.limits());
        } else {
            // The admin port binds first, so that the public port's 404 for an admin path can name its number.
            this.adminHttp = new HttpServer(config.host(), config.adminPort(), config.maxBodyBytes(),
                    new Router(repository, metrics, () -> state == State.READY, admin, Router.Exposure.ADMIN, () -> -1, jobs),
                    metrics, tls, guard, config.limits(), true);
            int adminPort = adminHttp.port();
            try {
                this.http = new HttpServer(config.host(), config.port(), config.maxBodyBytes(),
                        new Router(repository, metrics, () -> state == State.READY, admin, Router.Exposure.PUBLIC,
                                () -> adminPort, jobs), metrics, tls, guard, config.limits());
            } catch (RuntimeException | InterruptedException e) {
                adminHttp.close();
                throw e;
            }
        }
        try {
            this.grpc = config.grpcPort() < 0 ? null : new GrpcServer(config.host(), config.grpcPort(),
                    config.maxBodyBytes(), repository, () -> state == State.READY, token, serverKey, accessLog,
                    config.limits(), metrics.grpcConnections());
        } catch (RuntimeException e) {
            http.close();
            if (adminHttp != null) {
                adminHttp.close();
            }
            throw e;
        }
    }

    /** Binds the port, loads the repository, and returns once the server is ready. */
    public static InferenceServer start(ServerConfig config) throws InterruptedException {
        return start(config, Blas.get());
    }

    /** As {@link #start(ServerConfig)}, computing with {@code blas}. */
    public static InferenceServer start(ServerConfig config, Blas blas) throws InterruptedException {
        return start(config, blas, null);
    }

    /** As {@link #start(ServerConfig, Blas)}, the dashboard showing the jobs of the job service {@code jobs} links to. */
    public static InferenceServer start(ServerConfig config, Blas blas, JobsLink jobs) throws InterruptedException {
        InferenceServer s = new InferenceServer(config, blas, jobs);
        // The token and TLS settings apply to both ports.
        LOG.log(System.Logger.Level.INFO, "listening on {0}:{1,number,#} ({2}{3}; gRPC: {4,number,#}{5}); loading {6}",
                config.host(), s.port(), config.tlsCertFile() == null ? "HTTP" : "HTTPS",
                config.authTokenFile() == null ? "" : ", bearer token required", s.grpcPort(),
                s.adminPort() < 0 ? "" : "; admin: " + s.adminPort(), config.repository());
        s.repository.poll();
        if (config.pollSeconds() > 0) {
            s.poller.scheduleWithFixedDelay(s::pollSafely, config.pollSeconds(), config.pollSeconds(), TimeUnit.SECONDS);
        }
        s.state = State.READY;
        s.readinessChanged();
        LOG.log(System.Logger.Level.INFO, "ready: models {0}", s.repository.modelNames());
        return s;
    }

    /** Tells gRPC health checkers (Check and Watch) what the HTTP readiness probe reads from {@link #state}. */
    private void readinessChanged() {
        if (grpc != null) {
            grpc.readinessChanged();
        }
    }

    private void pollSafely() {
        try {
            repository.poll();
        } catch (Throwable e) {
            // Anything a scan throws, errors included, must not end the timer: a scheduled task that throws is
            // never run again, silently. Log it and try again next period.
            LOG.log(System.Logger.Level.WARNING, "repository poll failed: " + e, e);
        }
    }

    public int port() {
        return http.port();
    }

    /** The bound admin HTTP port (the repository API and {@code /metrics}), or -1 when there is none. */
    public int adminPort() {
        return adminHttp == null ? -1 : adminHttp.port();
    }

    /** The bound gRPC port, or -1 when gRPC is off. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    public State state() {
        return state;
    }

    public ModelRepository repository() {
        return repository;
    }

    public ServingMetrics metrics() {
        return metrics;
    }

    /**
     * The drain: readiness turns false at once and the server goes on serving as usual for the drain period,
     * while load balancers stop sending here. Then it stops accepting connections, sends gRPC clients GOAWAY,
     * and closes each HTTP connection after the replies it is owed (the last carrying {@code Connection:
     * close}) or, when it has none, once it has been quiet for a second; it waits for that and for running gRPC
     * calls at most the grace period, lets every batcher finish its queue, and stops. Returns at once when
     * already stopped; a second caller waits for the first.
     */
    public synchronized void shutdown() throws InterruptedException {
        if (state == State.STOPPED) {
            return;
        }
        state = State.DRAINING;
        readinessChanged();
        poller.shutdownNow();
        LOG.log(System.Logger.Level.INFO, "draining: readiness false, serving for {0} more, then closing connections"
                + " (grace {1})", config.drainPeriod(), config.gracePeriod());
        Thread.sleep(config.drainPeriod().toMillis());
        long deadline = System.nanoTime() + config.gracePeriod().toNanos();
        http.stopAccepting();
        if (adminHttp != null) {
            adminHttp.stopAccepting();
            adminHttp.startClosing();
        }
        if (grpc != null) {
            grpc.stopAccepting();
        }
        http.startClosing();
        if (!http.awaitConnectionsClosed(deadline)) {
            LOG.log(System.Logger.Level.WARNING, "grace period {0} over with {1} HTTP connections open ({2} requests"
                    + " in flight); closing them", config.gracePeriod(), http.connections(), http.inFlight());
        }
        if (grpc != null) {
            grpc.close(millisLeft(deadline));
        }
        repository.close(millisLeft(deadline));
        http.close();
        if (adminHttp != null) {
            adminHttp.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
        admin.shutdownNow();
        state = State.STOPPED;
        LOG.log(System.Logger.Level.INFO, "stopped");
    }

    private static long millisLeft(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /** {@link #shutdown()}; an interrupt ends the wait early and stays set on the thread. */
    @Override
    public void close() {
        try {
            shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
