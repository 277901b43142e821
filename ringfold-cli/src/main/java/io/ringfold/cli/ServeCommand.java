package io.ringfold.cli;

import io.ringfold.io.ModelLimits;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.batching.BatchingConfig;
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
 * SIGINT, which drain it: readiness turns false, in-flight and queued requests finish (at most
 * {@code --grace-seconds}), then the process exits.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model repository over HTTP (TensorFlow Serving REST and Open Inference Protocol v2) and gRPC.")
final class ServeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--repository", required = true, paramLabel = "DIR",
            description = "Model repository: DIR/<model>/<version>/model.rfm, optional DIR/<model>/config.json.")
    Path repository;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--grpc-port", defaultValue = "8081",
            description = "gRPC port (Open Inference Protocol v2); -1: no gRPC (default: ${DEFAULT-VALUE}).")
    int grpcPort;

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

    @Option(names = "--no-batching", description = "Run every request alone: on the I/O thread when the model computes in under 50 µs, else as soon as a worker is free.")
    boolean noBatching;

    @Option(names = "--max-body-bytes", defaultValue = "16777216",
            description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(names = "--grace-seconds", defaultValue = "30",
            description = "Longest shutdown waits for in-flight requests (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
            description = "Require 'Authorization: Bearer <token>' on every HTTP endpoint and gRPC call but the health "
                    + "probes (and ServerLive/ServerReady); the token is read from FILE at start (surrounding whitespace "
                    + "trimmed).")
    Path authTokenFile;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve HTTPS, and gRPC over TLS, with this PEM certificate chain (with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "Unencrypted PKCS#8 PEM private key of --tls-cert ('-----BEGIN PRIVATE KEY-----').")
    Path tlsKey;

    @Option(names = "--access-log", description = "Write one JSON line per HTTP request and per gRPC call to stdout (default: off).")
    boolean accessLog;

    @Option(names = "--max-model-bytes", paramLabel = "N",
            description = "Largest model file loaded; a larger one fails to load, naming the limit (default: 536870912, 512 MiB).")
    Long maxModelBytes;

    @Option(names = "--max-model-header-bytes", paramLabel = "N",
            description = "Largest JSON header of a model file loaded (default: 4194304, 4 MiB; at most 67108864).")
    Integer maxModelHeaderBytes;

    @Option(names = "--max-model-tensors", paramLabel = "N", description = "Most tensors in a model file loaded (default: 4096).")
    Integer maxModelTensors;

    @Option(names = "--max-model-columns", paramLabel = "N",
            description = "Most input columns, before and after one-hot encoding, of a model loaded (default: 1048576).")
    Integer maxModelColumns;

    @Option(names = "--max-model-classes", paramLabel = "N", description = "Most classes of a classifier loaded (default: 65536).")
    Integer maxModelClasses;

    /** The server configuration the flags describe; a bad value is a parameter error naming the flag. */
    ServerConfig config() {
        if (!Files.isDirectory(repository)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--repository: " + repository + " (expected: an existing directory)");
        }
        if (graceSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--grace-seconds: " + graceSeconds + " (expected: >= 0)");
        }
        try {
            BatchingConfig batching = new BatchingConfig(!noBatching, batchMaxSize, batchMaxDelayMicros, batchQueueSize,
                    batchWorkers == null ? Runtime.getRuntime().availableProcessors() : batchWorkers);
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new IllegalArgumentException(tlsCert == null
                        ? "--tls-key: given without --tls-cert (expected: both or neither)"
                        : "--tls-cert: given without --tls-key (expected: both or neither)");
            }
            ServerConfig config = new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching,
                    maxBodyBytes, Duration.ofSeconds(graceSeconds), authTokenFile, tlsCert, tlsKey, accessLog, modelLimits());
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

    /** {@link ModelLimits#defaults()} with the limits given on the command line. */
    private ModelLimits modelLimits() {
        ModelLimits limits = ModelLimits.defaults();
        if (maxModelBytes != null) {
            limits = limits.withMaxFileBytes(atLeastOne("--max-model-bytes", maxModelBytes));
        }
        if (maxModelHeaderBytes != null) {
            limits = limits.withMaxHeaderBytes((int) atLeastOne("--max-model-header-bytes", maxModelHeaderBytes));
        }
        if (maxModelTensors != null) {
            limits = limits.withMaxTensors((int) atLeastOne("--max-model-tensors", maxModelTensors));
        }
        if (maxModelColumns != null) {
            limits = limits.withMaxColumns((int) atLeastOne("--max-model-columns", maxModelColumns));
        }
        if (maxModelClasses != null) {
            limits = limits.withMaxClasses((int) atLeastOne("--max-model-classes", maxModelClasses));
        }
        return limits;
    }

    private static long atLeastOne(String flag, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(flag + ": " + value + " (expected: >= 1)");
        }
        return value;
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        InferenceServer server = InferenceServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        java.io.PrintWriter err = spec.commandLine().getErr();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Printed directly: java.util.logging resets its handlers in its own shutdown hook.
            err.println("ringfold serve: draining (readiness false; grace " + config.gracePeriod().toSeconds() + " s)");
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
        if (server.grpcPort() >= 0) {
            spec.commandLine().getOut().println("gRPC (Open Inference Protocol v2) on " + config.host() + ":" + server.grpcPort());
        }
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
