package io.ringfold.serving.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One connection's requests: hands each aggregated request to the {@link Router} and writes the replies
 * in request order (HTTP/1.1 pipelining), on the channel's event loop, whatever order they complete in.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** A request awaiting its reply, with what the access log needs of it (never its headers or body). */
    private record Pending(CompletableFuture<HttpReply> reply, boolean keepAlive, long startNanos, long epochMillis,
                           String method, String path, long bytesIn, String requestId) {
    }

    /** The client's request id, logged when given (a common convention; not part of either protocol). */
    static final String REQUEST_ID = "X-Request-Id";

    private final Router router;
    private final HttpServer.Counters counters;
    private final Guard guard;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    HttpRequestHandler(Router router, HttpServer.Counters counters, Guard guard) {
        this.router = router;
        this.counters = counters;
        this.guard = guard;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        long start = System.nanoTime();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        CompletableFuture<HttpReply> reply;
        String path = new QueryStringDecoder(req.uri()).rawPath();
        // Counted before the request can reach a model's queue, as the gRPC service does: a shutdown that
        // reads zero in flight must not stop accepting while a dispatched request is being computed (it
        // did, rarely: the batch thread could start before this thread counted the request).
        counters.inFlight.incrementAndGet();
        try {
            if (!req.decoderResult().isSuccess()) {
                reply = CompletableFuture.completedFuture(HttpReply.error(400, "malformed HTTP request: "
                        + req.decoderResult().cause()));
                keepAlive = false;
            } else {
                HttpReply refused = guard.refusal(path, req.headers().getAll(HttpHeaderNames.AUTHORIZATION));
                reply = refused != null ? CompletableFuture.completedFuture(refused)
                        : router.route(req.method().name(), path, ByteBufUtil.getBytes(req.content()),
                        req.headers().get(HttpHeaderNames.IF_NONE_MATCH));
            }
        } catch (RuntimeException | Error e) {
            counters.inFlight.decrementAndGet();
            throw e;
        }
        boolean log = guard.logging();
        pending.add(new Pending(reply, keepAlive, start, log ? System.currentTimeMillis() : 0, req.method().name(), path,
                req.content().readableBytes(), log ? req.headers().get(REQUEST_ID) : null));
        if (reply.isDone()) {
            // Answered already (inline compute, errors, probes): write now rather than through a task queued
            // on this same event loop.
            flush(ctx);
        } else {
            reply.whenComplete((r, e) -> ctx.executor().execute(() -> flush(ctx)));
        }
    }

    private void flush(ChannelHandlerContext ctx) {
        while (!pending.isEmpty() && pending.peek().reply().isDone()) {
            Pending p = pending.poll();
            HttpReply r = p.reply().join();
            counters.inFlight.decrementAndGet();
            counters.responded(r.status());
            FullHttpResponse res = response(r, p.keepAlive());
            ChannelFuture written = ctx.writeAndFlush(res);
            if (guard.logging()) {
                written.addListener(f -> guard.log(access(ctx, p, r)));
            }
            if (!p.keepAlive()) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }
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
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection-level failures (reset by peer, TLS-less garbage): nothing to answer, close.
        ctx.close();
    }
}
