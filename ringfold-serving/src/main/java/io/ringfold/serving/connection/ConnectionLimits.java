package io.ringfold.serving.connection;

import java.time.Duration;

/**
 * The bounds on what clients can hold of the server, for both ports. Together they bound the memory and
 * the file descriptors one client can take, whatever it sends or fails to read (docs/serving.md,
 * <i>Limits</i>). The defaults are the {@code ringfold serve} flags' defaults.
 *
 * @param maxConnections        open connections per port; one more is refused (HTTP: 503 and closed; gRPC and
 *                              TLS: closed); >= 1
 * @param idleTimeout           a connection with no request in progress is closed after this long (gRPC: GOAWAY);
 *                              also the longest a new connection may stay silent; > 0
 * @param requestTimeout        longest from a request's first byte to its last (headers and body), HTTP; a
 *                              slower request gets 408 and its connection closes; > 0
 * @param handshakeTimeout      longest a TLS handshake may take, both ports; > 0
 * @param maxPipelinedRequests  HTTP requests read from one connection and not yet answered; at the limit, and
 *                              whenever replies are not being read, the server stops reading that connection
 *                              (backpressure), so its replies cannot pile up; >= 1
 * @param maxBufferedBodyBytes  request body bytes held at once across all HTTP connections while requests
 *                              arrive; a request that would pass it gets 503; >= 1
 * @param maxConcurrentCalls    gRPC calls in progress on one connection (HTTP/2 MAX_CONCURRENT_STREAMS); more
 *                              wait in the client; >= 1
 */
public record ConnectionLimits(int maxConnections, Duration idleTimeout, Duration requestTimeout,
                               Duration handshakeTimeout, int maxPipelinedRequests, long maxBufferedBodyBytes,
                               int maxConcurrentCalls) {

    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
    public static final int DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;
    public static final int DEFAULT_HANDSHAKE_TIMEOUT_SECONDS = 10;
    public static final int DEFAULT_MAX_PIPELINED_REQUESTS = 16;
    public static final long DEFAULT_MAX_BUFFERED_BODY_BYTES = 128L << 20;
    public static final int DEFAULT_MAX_CONCURRENT_CALLS = 100;

    public ConnectionLimits {
        atLeastOne("maxConnections", maxConnections);
        positive("idleTimeout", idleTimeout);
        positive("requestTimeout", requestTimeout);
        positive("handshakeTimeout", handshakeTimeout);
        atLeastOne("maxPipelinedRequests", maxPipelinedRequests);
        atLeastOne("maxBufferedBodyBytes", maxBufferedBodyBytes);
        atLeastOne("maxConcurrentCalls", maxConcurrentCalls);
    }

    /** 1024 connections a port, 60 s idle, 30 s a request, 10 s a handshake, 16 pipelined, 128 MiB of bodies, 100 calls. */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(DEFAULT_MAX_CONNECTIONS, Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECONDS),
                Duration.ofSeconds(DEFAULT_REQUEST_TIMEOUT_SECONDS), Duration.ofSeconds(DEFAULT_HANDSHAKE_TIMEOUT_SECONDS),
                DEFAULT_MAX_PIPELINED_REQUESTS, DEFAULT_MAX_BUFFERED_BODY_BYTES, DEFAULT_MAX_CONCURRENT_CALLS);
    }

    public ConnectionLimits withMaxConnections(int n) {
        return new ConnectionLimits(n, idleTimeout, requestTimeout, handshakeTimeout, maxPipelinedRequests,
                maxBufferedBodyBytes, maxConcurrentCalls);
    }

    public ConnectionLimits withIdleTimeout(Duration d) {
        return new ConnectionLimits(maxConnections, d, requestTimeout, handshakeTimeout, maxPipelinedRequests,
                maxBufferedBodyBytes, maxConcurrentCalls);
    }

    public ConnectionLimits withRequestTimeout(Duration d) {
        return new ConnectionLimits(maxConnections, idleTimeout, d, handshakeTimeout, maxPipelinedRequests,
                maxBufferedBodyBytes, maxConcurrentCalls);
    }

    public ConnectionLimits withHandshakeTimeout(Duration d) {
        return new ConnectionLimits(maxConnections, idleTimeout, requestTimeout, d, maxPipelinedRequests,
                maxBufferedBodyBytes, maxConcurrentCalls);
    }

    public ConnectionLimits withMaxPipelinedRequests(int n) {
        return new ConnectionLimits(maxConnections, idleTimeout, requestTimeout, handshakeTimeout, n,
                maxBufferedBodyBytes, maxConcurrentCalls);
    }

    public ConnectionLimits withMaxBufferedBodyBytes(long n) {
        return new ConnectionLimits(maxConnections, idleTimeout, requestTimeout, handshakeTimeout, maxPipelinedRequests,
                n, maxConcurrentCalls);
    }

    public ConnectionLimits withMaxConcurrentCalls(int n) {
        return new ConnectionLimits(maxConnections, idleTimeout, requestTimeout, handshakeTimeout, maxPipelinedRequests,
                maxBufferedBodyBytes, n);
    }

    private static void atLeastOne(String what, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: >= 1)");
        }
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + ": " + d + " (expected: > 0)");
        }
    }
}
