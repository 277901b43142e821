package io.ringfold.serving.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One connection's requests: hands each aggregated request to the {@link Router} and writes the replies
 * in request order (HTTP/1.1 pipelining), on the channel's event loop, whatever order they complete in.
 *
 * <p>Backpressure: at most {@code maxPipelined} requests are being answered at once; requests read beyond
 * that wait, copied off the network buffers, and the connection is not read again until they have been taken
 * up and the client reads its replies (the channel is writable again). A client that sends without reading
 * therefore holds at most one read's worth of requests, {@code maxPipelined} replies and the channel's write
 * buffer, and then waits in its own socket. During a drain ({@link HttpServer#startClosing}) the last reply
 * owed carries {@code Connection: close} and the connection closes after it.
 */
final class HttpRequestHandler extends ChannelInboundHandlerAdapter {

    /** A request read off the network, or a refusal decided for the connection, waiting for its turn. */
    private record Received(String method, String path, List<String> authorization, String ifNoneMatch,
                            String requestId, boolean keepAlive, Throwable malformed, byte[] body, long startNanos,
                            long epochMillis, HttpReply refusal, String jsonHeaderLength) {
    }

    /** A request awaiting its reply, with what the access log needs of it (never its headers or body). */
    private record Pending(CompletableFuture<HttpReply> reply, boolean keepAlive, boolean logged, long startNanos,
                           long epochMillis, String method, String path, long bytesIn, String requestId) {
    }

    /** The client's request id, logged when given (a common convention; not part of either protocol). */
    static final String REQUEST_ID = "X-Request-Id";

    private final Router router;
    private final HttpServer.Counters counters;
    private final Guard guard;
    private final int maxPipelined;
    private final ConnectionLimiter limiter;
    private final ArrayDeque<Received> waiting = new ArrayDeque<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** A reply that closes the connection is owed: nothing read after its request is answered. */
    private boolean closeOwed;
    private boolean draining;
    /** {@link #drive} runs; a write it makes can report a writability change, which must not start another. */
    private boolean driving;
    private boolean driveAgain;

    /** @param limiter the connection's deadlines, told when a request has arrived and when the server waits; or null */
    HttpRequestHandler(Router router, HttpServer.Counters counters, Guard guard, int maxPipelined,
                       ConnectionLimiter limiter) {
        this.router = router;
        this.counters = counters;
        this.guard = guard;
        this.maxPipelined = maxPipelined;
        this.limiter = limiter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest req) {
            try {
                if (limiter != null) {
                    limiter.requestReceived();
                }
                if (!closeOwed) {
                    waiting.add(received(req));
                }
            } finally {
                req.release();
            }
            drive(ctx);
        } else if (msg instanceof Refusal r) {
            if (limiter != null) {
                limiter.requestReceived();
            }
            if (!closeOwed) {
                waiting.add(new Received("", "", List.of(), null, null, false, null, null, System.nanoTime(), 0,
                        r.reply(), null));
            }
            drive(ctx);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private Received received(FullHttpRequest req) {
        boolean log = guard.logging();
        Throwable malformed = req.decoderResult().isSuccess() ? null : req.decoderResult().cause();
        return new Received(req.method().name(), new QueryStringDecoder(req.uri()).rawPath(),
                req.headers().getAll(HttpHeaderNames.AUTHORIZATION), req.headers().get(HttpHeaderNames.IF_NONE_MATCH),
                log ? req.headers().get(REQUEST_ID) : null, malformed == null && HttpUtil.isKeepAlive(req), malformed,
                ByteBufUtil.getBytes(req.content()), System.nanoTime(), log ? System.currentTimeMillis() : 0, null,
                req.headers().get(Router.INFERENCE_HEADER_LENGTH));
    }

    /**
     * Writes the replies that are ready, in order; takes up waiting requests while fewer than
     * {@code maxPipelined} are being answered and the client reads; then reads again only if there is room.
     */
    private void drive(ChannelHandlerContext ctx) {
        if (driving) {
            driveAgain = true;
            return;
        }
        driving = true;
        try {
            do {
                driveAgain = false;
                driveOnce(ctx);
            } while (driveAgain);
        } finally {
            driving = false;
        }
    }

    private void driveOnce(ChannelHandlerContext ctx) {
        while (true) {
            writeReady(ctx);
            if (closeOwed || waiting.isEmpty() || pending.size() >= maxPipelined || !ctx.channel().isWritable()) {
                break;
            }
            start(ctx, waiting.poll());
        }
        if (closeOwed) {
            waiting.clear();
        }
        boolean read = !closeOwed && waiting.isEmpty() && pending.size() < maxPipelined && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
        if (limiter != null) {
            limiter.waitingForClient(ctx, pending.isEmpty() && waiting.isEmpty() || !ctx.channel().isWritable());
        }
    }

    private void start(ChannelHandlerContext ctx, Received r) {
        CompletableFuture<HttpReply> reply;
        boolean keepAlive = r.keepAlive();
        // Counted before the request can reach a model's queue, as the gRPC service does.
        counters.inFlight.incrementAndGet();
        try {
            if (r.refusal() != null) {
                reply = CompletableFuture.completedFuture(r.refusal());
            } else if (r.malformed() != null) {
                reply = CompletableFuture.completedFuture(HttpReply.error(400, "malformed HTTP request: "
                        + r.malformed()));
            } else {
                HttpReply refused = guard.refusal(r.path(), r.authorization());
                reply = refused != null ? CompletableFuture.completedFuture(refused)
                        : router.route(r.method(), r.path(), r.body(), r.ifNoneMatch(), r.jsonHeaderLength());
            }
        } catch (RuntimeException | Error e) {
            counters.inFlight.decrementAndGet();
            throw e;
        }
        closeOwed |= !keepAlive;
        // Refusals by the connection's own handlers are not logged, like 413s: they carry no request to name.
        boolean logged = guard.logging() && r.refusal() == null;
        pending.add(new Pending(reply, keepAlive, logged, r.startNanos(), r.epochMillis(), r.method(), r.path(),
                r.body() == null ? 0 : r.body().length, r.requestId()));
        if (!reply.isDone()) {
            reply.whenComplete((x, e) -> ctx.executor().execute(() -> drive(ctx)));
        }
    }

    private void writeReady(ChannelHandlerContext ctx) {
        while (!pending.isEmpty() && pending.peek().reply().isDone()) {
            Pending p = pending.poll();
            HttpReply r = p.reply().join();
            counters.inFlight.decrementAndGet();
            counters.responded(r.status());
            // Draining: the last reply owed closes the connection, so the client opens its next one elsewhere.
            boolean keepAlive = p.keepAlive() && !(draining && pending.isEmpty() && waiting.isEmpty());
            closeOwed |= !keepAlive;
            ChannelFuture written = ctx.writeAndFlush(response(r, keepAlive));
            if (p.logged()) {
                written.addListener(f -> guard.log(access(ctx, p, r)));
            }
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        drive(ctx);
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ConnectionLimiter.Draining.INSTANCE) {
            draining = true;
            drive(ctx);
        }
        super.userEventTriggered(ctx, evt);
    }

    private static AccessRecord access(ChannelHandlerContext ctx, Pending p, HttpReply r) {
        String[] mv = AccessRecord.modelAndVersion(p.path());
        String version = r.servedVersion() >= 0 ? Long.toString(r.servedVersion()) : mv[1];
        return new AccessRecord(p.epochMillis(), remote(ctx.channel().remoteAddress()), p.method(), p.path(),
                r.status(), p.bytesIn(), r.body().length, (System.nanoTime() - p.startNanos()) / 1000, mv[0], version,
                p.requestId());
    }

    /** {@code 10.0.0.7:53422} rather than InetSocketAddress's {@code /10.0.0.7:53422}. */
    private static String remote(SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.getAddress() != null) {
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    static FullHttpResponse response(HttpReply r, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        // The JSON type as Netty's AsciiString constant: no conversion from a String on every response.
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpReply.JSON_TYPE.equals(r.contentType())
                ? HttpHeaderValues.APPLICATION_JSON : r.contentType());
        if (r.status() != 304) {
            // A 304's Content-Length would describe the 200 body it stands for (RFC 9110 8.6); send none.
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        }
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            res.headers().set(h.getKey(), h.getValue());
        }
        if (!keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return res;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // Replies nobody will read still end; they leave the in-flight count as they complete.
        for (Pending p : pending) {
            p.reply().whenComplete((r, e) -> counters.inFlight.decrementAndGet());
        }
        pending.clear();
        waiting.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection-level failures (reset by peer, TLS-less garbage): nothing to answer, close.
        ctx.close();
    }
}
