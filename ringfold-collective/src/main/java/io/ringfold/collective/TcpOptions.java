package io.ringfold.collective;

import java.time.Duration;

/**
 * Settings of a {@link TcpCommunicator}.
 *
 * @param timeout           the deadline of every call; > 0
 * @param setupTimeout      the deadline of connection set-up (rendezvous and mesh), which must allow for
 *                          the other processes still starting; > 0
 * @param chunkBytes        payload bytes per frame of the pipelined ring (and of any large transfer);
 *                          the unit of overlap between sending and receiving; 1 KiB..64 MiB
 * @param smallMaxBytes     allreduces and broadcasts of at most this many bytes use the latency-optimal
 *                          algorithms (recursive doubling, binomial tree), larger ones the ring/chain;
 *                          0..chunkBytes. The default comes from the measurement in docs/collectives.md
 * @param socketBufferBytes SO_SNDBUF and SO_RCVBUF of every connection; 0 leaves the operating
 *                          system's default (and its automatic tuning)
 * @param maxMessageBytes   the largest block a peer may declare in an all-to-all, checked before anything is
 *                          allocated for it, so that a misbehaving or mismatched peer cannot exhaust this
 *                          rank's memory; 1..2^31-1
 */
public record TcpOptions(Duration timeout, Duration setupTimeout, int chunkBytes, int smallMaxBytes, int socketBufferBytes,
        int maxMessageBytes) {

    public static final int DEFAULT_CHUNK_BYTES = 256 * 1024;
    public static final int DEFAULT_SMALL_MAX_BYTES = 64 * 1024;
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 0;
    /** 1 GiB: far above the blocks of a training step (embedding rows of a batch), far below a heap's worth. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 30;

    public TcpOptions {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        if (setupTimeout == null || setupTimeout.isNegative() || setupTimeout.isZero()) {
            throw new IllegalArgumentException("setupTimeout: " + setupTimeout + " (expected: > 0)");
        }
        if (chunkBytes < 1024 || chunkBytes > 64 << 20) {
            throw new IllegalArgumentException("chunkBytes: " + chunkBytes + " (expected: 1024..67108864)");
        }
        if (smallMaxBytes < 0 || smallMaxBytes > chunkBytes) {
            throw new IllegalArgumentException("smallMaxBytes: " + smallMaxBytes + " (expected: 0.." + chunkBytes
                    + ", the chunk size)");
        }
        if (socketBufferBytes < 0) {
            throw new IllegalArgumentException("socketBufferBytes: " + socketBufferBytes + " (expected: >= 0)");
        }
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes: " + maxMessageBytes + " (expected: > 0)");
        }
    }

    /** The defaults with the given deadline, for calls and set-up alike. */
    public static TcpOptions defaults(Duration timeout) {
        return new TcpOptions(timeout, timeout, DEFAULT_CHUNK_BYTES, DEFAULT_SMALL_MAX_BYTES, DEFAULT_SOCKET_BUFFER_BYTES,
                DEFAULT_MAX_MESSAGE_BYTES);
    }

    public TcpOptions withSmallMaxBytes(int bytes) {
        return new TcpOptions(timeout, setupTimeout, chunkBytes, bytes, socketBufferBytes, maxMessageBytes);
    }

    public TcpOptions withSetupTimeout(Duration setup) {
        return new TcpOptions(timeout, setup, chunkBytes, smallMaxBytes, socketBufferBytes, maxMessageBytes);
    }

    public TcpOptions withChunkBytes(int bytes) {
        return new TcpOptions(timeout, setupTimeout, bytes, Math.min(smallMaxBytes, bytes), socketBufferBytes, maxMessageBytes);
    }

    public TcpOptions withSocketBufferBytes(int bytes) {
        return new TcpOptions(timeout, setupTimeout, chunkBytes, smallMaxBytes, bytes, maxMessageBytes);
    }

    public TcpOptions withMaxMessageBytes(int bytes) {
        return new TcpOptions(timeout, setupTimeout, chunkBytes, smallMaxBytes, socketBufferBytes, bytes);
    }
}
