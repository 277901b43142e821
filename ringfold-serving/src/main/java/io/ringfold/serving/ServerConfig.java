package io.ringfold.serving;

import io.ringfold.io.ModelLimits;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.repository.RepositoryNames;
import io.ringfold.serving.connection.ConnectionLimits;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to run an {@link InferenceServer}.
 *
 * @param repository    directory of models, {@code <model>/<version>/model.rfm}
 * @param host          address to bind
 * @param port          HTTP port; 0 picks a free one (tests)
 * @param grpcPort      gRPC port (Open Inference Protocol v2); 0 picks a free one (tests), -1 serves no gRPC
 * @param pollSeconds   seconds between repository scans; 0 scans only at start and through the API
 * @param batching      default batching of every model (a model's config.json may override it)
 * @param maxBodyBytes  largest request body accepted; larger ones get 413
 * @param drainPeriod   how long a shutdown keeps serving as usual with readiness false, while load balancers
 *                      stop sending (Kubernetes removes the endpoint a moment after SIGTERM)
 * @param gracePeriod   then, longest it waits for open connections to finish their requests and close
 * @param authTokenFile file holding the bearer token every request but the health probes must carry, or null
 * @param tlsCertFile   PEM certificate chain for HTTPS, or null for plain HTTP (set with {@code tlsKeyFile})
 * @param tlsKeyFile    PEM PKCS#8 private key of {@code tlsCertFile}, or null
 * @param accessLog     whether each HTTP request and gRPC call is written to stdout as one JSON line
 * @param limits        connections, timeouts and buffered bytes allowed to clients, both ports
 * @param modelLimits   how large a model file the repository loads; a larger one fails to load, naming the limit
 * @param singleModel   null for a repository of model directories; else {@code repository} is this one model's
 *                      directory (KServe mounts one model at {@code /mnt/models}), served under this name
 * @param maskKey       the key of models whose preprocessing masks columns with hmac, or null: such a model then
 *                      fails to load, naming the flag
 * @param adminPort     -1: the repository API and {@code /metrics} are served on {@code port} with everything else;
 *                      else they are served only on this HTTP port (0 picks a free one, tests), and {@code port}
 *                      answers them 404, so that a public load balancer in front of {@code port} cannot reach them
 */
public record ServerConfig(Path repository, String host, int port, int grpcPort, int pollSeconds,
                           BatchingConfig batching, int maxBodyBytes, Duration drainPeriod, Duration gracePeriod,
                           Path authTokenFile, Path tlsCertFile, Path tlsKeyFile, boolean accessLog,
                           ConnectionLimits limits, ModelLimits modelLimits, String singleModel,
                           io.ringfold.data.MaskKey maskKey, int adminPort) {

    /** The {@code --drain-seconds} default: a few seconds more than endpoint removal usually takes. */
    public static final int DEFAULT_DRAIN_SECONDS = 5;
    public static final int DEFAULT_GRACE_SECONDS = 30;

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
        }
        if (grpcPort < -1 || grpcPort > 65535 || grpcPort > 0 && grpcPort == port) {
            throw new IllegalArgumentException("grpcPort: " + grpcPort + " (expected: 0 to 65535 other than the HTTP port "
                    + port + ", or -1 for no gRPC)");
        }
        if (pollSeconds < 0) {
            throw new IllegalArgumentException("pollSeconds: " + pollSeconds + " (expected: >= 0)");
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 1)");
        }
        if (drainPeriod.isNegative()) {
            throw new IllegalArgumentException("drainPeriod: " + drainPeriod + " (expected: >= 0)");
        }
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod: " + gracePeriod + " (expected: >= 0)");
        }
        if ((tlsCertFile == null) != (tlsKeyFile == null)) {
            throw new IllegalArgumentException("TLS: certificate " + tlsCertFile + ", key " + tlsKeyFile
                    + " (expected: both files or neither)");
        }
        if (limits == null) {
            throw new IllegalArgumentException("limits: null (expected: connection limits)");
        }
        if (singleModel != null) {
            RepositoryNames.checkModelName(singleModel);
        }
        if (adminPort < -1 || adminPort > 65535 || adminPort > 0 && (adminPort == port || adminPort == grpcPort)) {
            throw new IllegalArgumentException("adminPort: " + adminPort + " (expected: 0 to 65535 other than the HTTP port "
                    + port + " and the gRPC port " + grpcPort + ", or -1 for none)");
        }
        if (modelLimits == null) {
            throw new IllegalArgumentException("modelLimits: null (expected: limits, e.g. ModelLimits.defaults())");
        }
    }

    /**
     * HTTP on 8080 and gRPC on 8081 on all interfaces, polling every 30 s, default batching, 16 MiB bodies,
     * 5 s drain, 30 s grace, default connection and model limits; no token, no TLS, no access log, no admin port.
     */
    public static ServerConfig defaults(Path repository) {
        return new ServerConfig(repository, "0.0.0.0", 8080, 8081, 30, BatchingConfig.defaults(), 16 << 20,
                Duration.ofSeconds(DEFAULT_DRAIN_SECONDS), Duration.ofSeconds(DEFAULT_GRACE_SECONDS), null, null, null,
                false, ConnectionLimits.defaults(), ModelLimits.defaults(), null, null, -1);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(repository, host, p, grpcPort, pollSeconds, batching,
                maxBodyBytes, drainPeriod, gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    /** gRPC on port {@code p}; 0 picks a free one, -1 serves no gRPC. */
    public ServerConfig withGrpcPort(int p) {
        return new ServerConfig(repository, host, port, p, pollSeconds, batching,
                maxBodyBytes, drainPeriod, gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(repository, h, port, grpcPort, pollSeconds, batching,
                maxBodyBytes, drainPeriod, gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withPollSeconds(int s) {
        return new ServerConfig(repository, host, port, grpcPort, s, batching,
                maxBodyBytes, drainPeriod, gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withBatching(BatchingConfig b) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, b,
                maxBodyBytes, drainPeriod, gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withMaxBodyBytes(int n) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching,
                n, drainPeriod, gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withDrainPeriod(Duration d) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching,
                maxBodyBytes, d, gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withGracePeriod(Duration d) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching,
                maxBodyBytes, drainPeriod, d, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withAuthTokenFile(Path f) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching,
                maxBodyBytes, drainPeriod, gracePeriod, f, tlsCertFile, tlsKeyFile, accessLog, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withTls(Path certFile, Path keyFile) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching,
                maxBodyBytes, drainPeriod, gracePeriod, authTokenFile, certFile, keyFile, accessLog, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withAccessLog(boolean on) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching,
                maxBodyBytes, drainPeriod, gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, on, limits,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withLimits(ConnectionLimits l) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching,
                maxBodyBytes, drainPeriod, gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, l,
                modelLimits, singleModel, maskKey, adminPort);
    }

    public ServerConfig withModelLimits(ModelLimits m) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching,
                maxBodyBytes, drainPeriod, gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits, m, singleModel,
                maskKey, adminPort);
    }

    /** {@code repository} as the directory of one model, served as {@code name} (null: a repository of models). */
    public ServerConfig withSingleModel(String name) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching, maxBodyBytes, drainPeriod,
                gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits, modelLimits, name,
                maskKey, adminPort);
    }

    /** With the key of models whose columns are masked with hmac ({@code serve --mask-key-file}). */
    public ServerConfig withMaskKey(io.ringfold.data.MaskKey k) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching, maxBodyBytes, drainPeriod,
                gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits, modelLimits, singleModel, k, adminPort);
    }

    /**
     * The repository API and {@code /metrics} on HTTP port {@code p} only (0 picks a free one), the public port
     * answering them 404; -1 serves them on the public port as well.
     */
    public ServerConfig withAdminPort(int p) {
        return new ServerConfig(repository, host, port, grpcPort, pollSeconds, batching, maxBodyBytes, drainPeriod,
                gracePeriod, authTokenFile, tlsCertFile, tlsKeyFile, accessLog, limits, modelLimits, singleModel, maskKey, p);
    }
}
