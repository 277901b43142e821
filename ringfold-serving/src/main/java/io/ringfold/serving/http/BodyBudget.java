package io.ringfold.serving.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.ringfold.serving.metrics.ConnectionMetrics;
import io.ringfold.serving.metrics.ConnectionMetrics.Closure;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Holds the request bodies being received, across every connection of the port, to one shared budget
 * ({@code --max-buffered-body-bytes}): a request whose declared length, or whose body so far, would pass it
 * is answered 503 (in order, through {@link HttpRequestHandler}) and its connection closed, instead of the
 * server committing memory it does not have. A body's bytes count from its first chunk until the whole
 * request has been handed on (and copied off the network buffers).
 */
final class BodyBudget extends ChannelInboundHandlerAdapter {

    private final AtomicLong inUse;
    private final long budget;
    private final ConnectionMetrics metrics;
    private long held;
    private boolean refused;

    /** @param inUse the port's shared count of body bytes held */
    BodyBudget(AtomicLong inUse, long budget, ConnectionMetrics metrics) {
        this.inUse = inUse;
        this.budget = budget;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head && HttpUtil.getContentLength(head, 0L) > budget - inUse.get()) {
            refuse(ctx, msg, HttpUtil.getContentLength(head, 0L));
            return;
        }
        if (msg instanceof HttpContent c && c.content().readableBytes() > 0) {
            int n = c.content().readableBytes();
            if (inUse.addAndGet(n) > budget) {
                inUse.addAndGet(-n);
                refuse(ctx, msg, held + n);
                return;
            }
            held += n;
        }
        try {
            ctx.fireChannelRead(msg);
        } finally {
            if (msg instanceof LastHttpContent) {
                release();
            }
        }
    }

    private void refuse(ChannelHandlerContext ctx, Object msg, long bytes) {
        ReferenceCountUtil.release(msg);
        release();
        refused = true;
        metrics.closedBy(Closure.BUFFERED_BYTES);
        ctx.fireChannelRead(new Refusal(HttpReply.error(503, "server busy: a request body of " + bytes
                + " bytes does not fit in what is left of the bytes all clients' bodies may hold while they arrive ("
                + budget + "; see --max-buffered-body-bytes); retry later").withHeader("Retry-After", "1")));
    }

    private void release() {
        if (held > 0) {
            inUse.addAndGet(-held);
            held = 0;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release();
        super.channelInactive(ctx);
    }
}
