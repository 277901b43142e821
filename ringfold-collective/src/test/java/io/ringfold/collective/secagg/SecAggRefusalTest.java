package io.ringfold.collective.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.collective.secagg.SecAggMessage.AdvertiseKeys;
import io.ringfold.collective.secagg.SecAggMessage.EncryptedShare;
import io.ringfold.collective.secagg.SecAggMessage.KeysAdvertised;
import io.ringfold.collective.secagg.SecAggMessage.MaskedInput;
import io.ringfold.collective.secagg.SecAggMessage.RevealedShare;
import io.ringfold.collective.secagg.SecAggMessage.ShareKeys;
import io.ringfold.collective.secagg.SecAggMessage.SharesDelivered;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskRequest;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A bad message excludes its sender, with a reason that names it, and the round goes on: the others' sum
 * comes out exact. Clients 0..7, threshold 5, vectors of 50 elements.
 */
class SecAggRefusalTest {

    private static final long SEED = Long.getLong("ringfold.secagg.seed", 42L);
    private static final long SESSION = 11;

    private final Simulation s = new Simulation(SecAggParameters.of(SESSION, 8, 50), SEED);

    @Test
    void unknownClientIsRefusedAndExcludesNobody() {
        AdvertiseKeys genuine = s.clients.get(0).advertiseKeys();
        Receipt r = s.server.receive(new AdvertiseKeys(SESSION, 99, genuine.encryptionKey(), genuine.maskKey()));

        assertThat(r.accepted()).isFalse();
        assertThat(r.reason()).isEqualTo("secure aggregation session 11: client 99 is not invited (expected: one of 8"
                + " invited clients)");
        assertThat(s.server.receive(genuine).accepted()).isTrue();
        AggregationResult result = runFromSharing(s.finishAdvertisingWithTheOthers());
        assertThat(result.excluded()).isEmpty();
        s.assertPlainSum(result, s.parameters.clients(), SEED);
    }

    @Test
    void wrongLengthVectorExcludesItsSenderWhoseMasksComeOff() {
        UnmaskRequest request = maskRound((id, y) -> id == 3 ? new MaskedInput(SESSION, 3, Arrays.copyOf(y.masked(), 49),
                List.of()) : y, 3, "secure aggregation session 11: client 3 excluded: a masked input of 49 elements"
                + " (expected: vectorLength 50)");

        AggregationResult result = s.unmask(request, Set.of());

        assertThat(result.included()).doesNotContain(3).hasSize(7);
        assertThat(result.excluded()).containsOnlyKeys(3);
        s.assertPlainSum(result, result.included(), SEED);
    }

    @Test
    void secondMessageInOneRoundIsAReplayAndExcludesItsSender() {
        Map<Integer, SharesDelivered> delivered = s.share(s.advertise(Set.of()), Set.of());
        for (SharesDelivered d : delivered.values()) {
            MaskedInput y = s.clients.get(d.recipient()).maskedInput(d, s.inputs.get(d.recipient()));
            assertThat(s.server.receive(y).accepted()).isTrue();
            if (y.client() == 6) {
                Receipt again = s.server.receive(y);
                assertThat(again.accepted()).isFalse();
                assertThat(again.reason()).contains("client 6 excluded: a second MaskedInput in round MASKED_INPUT"
                        + " (expected: one; a replay)");
            }
        }
        AggregationResult result = s.unmask(s.server.finishMasking(), Set.of());

        assertThat(result.included()).doesNotContain(6).hasSize(7);
        s.assertPlainSum(result, result.included(), SEED);
    }

    @Test
    void messageOfAnEarlierRoundOrAnotherSessionIsAReplay() {
        KeysAdvertised keys = s.advertise(Set.of());
        Map<Integer, SharesDelivered> delivered = s.share(keys, Set.of());
        AdvertiseKeys old = keys.keys().get(2);
        Receipt r = s.server.receive(old);
        assertThat(r.reason()).contains("client 2 excluded: AdvertiseKeys while the server is in round MASKED_INPUT"
                + " (expected: a message of that round; a replay or a message out of order)");
        Simulation other = new Simulation(SecAggParameters.of(SESSION - 1, 8, 50), SEED + 1);
        Receipt stale = s.server.receive(other.clients.get(5).advertiseKeys());
        assertThat(stale.reason()).contains("client 5 excluded: AdvertiseKeys of session 10 (expected: 11; a replay"
                + " from another aggregation)");
        assertThat(s.server.receive(s.clients.get(5).maskedInput(delivered.get(5), s.inputs.get(5))).reason())
                .contains("client 5 was excluded earlier");

        AggregationResult result = s.unmask(s.mask(withoutRecipients(delivered, Set.of(5)), Set.of()), Set.of());

        assertThat(result.included()).containsExactly(0, 1, 3, 4, 6, 7);
        assertThat(result.excluded()).containsOnlyKeys(2, 5);
        s.assertPlainSum(result, result.included(), SEED);
    }

