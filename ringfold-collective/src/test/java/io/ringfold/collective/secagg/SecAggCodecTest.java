package io.ringfold.collective.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.collective.secagg.SecAggMessage.KeysAdvertised;
import io.ringfold.collective.secagg.SecAggMessage.SharesDelivered;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every message through bytes and back; the protocol run over the codec gives the plain sum. */
class SecAggCodecTest {

    private static final long SEED = Long.getLong("ringfold.secagg.seed", 5L);

    @Test
    void aRoundThroughTheCodecGivesThePlainSumAndEveryMessageKeepsItsBytes() {
        Simulation s = new Simulation(SecAggParameters.of(3, 5, 300), SEED);
        List<byte[]> seen = new ArrayList<>();
        SecAggServer server = s.server;
        for (SecAggClient c : s.clients.values()) {
            server.receive((SecAggMessage.ClientMessage) wire(c.advertiseKeys(), seen));
        }
        KeysAdvertised keys = (KeysAdvertised) wire(server.finishAdvertising(), seen);
        for (SecAggClient c : s.clients.values()) {
            server.receive((SecAggMessage.ClientMessage) wire(c.shareKeys(keys), seen));
        }
        Map<Integer, SharesDelivered> delivered = server.finishSharing();
        for (SecAggClient c : s.clients.values()) {
            SharesDelivered d = (SharesDelivered) wire(delivered.get(c.id()), seen);
            server.receive((SecAggMessage.ClientMessage) wire(c.maskedInput(d, s.inputs.get(c.id())), seen));
        }
        UnmaskRequest request = (UnmaskRequest) wire(server.finishMasking(), seen);
        for (SecAggClient c : s.clients.values()) {
            assertThat(server.receive((SecAggMessage.ClientMessage) wire(c.unmask(request), seen)).accepted()).isTrue();
        }

        s.assertPlainSum(server.finishUnmasking(), s.parameters.clients(), SEED);
        assertThat(seen).hasSize(5 * 4 + 5 + 2);
    }

    @Test
    void malformedBytesAreRefusedNamingWhatWasFound() {
        byte[] good = SecAggCodec.encode(new UnmaskRequest(9, List.of(1, 2, 3)));
        byte[] version = good.clone();
        version[0] = 2;
        byte[] type = good.clone();
        type[1] = 42;
        byte[] length = good.clone();
        length[13] = 100;

        assertThatThrownBy(() -> SecAggCodec.decode(version))
                .hasMessage("secure aggregation message: version 2 (expected: 1)");
        assertThatThrownBy(() -> SecAggCodec.decode(type)).hasMessage("secure aggregation message: type 42 (expected: 1..7)");
        assertThatThrownBy(() -> SecAggCodec.decode(length))
                .hasMessage("secure aggregation message: a length of 100 at byte 10 (expected: 0..3, what the 12 bytes"
                        + " left can hold)");
        assertThatThrownBy(() -> SecAggCodec.decode(Arrays.copyOf(good, good.length - 2)))
                .hasMessage("secure aggregation message: a length of 3 at byte 10 (expected: 0..2, what the 10 bytes left"
                        + " can hold)");
        assertThatThrownBy(() -> SecAggCodec.decode(Arrays.copyOf(good, 5)))
                .hasMessage("secure aggregation message: 5 bytes, cut short (expected: the whole message)");
        assertThatThrownBy(() -> SecAggCodec.decode(Arrays.copyOf(good, good.length + 1)))
                .hasMessage("secure aggregation message: 1 bytes after its end (expected: none)");
    }

    /** The message through the codec: what comes back encodes to the same bytes. */
    private static SecAggMessage wire(SecAggMessage m, List<byte[]> seen) {
        byte[] bytes = SecAggCodec.encode(m);
        assertThat(bytes).hasSize(SecAggCodec.size(m));
        SecAggMessage back = SecAggCodec.decode(bytes);
        assertThat(back.getClass()).isEqualTo(m.getClass());
        assertThat(SecAggCodec.encode(back)).isEqualTo(bytes);
        seen.add(bytes);
        return back;
    }
}
