package io.ringfold.federated;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Dataset;
import io.ringfold.federated.privacy.ClientDpSettings;
import io.ringfold.federated.privacy.ClientLevelPrivacy;
import io.ringfold.federated.wire.Message;
import io.ringfold.federated.wire.MessageChannel;
import io.ringfold.privacy.RdpAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Client-level differential privacy in whole federated runs over sockets: the digits split, ten clients. */
class ClientDpCoordinatorTest {

    private static final double CLIP = 0.5;
    private static final double Z = 0.8;
    private static final double DELTA = 1e-3;

    @TempDir
    Path dir;

    private static CoordinatorOptions options(Path checkpoints, int rounds, int perRound, int population, boolean secure,
                                              boolean secureRng) {
        return with(FederatedHarness.options(checkpoints, rounds, perRound, perRound, population, false, secure), false,
                new ClientDpSettings(CLIP, Z, 0, DELTA, secureRng));
    }

    /** {@code o} resumed or not, with {@code dp}. */
    private static CoordinatorOptions with(CoordinatorOptions o, boolean resume, ClientDpSettings dp) {
        return new CoordinatorOptions(o.config(), o.classes(), o.rounds(), o.clientsPerRound(), o.minClients(),
                o.minAvailable(), o.localEpochs(), o.aggregation(), o.proximalMu(), o.roundTimeout(), o.joinTimeout(),
                o.checkpointDir(), resume, o.test(), o.secure(), dp);
    }

