package io.ringfold.collective;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * The connection to one peer: a non-blocking channel and one outgoing and one incoming frame buffer
 * (direct, allocated on first use and reused by every call), with typed views of their payloads so
 * that arrays are copied in and out in bulk.
 */
final class TcpLink {

    final int peer;
    final InetSocketAddress address;
    final SocketChannel channel;
    /** "rank 2 (10.0.0.3:40123)", for messages. */
    final String name;
    SelectionKey key;
    int interest;
    /** A frame is partly written: nothing else (not even an abort notice) may be written now. */
    boolean midFrame;

    ByteBuffer out;
    ByteBuffer in;
    ByteBuffer outPayload;
    ByteBuffer inPayload;
    FloatBuffer outF;
    FloatBuffer inF;
    DoubleBuffer outD;
    DoubleBuffer inD;
    LongBuffer outL;
    LongBuffer inL;

    TcpLink(int peer, InetSocketAddress address, SocketChannel channel) {
        this.peer = peer;
        this.address = address;
        this.channel = channel;
        this.name = "rank " + peer + " (" + TcpEndpoint.format(address) + ")";
    }

    void ensureBuffers(int payloadCapacity) {
        if (out != null) {
            return;
        }
        out = ByteBuffer.allocateDirect(Frame.HEADER + payloadCapacity).order(ByteOrder.LITTLE_ENDIAN);
        in = ByteBuffer.allocateDirect(Frame.HEADER + payloadCapacity).order(ByteOrder.LITTLE_ENDIAN);
        outPayload = out.position(Frame.HEADER).slice().order(ByteOrder.LITTLE_ENDIAN);
        inPayload = in.position(Frame.HEADER).slice().order(ByteOrder.LITTLE_ENDIAN);
        out.clear();
        in.clear();
        outF = outPayload.asFloatBuffer();
        inF = inPayload.asFloatBuffer();
        outD = outPayload.asDoubleBuffer();
        inD = inPayload.asDoubleBuffer();
        outL = outPayload.asLongBuffer();
        inL = inPayload.asLongBuffer();
    }
}
