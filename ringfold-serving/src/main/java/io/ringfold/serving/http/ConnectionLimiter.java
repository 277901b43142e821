package io.ringfold.serving.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringfold.serving.connection.ConnectionLimits;
import io.ringfold.serving.metrics.ConnectionMetrics;
import io.ringfold.serving.metrics.ConnectionMetrics.Closure;

import java.util.concurrent.TimeUnit;

/**
 * The first handler after TLS on an HTTP connection: it counts the connection against
 * {@code --max-connections} (one too many is answered 503 and closed; on a TLS port, where no plain reply can
 * be read, just closed) and keeps the connection's two deadlines. While the server waits for the client (no
 * request in progress, or replies written and not read), the connection closes after the idle timeout; once a
 * request's first byte has arrived, all of it must arrive within the request timeout, else 408 and close.
 * During a drain ({@link HttpServer#startClosing}) the idle timeout shortens to {@link #DRAIN_QUIET_MILLIS}.
 * {@link HttpRequestHandler} reports when a request has arrived and when it waits for the client.
 */
final class ConnectionLimiter extends ChannelDuplexHandler {

    /** How long a draining connection must stay quiet before it is closed under a client that might reuse it. */
    static final long DRAIN_QUIET_MILLIS = 1000;

    /** Fired down the pipeline by {@link HttpServer#startClosing}: the server is draining. */
    enum Draining { INSTANCE }

    private final ConnectionLimits limits;
    private final ConnectionMetrics metrics;
    private final boolean tls;
    private boolean counted;
    private boolean refused;
    private boolean receiving;
    private boolean waitingForClient = true;
    private boolean draining;
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> requestTimer;

    ConnectionLimiter(ConnectionLimits limits, ConnectionMetrics metrics, boolean tls) {
        this.limits = limits;
        this.metrics = metrics;
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!metrics.tryOpen(limits.maxConnections())) {
            refused = true;
            if (tls) {
                ctx.close();
            } else {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(RawResponse.error(503, "Service Unavailable",
                        "too many connections: " + limits.maxConnections() + " open (expected: at most "
                                + limits.maxConnections() + "; see --max-connections); retry later", "Retry-After: 1")))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        counted = true;
        armIdle(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        if (counted) {
            counted = false;
            metrics.closed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        cancelIdle();
        if (!receiving) {
            receiving = true;
            requestTimer = ctx.executor().schedule(() -> requestTooSlow(ctx), limits.requestTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == Draining.INSTANCE) {
            draining = true;
            if (idleTimer != null) {
                cancelIdle();
                armIdle(ctx);
            }
        } else if (evt instanceof SslHandshakeCompletionEvent e && e.cause() instanceof SslHandshakeTimeoutException) {
            metrics.closedBy(Closure.HANDSHAKE_TIMEOUT);
        }
        super.userEventTriggered(ctx, evt);
    }

    /** A whole request has arrived: its deadline is met. */
    void requestReceived() {
        receiving = false;
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
    }

    /**
     * Whether the server now waits for the client: nothing owed to it, or replies it is not reading. Idle time
     * counts only then (and not while a request arrives); time the server spends computing never does.
     */
    void waitingForClient(ChannelHandlerContext ctx, boolean waiting) {
        waitingForClient = waiting;
        if (!waiting) {
            cancelIdle();
        } else if (idleTimer == null && !receiving) {
            armIdle(ctx);
        }
    }

    private void armIdle(ChannelHandlerContext ctx) {
        long millis = limits.idleTimeout().toMillis();
        if (draining) {
            millis = Math.min(millis, DRAIN_QUIET_MILLIS);
        }
        idleTimer = ctx.executor().schedule(() -> {
            idleTimer = null;
            if (waitingForClient && !receiving && ctx.channel().isActive()) {
                metrics.closedBy(Closure.IDLE);
                ctx.close();
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void requestTooSlow(ChannelHandlerContext ctx) {
        requestTimer = null;
        if (!receiving || !ctx.channel().isActive()) {
            return;
        }
        receiving = false;
        metrics.closedBy(Closure.REQUEST_TIMEOUT);
        // Through the request handler, so that replies owed for earlier requests go out first.
        ctx.fireChannelRead(new Refusal(HttpReply.error(408, "request: not received within "
                + limits.requestTimeout().toSeconds() + " s of its first byte (expected: the whole request, headers"
                + " and body, within --request-timeout-seconds)")));
    }

    private void cancelIdle() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void cancel() {
        cancelIdle();
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
    }
}
