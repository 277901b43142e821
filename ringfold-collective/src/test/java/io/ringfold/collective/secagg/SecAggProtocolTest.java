package io.ringfold.collective.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.collective.secagg.SecAggMessage.KeysAdvertised;
import io.ringfold.collective.secagg.SecAggMessage.SharesDelivered;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The protocol end to end: the unmasked sum is the plain sum, whoever drops out when. */
class SecAggProtocolTest {

    private static final long SEED = Long.getLong("ringfold.secagg.seed", 20261207L);

    @ParameterizedTest(name = "{0} clients, {1} elements")
    @CsvSource({"3, 1", "3, 100000", "4, 777", "7, 4096", "16, 1000", "30, 100000"})
    void maskedSumIsThePlainSum(int n, int length) {
        long seed = SEED + n * 1_000_003L + length;
        System.out.println("SecAggProtocolTest: seed " + seed + " for " + n + " clients x " + length);
        Simulation s = new Simulation(SecAggParameters.of(seed, n, length), seed);

        AggregationResult r = s.run();

        assertThat(r.included()).as("seed %d", seed).isEqualTo(s.parameters.clients());
        assertThat(r.dropped()).isEmpty();
        assertThat(r.excluded()).isEmpty();
        s.assertPlainSum(r, s.parameters.clients(), seed);
    }

    @Test
    void decodedFloatSumHasTheBitsOfThePlainFixedPointSum() {
        long seed = SEED + 1;
        System.out.println("SecAggProtocolTest: seed " + seed + " for float updates");
        int n = 10;
        int length = 5000;
        FixedPointEncoding encoding = FixedPointEncoding.forBound(4.0, n);
        Simulation s = new Simulation(SecAggParameters.of(seed, n, length), seed);
        SplittableRandom r = new SplittableRandom(seed);
        long[] plain = new long[length];
        for (int id : s.parameters.clients()) {
            float[] update = new float[length];
            for (int i = 0; i < length; i++) {
                update[i] = (float) (r.nextDouble(-4, 4) * Math.pow(10, -r.nextInt(6)));
            }
            long[] x = encoding.encode(update);
            s.inputs.put(id, x);
            for (int i = 0; i < length; i++) {
                plain[i] += x[i];
            }
        }

        float[] secure = encoding.decode(s.run().sum());

        float[] expected = encoding.decode(plain);
        for (int i = 0; i < length; i++) {
            assertThat(Float.floatToRawIntBits(secure[i])).as("element %d, seed %d", i, seed)
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    @ParameterizedTest(name = "dropped before {0}")
    @CsvSource({"advertising", "sharing", "masking", "unmasking", "every round"})
    void dropoutsLeaveTheSumOfTheOthers(String when) {
        long seed = SEED + when.hashCode();
        System.out.println("SecAggProtocolTest: seed " + seed + ", dropped before " + when);
        Simulation s = new Simulation(SecAggParameters.of(seed, 10, 3000), seed);
        Set<Integer> none = Set.of();
        AggregationResult r;
        List<Integer> included;
        switch (when) {
            case "advertising" -> {
                r = s.run(Set.of(2, 7), none, none, none);
                included = Simulation.without(s.parameters.clients(), Set.of(2, 7));
            }
            case "sharing" -> {
                r = s.run(none, Set.of(0, 9), none, none);
                included = Simulation.without(s.parameters.clients(), Set.of(0, 9));
            }
            case "masking" -> {
                // Shares sent, then gone: the others' masks with them come off through their reconstructed keys.
                r = s.run(none, none, Set.of(1, 4, 8), none);
                included = Simulation.without(s.parameters.clients(), Set.of(1, 4, 8));
            }
            case "unmasking" -> {
                // Their inputs are in; enough others hold shares of their self masks.
                r = s.run(none, none, none, Set.of(3, 5));
                included = s.parameters.clients();
            }
            default -> {
                r = s.run(Set.of(0), Set.of(1), Set.of(2), Set.of(3));
                included = Simulation.without(s.parameters.clients(), Set.of(0, 1, 2));
            }
        }
        assertThat(r.included()).isEqualTo(included);
        assertThat(r.excluded()).isEmpty();
        s.assertPlainSum(r, included, seed);
        assertThat(r.dropped()).doesNotContainAnyElementsOf(included);
    }

    @Test
    void randomClientCountsThresholdsAndDropoutsGiveThePlainSum() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (int trial = 0; trial < 6; trial++) {
            long seed = r.nextLong();
            SplittableRandom t = new SplittableRandom(seed);
            int n = t.nextInt(3, 31);
            int threshold = t.nextInt(SecAggParameters.minimumThreshold(n), n + 1);
            int length = t.nextInt(1, 2000);
            // Up to n - threshold clients leave, each before a random round.
            List<Set<Integer>> before = List.of(new java.util.HashSet<>(), new java.util.HashSet<>(),
                    new java.util.HashSet<>(), new java.util.HashSet<>());
            int leaving = t.nextInt(n - threshold + 1);
            for (int id = 0; id < leaving; id++) {
                before.get(t.nextInt(4)).add(n - 1 - id);
            }
            System.out.println("SecAggProtocolTest: seed " + seed + ": " + n + " clients, threshold " + threshold + ", "
                    + length + " elements, leaving before each round " + before);
            List<Integer> ids = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(i);
            }
            Simulation s = new Simulation(new SecAggParameters(seed, ids, threshold, length), seed);

            AggregationResult result = s.run(before.get(0), before.get(1), before.get(2), before.get(3));

            Set<Integer> gone = new java.util.HashSet<>(before.get(0));
            gone.addAll(before.get(1));
            gone.addAll(before.get(2));
            assertThat(result.included()).as("seed %d", seed).isEqualTo(Simulation.without(ids, gone));
            s.assertPlainSum(result, result.included(), seed);
        }
    }

