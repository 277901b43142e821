package io.ringfold.federated.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A socket carrying {@link Message}s, each framed as {@code type (1 byte) | header length (int32) | body length
 * (int32) | header (UTF-8 JSON) | body}, big-endian lengths. A reader states how long it waits and the largest body
 * it takes; lengths beyond the limits, unknown types and headers that are not a JSON object are refused before
 * anything is allocated for them. Every failure names the peer.
 */
public final class MessageChannel implements AutoCloseable {

    /** Headers carry a few small fields (ids, counts, a configuration); anything larger is malformed. */
    public static final int MAX_HEADER_BYTES = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Socket socket;
    private final String peer;
    private final DeadlineStream timed;
    private final DataInputStream in;
    private final DataOutputStream out;
    private long bytesRead;
    private long bytesWritten;

    public MessageChannel(Socket socket, String peer) throws IOException {
        this.socket = socket;
        this.peer = peer;
        socket.setTcpNoDelay(true);
        this.timed = new DeadlineStream(socket);
        this.in = new DataInputStream(timed);
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    }

    /** Who is at the other end, for messages: {@code client site-3 (/10.0.0.7:51234)}. */
    public String peer() {
        return peer;
    }

    /** A new name for the peer once it has said who it is. */
    public MessageChannel renamed(String name) {
        return new MessageChannel(socket, name, timed, in, out);
    }

    private MessageChannel(Socket socket, String peer, DeadlineStream timed, DataInputStream in, DataOutputStream out) {
        this.socket = socket;
        this.peer = peer;
        this.timed = timed;
        this.in = in;
        this.out = out;
    }

    public synchronized void send(Message m) {
        byte[] header = m.header().toString().getBytes(StandardCharsets.UTF_8);
        try {
            out.writeByte(m.type().code());
            out.writeInt(header.length);
            out.writeInt(m.body().length);
            out.write(header);
            out.write(m.body());
            out.flush();
            bytesWritten += 9L + header.length + m.body().length;
        } catch (IOException e) {
            throw new ConnectionLostException("sending " + m.type() + " to " + peer + ": " + e.getMessage(), e);
        }
    }

    /**
     * The next message, waiting at most until {@code deadlineNanos} ({@link System#nanoTime()} clock) for all of it.
     *
     * @param waitingFor what the message should be, for the timeout's message ("UPDATE of round 3")
     * @param maxBodyBytes the largest body accepted
     */
    public Message receive(long deadlineNanos, String waitingFor, long maxBodyBytes) {
        timed.deadline = deadlineNanos;
        try {
            int code = in.readUnsignedByte();
            MessageType type = MessageType.of(code);
            if (type == null) {
                throw malformed("message type " + code + " (expected: 1.." + MessageType.values().length + ")");
            }
            int headerLength = in.readInt();
            int bodyLength = in.readInt();
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw malformed(type + " header of " + headerLength + " bytes (expected: 0.." + MAX_HEADER_BYTES + ")");
            }
            if (bodyLength < 0 || bodyLength > maxBodyBytes) {
                throw malformed(type + " body of " + bodyLength + " bytes (expected: 0.." + maxBodyBytes + " for "
                        + waitingFor + ")");
            }
            byte[] header = new byte[headerLength];
            in.readFully(header);
            byte[] body = new byte[bodyLength];
            in.readFully(body);
            bytesRead += 9L + headerLength + bodyLength;
            JsonNode h;
            try {
                h = headerLength == 0 ? JSON.createObjectNode() : JSON.readTree(header);
            } catch (IOException e) {
                throw malformed(type + " header is not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
            }
            if (!(h instanceof ObjectNode o)) {
                throw malformed(type + " header is not a JSON object");
            }
            return new Message(type, o, body);
        } catch (SocketTimeoutException e) {
            throw new FederatedException("no " + waitingFor + " from " + peer + " within the deadline", e);
        } catch (EOFException | java.net.SocketException e) {
            throw new ConnectionLostException("connection closed by " + peer + " while waiting for " + waitingFor, e);
        } catch (IOException e) {
            throw new FederatedException("reading " + waitingFor + " from " + peer + ": " + e.getMessage(), e);
        }
    }

    private FederatedException malformed(String what) {
        return new FederatedException("malformed message from " + peer + ": " + what);
    }

    public synchronized long bytesWritten() {
        return bytesWritten;
    }

    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is best effort: the peer is being dropped anyway, and its reason was logged.
        }
    }

    /** The socket's input with its read timeout set, before every read, to what is left until the deadline. */
    private static final class DeadlineStream extends InputStream {
        private final Socket socket;
        private final InputStream in;
        volatile long deadline = Long.MAX_VALUE;

        DeadlineStream(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        private void arm() throws IOException {
            long left = deadline == Long.MAX_VALUE ? 0 : (deadline - System.nanoTime()) / 1_000_000;
            if (deadline != Long.MAX_VALUE && left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        }

        @Override
        public int read() throws IOException {
            arm();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return in.read(b, off, len);
        }
    }
}
