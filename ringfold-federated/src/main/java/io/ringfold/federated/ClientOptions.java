package io.ringfold.federated;

import java.time.Duration;
import java.util.Objects;

/**
 * How a client reaches its coordinator.
 *
 * @param host           the coordinator's host
 * @param port           its port
 * @param clientId       this client's id, distinct among the run's clients (1 to 64 letters, digits, '.', '_', '-')
 * @param token          the run's access token, or null for a run without one
 * @param connectTimeout how long to keep trying to connect, at start and after the connection is lost (a
 *                       restarted coordinator)
 * @param idleTimeout    how long to wait for the coordinator's next message while connected
 */
public record ClientOptions(String host, int port, String clientId, String token, Duration connectTimeout,
                            Duration idleTimeout) {

    public ClientOptions {
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
        if (clientId == null || !clientId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("clientId: " + clientId + " (expected: 1 to 64 letters, digits, '.', '_', '-')");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts: connect " + connectTimeout + ", idle " + idleTimeout
                    + " (expected: > 0)");
        }
    }

    /** {@code coordinator host:port}, for messages. */
    String coordinator() {
        return "coordinator " + host + ":" + port;
    }
}
