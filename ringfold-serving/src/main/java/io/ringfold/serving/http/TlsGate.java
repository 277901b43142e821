package io.ringfold.serving.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first handler of a TLS port: once the first record header (5 bytes) has arrived it puts the
 * {@link SslHandler} in its own place when the bytes are TLS, and otherwise answers a plain-text HTTP 400
 * ("use https") and closes, so that {@code curl http://} to a TLS port gets a reason rather than a reset.
 */
final class TlsGate extends ByteToMessageDecoder {

    private static final byte[] PLAIN_REFUSAL;

    static {
        byte[] body = "{\"error\":\"plain HTTP sent to a TLS port (expected: https://)\"}".getBytes(StandardCharsets.US_ASCII);
        String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        PLAIN_REFUSAL = new byte[h.length + body.length];
        System.arraycopy(h, 0, PLAIN_REFUSAL, 0, h.length);
        System.arraycopy(body, 0, PLAIN_REFUSAL, h.length, body.length);
    }

    private final SslContext tls;
    private final HttpServer.Counters counters;

    TlsGate(SslContext tls, HttpServer.Counters counters) {
        this.tls = tls;
        this.counters = counters;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 5) {
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            // Removing this decoder hands the bytes read so far to the SslHandler that takes its place.
            ctx.pipeline().addAfter(ctx.name(), "tls", tls.newHandler(ctx.alloc()));
            ctx.pipeline().remove(this);
        } else {
            in.skipBytes(in.readableBytes());
            counters.responded(400);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(PLAIN_REFUSAL)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
