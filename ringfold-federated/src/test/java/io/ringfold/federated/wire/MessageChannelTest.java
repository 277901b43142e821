package io.ringfold.federated.wire;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Frames over a real socket pair: what is read back, and what is refused before anything is allocated. */
class MessageChannelTest {

    private ServerSocket server;
    private Socket writer;
    private MessageChannel reader;

    @BeforeEach
    void connect() throws Exception {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        writer = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        reader = new MessageChannel(server.accept(), "peer-x");
    }

    @AfterEach
    void close() throws Exception {
        reader.close();
        writer.close();
        server.close();
    }

    private long soon() {
        return System.nanoTime() + 5_000_000_000L;
    }

    @Test
    void messagesRoundTrip() throws Exception {
        MessageChannel out = new MessageChannel(writer, "reader");
        var h = Message.newHeader();
        h.put("round", 3);
        out.send(Message.withFloats(MessageType.UPDATE, h, new float[] {1.5f, -0f, Float.MIN_VALUE}));
        Message m = reader.receive(soon(), "UPDATE", 12);
        assertThat(m.type()).isEqualTo(MessageType.UPDATE);
        assertThat(m.header().get("round").asInt()).isEqualTo(3);
        assertThat(m.floats()).containsExactly(1.5f, -0f, Float.MIN_VALUE);
        assertThat(reader.bytesRead()).isEqualTo(out.bytesWritten());
    }

    @Test
    void aBodyBeyondTheLimitIsRefusedFromItsLength() throws Exception {
        DataOutputStream raw = new DataOutputStream(writer.getOutputStream());
        raw.writeByte(MessageType.UPDATE.code());
        raw.writeInt(0);
        raw.writeInt(Integer.MAX_VALUE); // 2 GiB announced, nothing sent: refused without waiting for or allocating it
        raw.flush();
        assertThatThrownBy(() -> reader.receive(soon(), "UPDATE of round 1", 400))
                .isInstanceOf(FederatedException.class)
                .hasMessage("malformed message from peer-x: UPDATE body of 2147483647 bytes (expected: 0..400 for "
                        + "UPDATE of round 1)");
    }

    @Test
    void aHeaderBeyondTheLimitOrNotAnObjectIsRefused() throws Exception {
        DataOutputStream raw = new DataOutputStream(writer.getOutputStream());
        raw.writeByte(MessageType.HELLO.code());
        raw.writeInt(MessageChannel.MAX_HEADER_BYTES + 1);
        raw.writeInt(0);
        raw.flush();
        assertThatThrownBy(() -> reader.receive(soon(), "HELLO", 0)).hasMessageContaining("HELLO header of 1048577 bytes");
    }

    @Test
    void aHeaderThatIsNotAJsonObjectIsRefused() throws Exception {
        DataOutputStream raw = new DataOutputStream(writer.getOutputStream());
        byte[] header = "[1,2]".getBytes(StandardCharsets.UTF_8);
        raw.writeByte(MessageType.HELLO.code());
        raw.writeInt(header.length);
        raw.writeInt(0);
        raw.write(header);
        raw.flush();
        assertThatThrownBy(() -> reader.receive(soon(), "HELLO", 0)).hasMessageContaining("HELLO header is not a JSON object");
    }

    @Test
    void aSilentPeerTimesOutNamingItAndWhatWasAwaited() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> reader.receive(System.nanoTime() + 300_000_000L, "TASK of round 2", 0))
                .isInstanceOf(FederatedException.class).hasMessage("no TASK of round 2 from peer-x within the deadline");
        assertThat((System.nanoTime() - t0) / 1e9).isBetween(0.25, 5.0);
    }

    @Test
    void aClosedConnectionIsLost() throws Exception {
        writer.close();
        assertThatThrownBy(() -> reader.receive(soon(), "UPDATE", 0)).isInstanceOf(ConnectionLostException.class)
                .hasMessage("connection closed by peer-x while waiting for UPDATE");
    }
}
