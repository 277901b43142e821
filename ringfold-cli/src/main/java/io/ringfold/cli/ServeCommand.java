package io.ringfold.cli;

import io.ringfold.io.ModelLimits;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.connection.ConnectionLimits;
import io.ringfold.serving.dashboard.JobsLink;
import io.ringfold.serving.security.BearerToken;
import io.ringfold.serving.security.PemTls;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ringfold serve}: the inference server (see docs/serving.md) on an HTTP and a gRPC port, until SIGTERM or
 * SIGINT, which drain it: readiness turns false, the server serves on for {@code --drain-seconds}, then closes
 * every connection as its requests are answered (at most {@code --grace-seconds}), and the process exits.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model repository over HTTP (TensorFlow Serving REST and Open Inference Protocol v2) and gRPC.")
final class ServeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--repository", paramLabel = "DIR",
            description = "Model repository: DIR/<model>/<version>/model.rfm or model.onnx, optional DIR/<model>/config.json.")
    Path repository;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Instead of --repository: one model's directory (KServe's /mnt/models), holding version"
                    + " directories or the model file itself (served as version 1).")
    Path modelDir;

    @Option(names = "--model-name", defaultValue = "model", paramLabel = "NAME",
            description = "With --model-dir: the name the model is served under (default: ${DEFAULT-VALUE}).")
    String modelName;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--grpc-port", defaultValue = "8081",
            description = "gRPC port (Open Inference Protocol v2); -1: no gRPC (default: ${DEFAULT-VALUE}).")
    int grpcPort;

    @Option(names = "--admin-port", defaultValue = "-1", paramLabel = "PORT",
            description = "Serve the repository API (/v2/repository/...) and /metrics on this HTTP port only; --port then"
                    + " answers them 404. -1: all on --port (default: ${DEFAULT-VALUE}). gRPC's repository RPCs stay on"
                    + " --grpc-port.")
    int adminPort;

    @Option(names = "--poll-seconds", defaultValue = "30",
            description = "Seconds between repository scans; 0: scan only at start and on API calls (default: ${DEFAULT-VALUE}).")
    int pollSeconds;

    @Option(names = "--batch-max-size", defaultValue = "32", description = "Most rows per batch (default: ${DEFAULT-VALUE}).")
    int batchMaxSize;

    @Option(names = "--batch-max-delay-us", defaultValue = "500",
            description = "Longest a request waits for its batch to fill, in microseconds (default: ${DEFAULT-VALUE}).")
    long batchMaxDelayMicros;

    @Option(names = "--batch-queue-size", defaultValue = "1024",
            description = "Most queued requests per model version; more get 503 (default: ${DEFAULT-VALUE}).")
    int batchQueueSize;

    @Option(names = "--batch-workers", description = "Compute threads per model version (default: the number of cores).")
    Integer batchWorkers;

    @Option(names = "--no-batching", description = "Run every request alone: on the I/O thread when the model computes in under 250 µs, else as soon as a worker is free.")
    boolean noBatching;

    @Option(names = "--max-body-bytes", defaultValue = "16777216",
            description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(names = "--drain-seconds", defaultValue = "" + ServerConfig.DEFAULT_DRAIN_SECONDS,
            description = "On SIGTERM, seconds to go on serving as usual with readiness false, while load balancers "
                    + "stop sending here (default: ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Option(names = "--grace-seconds", defaultValue = "" + ServerConfig.DEFAULT_GRACE_SECONDS,
            description = "Then, longest wait for open connections to finish their requests and close "
                    + "(default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(names = "--max-connections", defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONNECTIONS,
            description = "Open connections per port; one more is refused (HTTP 503) (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--idle-timeout-seconds", defaultValue = "" + ConnectionLimits.DEFAULT_IDLE_TIMEOUT_SECONDS,
            description = "Close a connection that has waited this long for its client: no request, or replies "
                    + "not read (gRPC: GOAWAY after this long without calls) (default: ${DEFAULT-VALUE}).")
    int idleTimeoutSeconds;

    @Option(names = "--request-timeout-seconds", defaultValue = "" + ConnectionLimits.DEFAULT_REQUEST_TIMEOUT_SECONDS,
            description = "Longest from an HTTP request's first byte to its last; slower gets 408 "
                    + "(default: ${DEFAULT-VALUE}).")
    int requestTimeoutSeconds;

    @Option(names = "--handshake-timeout-seconds",
            defaultValue = "" + ConnectionLimits.DEFAULT_HANDSHAKE_TIMEOUT_SECONDS,
            description = "Longest TLS handshake, both ports (default: ${DEFAULT-VALUE}).")
    int handshakeTimeoutSeconds;

    @Option(names = "--max-pipelined-requests", defaultValue = "" + ConnectionLimits.DEFAULT_MAX_PIPELINED_REQUESTS,
            description = "HTTP requests read from one connection and not yet answered; beyond, and while replies "
                    + "are not read, the connection is not read (default: ${DEFAULT-VALUE}).")
    int maxPipelinedRequests;

    @Option(names = "--max-buffered-body-bytes", defaultValue = "" + ConnectionLimits.DEFAULT_MAX_BUFFERED_BODY_BYTES,
            description = "Request body bytes held at once across all HTTP connections while they arrive; a body "
                    + "that would pass it gets 503 (default: ${DEFAULT-VALUE}).")
    long maxBufferedBodyBytes;

    @Option(names = "--grpc-max-concurrent-calls", defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONCURRENT_CALLS,
            description = "gRPC calls in progress on one connection; more wait in the client (default: ${DEFAULT-VALUE}).")
    int grpcMaxConcurrentCalls;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
            description = "Require 'Authorization: Bearer <token>' on every HTTP endpoint and gRPC call but the health "
                    + "probes (and ServerLive/ServerReady); the token is read from FILE at start (surrounding whitespace "
                    + "trimmed).")
    Path authTokenFile;

    @Option(names = "--jobs-server", paramLabel = "URL",
            description = "The training job service (ringfold jobs serve) whose jobs the dashboard shows and submits to, "
                    + "e.g. http://localhost:8600; without it the dashboard has no jobs section.")
    String jobsServer;

    @Option(names = "--jobs-token-file", paramLabel = "FILE",
            description = "The job service's bearer token (its --auth-token-file), sent with the dashboard's calls to it.")
    Path jobsTokenFile;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve HTTPS, and gRPC over TLS, with this PEM certificate chain (with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "Unencrypted PKCS#8 PEM private key of --tls-cert ('-----BEGIN PRIVATE KEY-----').")
    Path tlsKey;

    @Option(names = "--access-log", description = "Write one JSON line per HTTP request and per gRPC call to stdout (default: off).")
    boolean accessLog;

    @Option(names = "--max-model-bytes", defaultValue = "" + ModelLimits.DEFAULT_MAX_FILE_BYTES, paramLabel = "N",
            description = "Largest model file loaded; a larger one fails to load, naming the limit (default: ${DEFAULT-VALUE}).")
    long maxModelBytes;

    @Option(names = "--max-model-header-bytes", defaultValue = "" + ModelLimits.DEFAULT_MAX_HEADER_BYTES, paramLabel = "N",
            description = "Largest JSON header of a model file loaded (default: ${DEFAULT-VALUE}; at most 67108864).")
    int maxModelHeaderBytes;

    @Option(names = "--max-model-tensors", defaultValue = "" + ModelLimits.DEFAULT_MAX_TENSORS, paramLabel = "N",
            description = "Most tensors in a model file loaded (default: ${DEFAULT-VALUE}).")
    int maxModelTensors;

    @Option(names = "--max-model-columns", defaultValue = "" + ModelLimits.DEFAULT_MAX_COLUMNS, paramLabel = "N",
            description = "Most input columns, before and after one-hot encoding, of a model loaded (default: ${DEFAULT-VALUE}).")
    int maxModelColumns;

    @Option(names = "--max-model-classes", defaultValue = "" + ModelLimits.DEFAULT_MAX_CLASSES, paramLabel = "N",
            description = "Most classes of a classifier loaded (default: ${DEFAULT-VALUE}).")
    int maxModelClasses;

    /** The key of models that mask columns with hmac; without it such a model fails to load, naming the flag. */
    @picocli.CommandLine.Mixin
    MaskKeyFlag maskKey;

    /** The server configuration the flags describe; a bad value is a parameter error naming the flag. */
    ServerConfig config() {
        if ((repository == null) == (modelDir == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), (repository == null ? "no model repository"
                    : "--repository and --model-dir") + " (expected: --repository DIR, or --model-dir DIR for one model)");
        }
        Path dir = repository != null ? repository : modelDir;
        if (!Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    (repository != null ? "--repository: " : "--model-dir: ") + dir + " (expected: an existing directory)");
        }
        nonNegative("--drain-seconds", drainSeconds);
        nonNegative("--grace-seconds", graceSeconds);
        positive("--max-connections", maxConnections);
        positive("--idle-timeout-seconds", idleTimeoutSeconds);
        positive("--request-timeout-seconds", requestTimeoutSeconds);
        positive("--handshake-timeout-seconds", handshakeTimeoutSeconds);
        positive("--max-pipelined-requests", maxPipelinedRequests);
        positive("--max-buffered-body-bytes", maxBufferedBodyBytes);
        positive("--grpc-max-concurrent-calls", grpcMaxConcurrentCalls);
        positive("--max-model-bytes", maxModelBytes);
        positive("--max-model-header-bytes", maxModelHeaderBytes);
        positive("--max-model-tensors", maxModelTensors);
        positive("--max-model-columns", maxModelColumns);
        positive("--max-model-classes", maxModelClasses);
        try {
            BatchingConfig batching = new BatchingConfig(!noBatching, batchMaxSize, batchMaxDelayMicros, batchQueueSize,
                    batchWorkers == null ? Runtime.getRuntime().availableProcessors() : batchWorkers);
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new IllegalArgumentException(tlsCert == null
                        ? "--tls-key: given without --tls-cert (expected: both or neither)"
                        : "--tls-cert: given without --tls-key (expected: both or neither)");
            }
            ConnectionLimits limits = new ConnectionLimits(maxConnections, Duration.ofSeconds(idleTimeoutSeconds),
                    Duration.ofSeconds(requestTimeoutSeconds), Duration.ofSeconds(handshakeTimeoutSeconds),
                    maxPipelinedRequests, maxBufferedBodyBytes, grpcMaxConcurrentCalls);
            ServerConfig config = new ServerConfig(dir, host, port, grpcPort,
                    pollSeconds, batching, maxBodyBytes, Duration.ofSeconds(drainSeconds), Duration.ofSeconds(graceSeconds),
                    authTokenFile, tlsCert, tlsKey, accessLog, limits, new ModelLimits(maxModelBytes, maxModelHeaderBytes,
                    maxModelTensors, maxModelColumns, maxModelClasses, true), modelDir != null ? modelName : null,
                    maskKey.key().orElse(null), adminPort);
            // Read the token and TLS files now, so that a bad one is a usage error naming it (the server reads
            // them again at start).
            if (authTokenFile != null) {
                BearerToken.read(authTokenFile);
            }
            if (tlsCert != null) {
                PemTls.serverContext(tlsCert, tlsKey);
            }
            return config;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void nonNegative(String flag, long value) {
        if (value < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + ": " + value + " (expected: >= 0)");
        }
    }

    private void positive(String flag, long value) {
        if (value < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + ": " + value + " (expected: >= 1)");
        }
    }

    /** The dashboard's link to the job service, or null; a bad URL or token file is a usage error naming it. */
    JobsLink jobsLink() {
        if (jobsServer == null) {
            if (jobsTokenFile != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--jobs-token-file: given without --jobs-server (expected: both, or --jobs-server alone)");
            }
            return null;
        }
        try {
            return JobsLink.of(jobsServer, jobsTokenFile);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        JobsLink jobs = jobsLink();
        InferenceServer server = InferenceServer.start(config, io.ringfold.tensor.Blas.get(), jobs);
        CountDownLatch stopped = new CountDownLatch(1);
        java.io.PrintWriter err = spec.commandLine().getErr();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Printed directly: java.util.logging resets its handlers in its own shutdown hook.
            err.println("ringfold serve: draining (readiness false; serving " + config.drainPeriod().toSeconds()
                    + " s more, then closing connections within " + config.gracePeriod().toSeconds() + " s)");
            err.flush();
            try {
                server.shutdown();
                err.println("ringfold serve: stopped");
                err.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        }, "serve-shutdown"));
        spec.commandLine().getOut().println("serving " + config.repository() + " on "
                + (config.tlsCertFile() == null ? "http://" : "https://") + config.host() + ":"
                + server.port() + " (models: " + server.repository().modelNames() + ")");
        boolean anyAddress = config.host().equals("0.0.0.0") || config.host().equals("::");
        spec.commandLine().getOut().println("dashboard: " + (config.tlsCertFile() == null ? "http://" : "https://")
                + (anyAddress ? "localhost" : config.host()) + ":" + server.port() + "/ui/"
                + (config.authTokenFile() == null ? "" : " (the page asks for the bearer token)"));
        if (server.adminPort() >= 0) {
            spec.commandLine().getOut().println("admin (repository API, /metrics) on "
                    + (config.tlsCertFile() == null ? "http://" : "https://") + config.host() + ":" + server.adminPort());
        }
        if (server.grpcPort() >= 0) {
            spec.commandLine().getOut().println("gRPC (Open Inference Protocol v2) on " + config.host() + ":" + server.grpcPort());
        }
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
