package io.ringfold.collective;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The first message on every set-up connection: magic, protocol version, kind (a rendezvous request or
 * a mesh connection), rank and world size, and for a rendezvous request the address the rank listens
 * on. The accepting side reads it with a deadline of its own ({@link #TIMEOUT_MILLIS}) and at most
 * {@link #MAX_BYTES} bytes, so that a connection that is not a Ringfold rank (a port scanner, a health
 * check, an HTTP client, a rank of another Ringfold version) costs at most that before it is found out
 * as a {@link Stray} and set aside.
 *
 * @param kind {@link #RENDEZVOUS} or {@link #MESH}
 * @param host for a rendezvous request, the host the rank listens on; else null
 * @param port for a rendezvous request, the port the rank listens on; else 0
 */
record TcpHello(byte kind, int rank, int size, String host, int port) {

    static final byte RENDEZVOUS = 1;
    static final byte MESH = 2;

    /**
     * How long an accepted connection may take to send its hello. A rank sends it as soon as it has
     * connected, so this only bounds what a silent stray costs the set-up.
     */
    static final int TIMEOUT_MILLIS = 2000;
    /** A host is an address literal (at most 45 characters for IPv6) or a name (at most 253). */
    static final int MAX_HOST_BYTES = 255;
    /** The longest hello: magic, version, kind, rank, size, then a host's length, the host and a port. */
    static final int MAX_BYTES = 4 + 1 + 1 + 4 + 4 + 2 + MAX_HOST_BYTES + 4;

    /** The hello as {@link java.io.DataOutputStream} writes it (big-endian; the host as modified UTF-8). */
    byte[] encode() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(Frame.MAGIC);
        d.writeByte(Frame.VERSION);
        d.writeByte(kind);
        d.writeInt(rank);
        d.writeInt(size);
        if (kind == RENDEZVOUS) {
            d.writeUTF(host);
            d.writeInt(port);
        }
        return b.toByteArray();
    }

    /**
     * Reads a hello from a blocking channel until {@code until} ({@link System#nanoTime()}), reading no
     * byte past it. Throws {@link Stray}, naming what arrived, when the connection closes, fails, stays
     * silent or sends something that is not a hello of this protocol version.
     */
    static TcpHello read(SocketChannel channel, long until) throws Stray {
        Reader in = new Reader(channel, until);
        int magic = in.int32();
        if (magic != Frame.MAGIC) {
            throw new Stray("it began with " + in.shown() + " (expected: magic 0x" + Integer.toHexString(Frame.MAGIC)
                    + ", a Ringfold hello)", false);
        }
        byte version = in.bytes(1).get();
        if (version != Frame.VERSION) {
            throw new Stray("it speaks Ringfold protocol version " + version + " (expected: " + Frame.VERSION
                    + "; mixed Ringfold versions)", true);
        }
        byte kind = in.bytes(1).get();
        if (kind != RENDEZVOUS && kind != MESH) {
            throw new Stray("it sent a hello of kind " + kind + " (expected: " + RENDEZVOUS + ", a rendezvous request, or "
                    + MESH + ", a mesh connection)", true);
        }
        int rank = in.int32();
        int size = in.int32();
        if (kind == MESH) {
            return new TcpHello(kind, rank, size, null, 0);
        }
        int length = Short.toUnsignedInt(in.bytes(2).getShort());
        if (length > MAX_HOST_BYTES) {
            throw new Stray("it sent a host of " + length + " bytes (expected: at most " + MAX_HOST_BYTES + ")", true);
        }
        ByteBuffer hostBytes = in.bytes(length);
        // An address literal or a host name: ASCII, where modified UTF-8 and UTF-8 agree.
        String host = new String(hostBytes.array(), hostBytes.position(), length, StandardCharsets.UTF_8);
        return new TcpHello(kind, rank, size, host, in.int32());
    }

    /** A connection that did not send a hello; the message says what it did. */
    static final class Stray extends Exception {

        private static final long serialVersionUID = 1L;

        /** Whether it began as a Ringfold hello: then a refusal is worth sending, as the peer reads one. */
        final boolean ringfold;

        Stray(String message, boolean ringfold) {
            super(message, null, false, false); // an expected outcome: no stack trace to fill in
            this.ringfold = ringfold;
        }
    }

    /** Exact reads, each waiting at most until the hello's deadline; keeps what arrived, for the message. */
    private static final class Reader {

        private final SocketChannel channel;
        private final long until;
        private final long start = System.nanoTime();
        private final byte[] got = new byte[MAX_BYTES];
        private int n;

        Reader(SocketChannel channel, long until) {
            this.channel = channel;
            this.until = until;
        }

        int int32() throws Stray {
            return bytes(4).getInt();
        }

        /** The next {@code count} bytes, as a big-endian buffer positioned at them. */
        ByteBuffer bytes(int count) throws Stray {
            int from = n;
            try {
                InputStream s = channel.socket().getInputStream();
                while (n < from + count) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException();
                    }
                    channel.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
                    int r = s.read(got, n, from + count - n);
                    if (r < 0) {
                        throw new Stray(n == 0 ? "it closed the connection without sending anything"
                                : "it sent " + received() + ", and closed the connection (expected: a whole hello)", false);
                    }
                    n += r;
                }
            } catch (SocketTimeoutException e) {
                throw new Stray((n == 0 ? "it sent nothing" : "it sent " + received() + ", and then nothing") + " for "
                        + (System.nanoTime() - start) / 1_000_000 + " ms (expected: a hello at once)", false);
            } catch (IOException e) {
                throw new Stray((n == 0 ? "" : "it sent " + received() + ", then ") + "the connection failed: "
                        + CollectiveException.reason(e), false);
            }
            return ByteBuffer.wrap(got, from, count);
        }

        /** "5 bytes, 0x474554202f ("GET /")". */
        String received() {
            return n + (n == 1 ? " byte, " : " bytes, ") + shown();
        }

        /** The bytes so far in hex and as text (printable ones as they are, others as dots): 0x47455420 ("GET "). */
        String shown() {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < n; i++) {
                int c = got[i] & 0xff;
                text.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
            }
            return "0x" + HexFormat.of().formatHex(got, 0, n) + " (\"" + text + "\")";
        }
    }
}
