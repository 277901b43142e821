package io.ringfold.serving.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.ringfold.serving.connection.ConnectionLimits;
import io.ringfold.serving.metrics.ConnectionMetrics;
import io.ringfold.serving.metrics.ServingMetrics;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Netty HTTP/1.1 server. Each connection's pipeline: TLS (optional), the connection's limits and deadlines
 * ({@link ConnectionLimiter}), the codec, the shared budget of bodies being received ({@link BodyBudget}), body
 * aggregation with a size limit (413), then the requests in order ({@link HttpRequestHandler}) to the
 * {@link Router}.
 */
public final class HttpServer implements AutoCloseable {

    /** Requests received and not yet answered, and responses by status. */
    static final class Counters {
        final AtomicInteger inFlight = new AtomicInteger();
        private final ServingMetrics metrics;
        private final ConnectionMetrics connections;

        Counters(ServingMetrics metrics) {
            this(metrics, metrics.httpConnections());
        }

        Counters(ServingMetrics metrics, ConnectionMetrics connections) {
            this.metrics = metrics;
            this.connections = connections;
        }

        void responded(int status) {
            metrics.httpResponse(status);
        }

        ConnectionMetrics connections() {
            return connections;
        }
    }

    /** What every connection's handlers share. */
    record Settings(int maxBodyBytes, Router router, Counters counters, Guard guard, ConnectionLimits limits,
                    AtomicLong bodyBytes) {
    }

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;
    private final Counters counters;
    private final ChannelGroup connections;
    /** Set by {@link #startClosing}; a connection that joins later drains from its start. */
    private volatile boolean closing;

    /**
     * Binds {@code host:port} (port 0: any free port), default limits, no TLS, no token.
     *
     * @param maxBodyBytes a larger request body is refused with 413
     */
    public HttpServer(String host, int port, int maxBodyBytes, Router router, ServingMetrics metrics)
            throws InterruptedException {
        this(host, port, maxBodyBytes, router, metrics, null, Guard.OPEN, ConnectionLimits.defaults());
    }

    /**
     * Binds {@code host:port} (port 0: any free port), speaking HTTP/1.1 over TLS when {@code tls} is given.
     *
     * @param maxBodyBytes a larger request body is refused with 413
     * @param tls          the server TLS context, or null for plain HTTP
     * @param guard        the token check and access log every request passes
     * @param limits       connections, deadlines, pipelining and buffered bytes allowed to clients
     */
    public HttpServer(String host, int port, int maxBodyBytes, Router router, ServingMetrics metrics, SslContext tls,
                      Guard guard, ConnectionLimits limits) throws InterruptedException {
        this(host, port, maxBodyBytes, router, metrics, tls, guard, limits, false);
    }

    /**
     * As above; {@code admin} marks the admin port ({@code --admin-port}), whose connections are counted apart
     * ({@code protocol="admin"}) and whose buffers the public port's gauges leave out.
     */
    public HttpServer(String host, int port, int maxBodyBytes, Router router, ServingMetrics metrics, SslContext tls,
                      Guard guard, ConnectionLimits limits, boolean admin) throws InterruptedException {
        this.counters = new Counters(metrics, admin ? metrics.adminConnections() : metrics.httpConnections());
        this.boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), NioIoHandler.newFactory());
        this.connections = new DefaultChannelGroup("http-connections", GlobalEventExecutor.INSTANCE);
        Settings settings = new Settings(maxBodyBytes, router, counters, guard, limits, new AtomicLong());
        if (!admin) {
            metrics.bufferedBodyBytes(settings.bodyBytes()::get);
        }
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        if (tls != null) {
                            ch.pipeline().addLast(new TlsGate(tls, counters, limits.handshakeTimeout().toMillis()));
                        }
                        addHandlers(ch.pipeline(), settings, tls != null);
                        // After joining the group: either startClosing's loop sees this connection or it sees the flag.
                        if (closing) {
                            ch.pipeline().fireUserEventTriggered(ConnectionLimiter.Draining.INSTANCE);
                        }
                    }
                });
        try {
            this.channel = b.bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        ByteBufAllocator alloc = channel.config().getAllocator();
        if (!admin && alloc instanceof ByteBufAllocatorMetricProvider m) {
            metrics.networkBufferBytes(() -> m.metric().usedDirectMemory() + m.metric().usedHeapMemory());
        }
    }

    /**
     * Everything after the HTTP codec, with default limits and no connection deadlines: for in-process tests,
     * which write decoded requests and read response objects.
     */
    static void addHandlers(ChannelPipeline p, int maxBodyBytes, Router router, Counters counters) {
        addHandlers(p, maxBodyBytes, router, counters, Guard.OPEN);
    }

    /** As above, every request passing {@code guard} (token check, access log) before the router. */
    static void addHandlers(ChannelPipeline p, int maxBodyBytes, Router router, Counters counters, Guard guard) {
        ConnectionLimits limits = ConnectionLimits.defaults();
        p.addLast(new BodyBudget(new AtomicLong(), limits.maxBufferedBodyBytes(), counters.connections()),
                new LimitedAggregator(maxBodyBytes),
                new HttpRequestHandler(router, counters, guard, limits.maxPipelinedRequests(), null));
    }

    /** Everything after the TLS handler, as every connection of a server has it. */
    private static void addHandlers(ChannelPipeline p, Settings s, boolean tls) {
        ConnectionLimiter limiter = new ConnectionLimiter(s.limits(), s.counters().connections(), tls);
        p.addLast(limiter, new HttpServerCodec(),
                new BodyBudget(s.bodyBytes(), s.limits().maxBufferedBodyBytes(), s.counters().connections()),
                new LimitedAggregator(s.maxBodyBytes()),
                new HttpRequestHandler(s.router(), s.counters(), s.guard(), s.limits().maxPipelinedRequests(), limiter));
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Requests received and not yet answered. */
    public int inFlight() {
        return counters.inFlight.get();
    }

    /** Open connections. */
    public int connections() {
        return connections.size();
    }

    /** Stops accepting connections; open connections stay until they close or {@link #close()}. */
    public void stopAccepting() throws InterruptedException {
        channel.close().sync();
    }

    /**
     * The drain's second step: every open connection closes after the replies it is owed (the last one carries
     * {@code Connection: close}), and one with nothing owed closes once it has been quiet for
     * {@link ConnectionLimiter#DRAIN_QUIET_MILLIS}.
     */
    public void startClosing() {
        closing = true;
        for (Channel c : connections) {
            c.pipeline().fireUserEventTriggered(ConnectionLimiter.Draining.INSTANCE);
        }
    }

    /**
     * Waits until every connection has closed or {@code deadlineNanos} (System.nanoTime) passes; true when
     * none is left. An interrupt ends the wait early and stays set on the thread.
     */
    public boolean awaitConnectionsClosed(long deadlineNanos) {
        while (!connections.isEmpty()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.min(10, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Closes the port and every connection; an interrupt ends the wait early and stays set on the thread. */
    @Override
    public void close() {
        try {
            channel.close().sync();
            connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Answers an over-long body with 413 and a JSON error instead of Netty's empty response. */
    private static final class LimitedAggregator extends HttpObjectAggregator {
        private final int max;

        LimitedAggregator(int max) {
            super(max);
            this.max = max;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            // Through the request handler, after the replies owed for earlier requests; the connection then closes.
            ctx.fireChannelRead(new Refusal(HttpReply.error(413, "request body: larger than " + max
                    + " bytes (expected: at most " + max + "; see --max-body-bytes)")));
        }
    }
}
