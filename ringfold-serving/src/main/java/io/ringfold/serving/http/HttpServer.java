package io.ringfold.serving.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.ringfold.serving.metrics.ServingMetrics;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The Netty HTTP/1.1 server: codec, body aggregation with a size limit (413), then the {@link Router}. */
public final class HttpServer implements AutoCloseable {

    /** Requests received and not yet answered, and responses by status. */
    static final class Counters {
        final AtomicInteger inFlight = new AtomicInteger();
        private final ServingMetrics metrics;

        Counters(ServingMetrics metrics) {
            this.metrics = metrics;
        }

        void responded(int status) {
            metrics.httpResponse(status);
        }
    }

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;
    private final Counters counters;

    /**
     * Binds {@code host:port} (port 0: any free port).
     *
     * @param maxBodyBytes a larger request body is refused with 413
     */
    public HttpServer(String host, int port, int maxBodyBytes, Router router, ServingMetrics metrics)
            throws InterruptedException {
        this(host, port, maxBodyBytes, router, metrics, null, Guard.OPEN);
    }

    /**
     * Binds {@code host:port} (port 0: any free port), speaking HTTP/1.1 over TLS when {@code tls} is given.
     *
     * @param maxBodyBytes a larger request body is refused with 413
     * @param tls          the server TLS context, or null for plain HTTP
     * @param guard        the token check and access log every request passes
     */
    public HttpServer(String host, int port, int maxBodyBytes, Router router, ServingMetrics metrics, SslContext tls,
                      Guard guard) throws InterruptedException {
        this.counters = new Counters(metrics);
        this.boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(new TlsGate(tls, counters));
                        }
                        ch.pipeline().addLast(new HttpServerCodec());
                        addHandlers(ch.pipeline(), maxBodyBytes, router, counters, guard);
                    }
                });
        try {
            this.channel = b.bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Everything after the HTTP codec: aggregation with the body limit, then the router. */
    static void addHandlers(ChannelPipeline p, int maxBodyBytes, Router router, Counters counters) {
        addHandlers(p, maxBodyBytes, router, counters, Guard.OPEN);
    }

    /** As above, every request passing {@code guard} (token check, access log) before the router. */
    static void addHandlers(ChannelPipeline p, int maxBodyBytes, Router router, Counters counters, Guard guard) {
        p.addLast(new LimitedAggregator(maxBodyBytes), new HttpRequestHandler(router, counters, guard));
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Requests received and not yet answered. */
    public int inFlight() {
        return counters.inFlight.get();
    }

    /** Stops accepting connections; open connections stay until {@link #close()}. */
    public void stopAccepting() throws InterruptedException {
        channel.close().sync();
    }

    /** Closes the port and every connection; an interrupt ends the wait early and stays set on the thread. */
    @Override
    public void close() {
        try {
            channel.close().sync();
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
            HttpReply r = HttpReply.error(413, "request body: larger than " + max + " bytes (expected: at most "
                    + max + "; see --max-body-bytes)");
            ctx.writeAndFlush(HttpRequestHandler.response(r, false)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
