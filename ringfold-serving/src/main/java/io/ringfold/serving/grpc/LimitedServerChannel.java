package io.ringfold.serving.grpc;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.ringfold.serving.metrics.ConnectionMetrics;

import java.util.List;

/**
 * The gRPC port's listening socket, counting the connections it accepts against {@code --max-connections}:
 * one too many is closed before gRPC sees it (its client's call fails with UNAVAILABLE), which costs the
 * server neither a transport nor an HTTP/2 handshake. gRPC's builder offers no hook before the transport;
 * its channel factory is the one place where an accepted connection can be refused.
 */
final class LimitedServerChannel extends NioServerSocketChannel {

    private final ConnectionMetrics metrics;
    private final int max;

    LimitedServerChannel(ConnectionMetrics metrics, int max) {
        this.metrics = metrics;
        this.max = max;
    }

    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
        int before = buf.size();
        int accepted = super.doReadMessages(buf);
        for (int i = buf.size() - 1; i >= before; i--) {
            Channel child = (Channel) buf.get(i);
            if (metrics.tryOpen(max)) {
                child.closeFuture().addListener(f -> metrics.closed());
            } else {
                buf.remove(i);
                child.unsafe().closeForcibly();
            }
        }
        // The count of connections taken from the socket, refused ones included, so the accept loop goes on.
        return accepted;
    }
}