    @Test
    void tamperedEncryptedShareIsRefusedByItsRecipientAndItsSenderExcluded() {
        Map<Integer, SharesDelivered> delivered = s.share(s.advertise(Set.of()), Set.of());
        SharesDelivered toFive = delivered.get(5);
        List<EncryptedShare> shares = new ArrayList<>();
        for (EncryptedShare e : toFive.shares()) {
            if (e.from() == 2) {
                byte[] c = e.ciphertext().clone();
                c[40] ^= 1;
                e = new EncryptedShare(e.from(), e.to(), c, e.selfMaskCommitment(), e.maskKeyCommitment());
            }
            shares.add(e);
        }
        Map<Integer, SharesDelivered> tampered = new LinkedHashMap<>(delivered);
        tampered.put(5, new SharesDelivered(SESSION, 5, shares));

        UnmaskRequest request = s.mask(tampered, Set.of());

        assertThat(s.clients.get(5).refusals()).containsOnlyKeys(2);
        assertThat(s.clients.get(5).refusals().get(2)).startsWith("client 5: the share from client 2 failed authentication");
        assertThat(s.maskedInputs.get(5).refusedSenders()).containsExactly(2);
        assertThat(s.server.excluded().get(2)).isEqualTo("secure aggregation session 11: client 2 excluded: its encrypted"
                + " share failed authentication at client 5");
        assertThat(request.survivors()).containsExactly(0, 1, 3, 4, 5, 6, 7);
        AggregationResult result = s.unmask(request, Set.of());
        s.assertPlainSum(result, result.included(), SEED);
    }

    @Test
    void revealedShareThatDoesNotMatchItsCommitmentExcludesItsSenderButNotItsInput() {
        UnmaskRequest request = s.mask(s.share(s.advertise(Set.of()), Set.of()), Set.of(1));
        for (int u : request.survivors()) {
            UnmaskResponse r = s.clients.get(u).unmask(request);
            if (u == 4) {
                r = new UnmaskResponse(SESSION, 4, r.selfMaskShares(), flipFirst(r.maskKeyShares()));
                Receipt refused = s.server.receive(r);
                assertThat(refused.reason()).isEqualTo("secure aggregation session 11: client 4 excluded: its share of the"
                        + " mask key of client 1 does not match the commitment client 1 sent in round 1 (a tampered or"
                        + " wrong share)");
            } else if (u == 6) {
                r = new UnmaskResponse(SESSION, 6, flipFirst(r.selfMaskShares()), r.maskKeyShares());
                assertThat(s.server.receive(r).reason()).contains("client 6 excluded: its share of the self mask of client 0");
            } else {
                assertThat(s.server.receive(r).accepted()).isTrue();
            }
        }

        AggregationResult result = s.server.finishUnmasking();

        assertThat(result.included()).containsExactly(0, 2, 3, 4, 5, 6, 7);
        assertThat(result.excluded()).containsOnlyKeys(4, 6);
        s.assertPlainSum(result, result.included(), SEED);
    }

    @Test
    void shareKeysWithoutAShareForEveryClientExcludesItsSender() {
        KeysAdvertised keys = s.advertise(Set.of());
        for (AdvertiseKeys k : keys.keys()) {
            ShareKeys m = s.clients.get(k.client()).shareKeys(keys);
            if (k.client() == 7) {
                m = new ShareKeys(SESSION, 7, m.shares().subList(0, 7));
                assertThat(s.server.receive(m).reason()).contains("client 7 excluded: 7 encrypted shares (expected: 8,"
                        + " one for each client that advertised keys)");
            } else {
                s.server.receive(m);
            }
        }
        Map<Integer, SharesDelivered> delivered = s.server.finishSharing();

        assertThat(delivered).doesNotContainKey(7);
        AggregationResult result = s.unmask(s.mask(delivered, Set.of()), Set.of());
        assertThat(result.included()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        s.assertPlainSum(result, result.included(), SEED);
    }

    @Test
    void clientRefusesServerMessagesOfAnotherSession() {
        SecAggClient c = s.clients.get(0);
        c.advertiseKeys();

        assertThatThrownBy(() -> c.shareKeys(new KeysAdvertised(SESSION + 1, List.of())))
                .isInstanceOf(SecAggException.class)
                .hasMessage("secure aggregation session 11, client 0: KeysAdvertised of session 12 (expected: 11)");
    }

    private interface Rewrite {
        MaskedInput apply(int id, MaskedInput y);
    }

    /** Round 2 with one client's message rewritten; checks the refusal's reason. */
    private UnmaskRequest maskRound(Rewrite rewrite, int refused, String reason) {
        Map<Integer, SharesDelivered> delivered = s.share(s.advertise(Set.of()), Set.of());
        for (SharesDelivered d : delivered.values()) {
            MaskedInput y = rewrite.apply(d.recipient(), s.clients.get(d.recipient()).maskedInput(d, s.inputs.get(d.recipient())));
            Receipt r = s.server.receive(y);
            assertThat(r.accepted()).as("client %d: %s", y.client(), r.reason()).isEqualTo(y.client() != refused);
            if (y.client() == refused) {
                assertThat(r.reason()).isEqualTo(reason);
            }
        }
        return s.server.finishMasking();
    }

    private AggregationResult runFromSharing(KeysAdvertised keys) {
        return s.unmask(s.mask(s.share(keys, Set.of()), Set.of()), Set.of());
    }

    private static Map<Integer, SharesDelivered> withoutRecipients(Map<Integer, SharesDelivered> delivered, Set<Integer> gone) {
        Map<Integer, SharesDelivered> out = new LinkedHashMap<>(delivered);
        out.keySet().removeAll(gone);
        return out;
    }

    private static List<RevealedShare> flipFirst(List<RevealedShare> shares) {
        List<RevealedShare> out = new ArrayList<>(shares);
        byte[] v = out.get(0).value().clone();
        v[65] ^= 1;
        out.set(0, new RevealedShare(out.get(0).owner(), v));
        return out;
    }
}