    @Test
    void fewerSurvivorsThanTheThresholdIsAnErrorNamingTheCounts() {
        Simulation s = new Simulation(new SecAggParameters(7, List.of(0, 1, 2, 3, 4), 3, 10), SEED);
        Map<Integer, SharesDelivered> delivered = s.share(s.advertise(Set.of()), Set.of());

        assertThatThrownBy(() -> s.mask(delivered, Set.of(0, 2, 4)))
                .isInstanceOf(SecAggException.class)
                .hasMessageContaining("session 7")
                .hasMessageContaining("2 clients sent masked inputs [1, 3]")
                .hasMessageContaining("at least the threshold 3 of 5 invited");
    }

    @Test
    void fewerAnswersToUnmaskingThanTheThresholdIsAnError() {
        Simulation s = new Simulation(new SecAggParameters(8, List.of(0, 1, 2, 3, 4), 3, 10), SEED);
        UnmaskRequest request = s.mask(s.share(s.advertise(Set.of()), Set.of()), Set.of());

        assertThatThrownBy(() -> s.unmask(request, Set.of(0, 1, 2)))
                .isInstanceOf(SecAggException.class)
                .hasMessageContaining("2 clients sent unmasking responses [3, 4]")
                .hasMessageContaining("threshold 3 of 5");
    }

    @Test
    void fewerAdvertisersThanTheThresholdStopsAtTheFirstRound() {
        Simulation s = new Simulation(SecAggParameters.of(9, 4, 10), SEED);

        assertThatThrownBy(() -> s.advertise(Set.of(0, 1)))
                .isInstanceOf(SecAggException.class)
                .hasMessageContaining("2 clients sent advertised keys [2, 3] (expected: at least the threshold 3 of 4");
    }

    @Test
    void thresholdMustBeMoreThanHalfTheClients() {
        assertThatThrownBy(() -> new SecAggParameters(1, List.of(0, 1, 2, 3), 2, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold: 2 (expected: 3..4, more than half of the 4 clients, which the honest-but-curious"
                        + " server's guarantee needs)");
        assertThatThrownBy(() -> new SecAggParameters(1, List.of(0, 1, 2), 4, 10))
                .hasMessageStartingWith("threshold: 4 (expected: 2..3");
        assertThat(new SecAggParameters(1, List.of(0, 1, 2, 3, 4), 3, 10).threshold()).isEqualTo(3);
    }

    @Test
    void aClientRevealsOnlyOnceAndOnlyForClientsOfTheRound() {
        Simulation s = new Simulation(SecAggParameters.of(10, 5, 10), SEED);
        KeysAdvertised keys = s.advertise(Set.of());
        UnmaskRequest request = s.mask(s.share(keys, Set.of()), Set.of());
        SecAggClient c = s.clients.get(0);
        c.unmask(request);

        // A second request could ask for the mask keys of clients whose self masks it already revealed.
        UnmaskRequest second = new UnmaskRequest(10, List.of(0, 1, 2));
        assertThatThrownBy(() -> c.unmask(second))
                .isInstanceOf(SecAggException.class)
                .hasMessageContaining("client 0: unmask in stage DONE (expected: UNMASKING");
        SecAggClient other = s.clients.get(1);
        assertThatThrownBy(() -> other.unmask(new UnmaskRequest(10, List.of(0, 1))))
                .hasMessageContaining("UnmaskRequest names 2 clients (expected: at least the threshold 3 of 5 invited)");
    }
}
