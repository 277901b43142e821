package io.ringfold.serving.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.util.List;

/**
 * The first handler of a TLS port: once the first record header (5 bytes) has arrived it puts the
 * {@link SslHandler} in its own place when the bytes are TLS, and otherwise answers a plain-text HTTP 400
 * ("use https") and closes, so that {@code curl http://} to a TLS port gets a reason rather than a reset.
 * The handshake must finish within the handshake timeout; a client that sends nothing at all is closed by
 * {@link ConnectionLimiter}'s idle timeout.
 */
final class TlsGate extends ByteToMessageDecoder {

    private static final byte[] PLAIN_REFUSAL = RawResponse.error(400, "Bad Request",
            "plain HTTP sent to a TLS port (expected: https://)");

    private final SslContext tls;
    private final HttpServer.Counters counters;
    private final long handshakeTimeoutMillis;

    TlsGate(SslContext tls, HttpServer.Counters counters, long handshakeTimeoutMillis) {
        this.tls = tls;
        this.counters = counters;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 5) {
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            // Removing this decoder hands the bytes read so far to the SslHandler that takes its place.
            SslHandler handler = tls.newHandler(ctx.alloc());
            handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
            ctx.pipeline().addAfter(ctx.name(), "tls", handler);
            ctx.pipeline().remove(this);
        } else {
            in.skipBytes(in.readableBytes());
            counters.responded(400);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(PLAIN_REFUSAL)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