    /**
     * Poisson sampling at q = 5/10 over three rounds, with and without secure aggregation: the same parameters bit
     * for bit (the same clipped updates and the same seeded noise shares, added by the coordinator or by the
     * clients), and ε after each round the accountant's for (q, z, rounds, δ).
     */
    @Test
    void secureAggregationGivesThePlainPrivateParameters() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        System.out.println("split seed " + FederatedHarness.SPLIT_SEED + ", run seed " + FederatedHarness.config().seed());
        Coordinator.Result plain = run(parts, options(dir.resolve("plain"), 3, 5, 10, false, false));
        Coordinator.Result secure = run(parts, options(dir.resolve("secure"), 3, 5, 10, true, false));
        assertThat(secure.model().parameterDigest()).isEqualTo(plain.model().parameterDigest());
        for (Coordinator.Result r : List.of(plain, secure)) {
            for (RoundRecord rr : r.rounds()) {
                assertThat(rr.dpEpsilon()).isEqualTo(RdpAccountant.epsilon(0.5, Z, rr.round(), DELTA));
                assertThat(rr.toJson().get("dp_epsilon").asDouble()).isEqualTo(rr.dpEpsilon());
            }
            ObjectNode privacy = r.model().provenance().privacy();
            assertThat(privacy.get("mechanism").asText()).isEqualTo("dp-fedavg");
            assertThat(privacy.get("epsilon").asDouble()).isEqualTo(RdpAccountant.epsilon(0.5, Z, 3, DELTA));
            assertThat(privacy.get("delta").asDouble()).isEqualTo(DELTA);
            assertThat(privacy.get("steps").asInt()).isEqualTo(3);
        }
        // Poisson sampling of the ten connected clients, seeded by the run's seed and the round.
        java.util.SortedSet<String> all = new java.util.TreeSet<>();
        for (int i = 0; i < parts.size(); i++) {
            all.add("site-" + i);
        }
        for (RoundRecord rr : plain.rounds()) {
            assertThat(rr.sampled()).isEqualTo(ClientLevelPrivacy.sample(all, 0.5, FederatedHarness.config().seed(),
                    rr.round()));
        }
        assertThat(secure.rounds()).allSatisfy(rr -> assertThat(rr.sampled()).isEqualTo(
                plain.rounds().get(rr.round() - 1).sampled()));
    }

    /**
     * Rounds of fewer than two sampled clients under secure aggregation (q = 2/10): a lone client privatises its
     * own update and sends it in the clear (with the whole noise, what a sum of one reveals), a round of none is
     * noise alone; the parameters are still the plain run's.
     */
    @Test
    void roundsOfOneOrNoClientUnderSecureAggregationGiveThePlainParameters() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        Coordinator.Result plain = run(parts, options(dir.resolve("plain"), 8, 2, 10, false, false));
        Coordinator.Result secure = run(parts, options(dir.resolve("secure"), 8, 2, 10, true, false));
        System.out.println("sample sizes " + plain.rounds().stream().map(rr -> rr.sampled().size()).toList());
        assertThat(plain.rounds()).anyMatch(rr -> rr.sampled().isEmpty()).anyMatch(rr -> rr.sampled().size() == 1)
                .anyMatch(rr -> rr.sampled().size() >= 2);
        assertThat(secure.model().parameterDigest()).isEqualTo(plain.model().parameterDigest());
    }

    /**
     * Every client every round (q = 1), one client of four dying after its task: the round goes on, its noise share
     * is added for it, and the private parameters differ from a seeded replay only where the noise does (secure RNG).
     */
    @Test
    void aDroppedClientsNoiseShareIsAddedForIt() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        try (FederatedHarness h = new FederatedHarness()) {
            Future<Coordinator.Result> c = h.coordinator(options(dir, 1, 4, 4, false, false), null);
            for (int i = 0; i < 3; i++) {
                h.client("site-" + i, parts.get(i), null);
            }
            Future<?> dying = h.threads.submit(() -> {
                try (MessageChannel ch = CoordinatorTest.rogue(h, "site-dies", parts.get(3))) {
                    Message task = ch.receive(System.nanoTime() + 30_000_000_000L, "TASK", 1 << 20);
                    assertThat(task.header().has("client_dp")).as("the coordinator privatises plain updates").isFalse();
                }
                return null;
            });
            Coordinator.Result r = h.await(c);
            h.await(dying);
            RoundRecord round = r.rounds().get(0);
            assertThat(round.sampled()).hasSize(4);
            assertThat(round.aggregated()).containsExactlyInAnyOrder("site-0", "site-1", "site-2");
            assertThat(round.dpEpsilon()).isEqualTo(RdpAccountant.epsilon(1.0, Z, 1, DELTA));
            assertThat(h.log).anyMatch(l -> l.contains("client-level DP: DP-FedAvg, each update clipped to 0.5"))
                    .anyMatch(l -> l.contains("client-level ε "));
        }
    }

    /**
     * Two private rounds, then a coordinator resumed for two more: the uninterrupted run's parameters and ε (the
     * sampling and the noise derive from (seed, round, client)); a resume under another noise is refused.
     */
    @Test
    void resumedPrivateRunEndsWithTheUninterruptedParameters() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts().subList(0, 6);
        Coordinator.Result whole = run(parts, options(dir.resolve("whole"), 4, 3, 6, false, false));
        run(parts, options(dir.resolve("cut"), 2, 3, 6, false, false));
        Coordinator.Result resumed = run(parts, resume(options(dir.resolve("cut"), 4, 3, 6, false, false)));
        assertThat(resumed.model().parameterDigest()).isEqualTo(whole.model().parameterDigest());
        assertThat(resumed.model().provenance().privacy()).isEqualTo(whole.model().provenance().privacy());

        CoordinatorOptions louder = with(options(dir.resolve("cut"), 4, 3, 6, false, false), true,
                new ClientDpSettings(CLIP, 2 * Z, 0, DELTA, false));
        try (FederatedHarness h = new FederatedHarness()) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> h.await(h.coordinator(louder, null))))
                    .rootCause().hasMessageContaining("--resume: checkpoint in ")
                    .hasMessageContaining("\"noise_multiplier\":0.8").hasMessageContaining("(expected: the run's, {");
        }
    }

    private static CoordinatorOptions resume(CoordinatorOptions o) {
        return with(o, true, o.clientDp());
    }

    /** With the secure generator the noise is not the seed's: two runs of the same seed differ. */
    @Test
    void secureRngNoiseIsNotReplayed() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts().subList(0, 4);
        String a = run(parts, options(dir.resolve("a"), 1, 4, 4, false, true)).model().parameterDigest();
        String b = run(parts, options(dir.resolve("b"), 1, 4, 4, false, true)).model().parameterDigest();
        String seeded = run(parts, options(dir.resolve("c"), 1, 4, 4, false, false)).model().parameterDigest();
        String replay = run(parts, options(dir.resolve("d"), 1, 4, 4, false, false)).model().parameterDigest();
        assertThat(a).isNotEqualTo(b);
        assertThat(replay).isEqualTo(seeded);
    }

    private static Coordinator.Result run(List<Dataset> parts, CoordinatorOptions o) throws Exception {
        try (FederatedHarness h = new FederatedHarness()) {
            Future<Coordinator.Result> c = h.coordinator(o, null);
            for (int i = 0; i < parts.size(); i++) {
                h.client("site-" + i, parts.get(i), null);
            }
            Coordinator.Result r = h.await(c);
            assertThat(r.rounds()).hasSize(o.rounds());
            return r;
        }
    }
}
