package io.ringfold.federated.privacy;

import io.ringfold.federated.exact.ExactSum;
import io.ringfold.privacy.RdpAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ClientLevelPrivacyTest {

    @TempDir
    Path dir;

    private static ClientDpPlan plan(double clip, double z, int k, int n, boolean secureRng) {
        return ClientDpPlan.of(new ClientDpSettings(clip, z, 0, 1e-3, secureRng), k, n, 10);
    }

    /** An update of norm 5 clipped to 1 keeps its direction; one within the norm is left as it is. */
    @Test
    void clippingScalesAnUpdateOfKnownNormToTheClip() {
        ClientDpTask task = new ClientDpTask(1.0, 0, 42, 1, false);
        float[] clipped = task.privatise(new float[] {3, 4, 0}, task.newNoise());
        assertThat(clipped).containsExactly(new float[] {0.6f, 0.8f, 0f}, within(1e-7f));
        float[] small = {0.3f, -0.4f};
        assertThat(task.privatise(small, task.newNoise())).containsExactly(small);
    }

    /**
     * Whatever a client sends, the round's sum with its update and the sum with it dropped (its noise share added
     * instead) differ by its clipped update alone: at most S in L2 norm, so at most S / K on the applied mean.
     */
    @Test
    void oneClientMovesTheSumByAtMostTheClip() {
        long seed = new SplittableRandom().nextLong();
        System.out.println("seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        int length = 1000;
        double clip = 0.5;
        ClientDpPlan plan = plan(clip, 1.0, 5, 10, false);
        List<String> sampled = List.of("a", "b", "c");
        for (float scale : new float[] {0.001f, 1f, 200f}) {
            float[][] updates = new float[3][length];
            for (float[] u : updates) {
                for (int i = 0; i < length; i++) {
                    u[i] = (float) (scale * (2 * r.nextDouble() - 1));
                }
            }
            PrivateRound round = new PrivateRound(plan, seed, 3, sampled);
            long[] with = new long[length];
            long[] without = new long[length];
            for (int c = 0; c < 3; c++) {
                ExactSum.add(with, round.contribution(sampled.get(c), updates[c], false));
                if (c < 2) {
                    ExactSum.add(without, round.contribution(sampled.get(c), updates[c], false));
                }
            }
            round.addMissingNoise(without, List.of("a", "b"));
            double squares = 0;
            double dot = 0;
            for (int i = 0; i < length; i++) {
                double d = Math.scalb((double) (with[i] - without[i]), -round.exponent());
                squares += d * d;
                dot += d * updates[2][i];
            }
            double norm = Math.sqrt(squares);
            double raw = norm(updates[2]);
            // The fixed-point truncation moves each element by under 2^-e, far below the tolerance.
            assertThat(norm).as("scale %s", scale).isCloseTo(Math.min(raw, clip), within(1e-6 + 1e-5 * clip));
            assertThat(dot / (norm * raw)).as("the difference points along the update").isCloseTo(1.0, within(1e-5));
            assertThat(round.denominator()).isEqualTo(5);
        }
    }

    /**
     * Zero updates from n = 8 sampled clients, three of them dropped: the sum carries N(0, (zS)²) per element (the
     * five shares of zS / sqrt(8) and the coordinator's three for the dropped), seeded and from SecureRandom.
     */
    @Test
    void theSumCarriesNoiseOfStandardDeviationZTimesClip() {
        long seed = new SplittableRandom().nextLong();
        System.out.println("seed " + seed);
        int length = 40_000;
        double clip = 0.8;
        double z = 1.3;
        List<String> sampled = List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7");
        for (boolean secure : new boolean[] {false, true}) {
            PrivateRound round = new PrivateRound(plan(clip, z, 5, 10, secure), seed, 2, sampled);
            assertThat(round.task("c0").noiseStd()).isCloseTo(z * clip / Math.sqrt(8), within(1e-12));
            long[] sum = new long[length];
            for (String id : sampled.subList(0, 5)) {
                ExactSum.add(sum, round.contribution(id, new float[length], false));
            }
            round.addMissingNoise(sum, sampled.subList(0, 5));
            double mean = 0;
            double squares = 0;
            for (long v : sum) {
                double d = Math.scalb((double) v, -round.exponent());
                mean += d;
                squares += d * d;
            }
            mean /= length;
            double std = Math.sqrt(squares / length - mean * mean);
            // The sample std's own standard error is sigma / sqrt(2 L), 0.35% here; 5 of them is the tolerance.
            assertThat(std).as("secure %s", secure).isCloseTo(z * clip, within(z * clip * 5 / Math.sqrt(2.0 * length)));
            assertThat(mean).isCloseTo(0, within(5 * z * clip / Math.sqrt(length)));
        }
    }

    /** A round that sampled nobody still applies the whole noise, zS, and the same noise in a replay. */
    @Test
    void aRoundOfNoClientsIsNoiseAlone() {
        PrivateRound round = new PrivateRound(plan(0.5, 2.0, 2, 4, false), 9, 1, List.of());
        long[] sum = new long[20_000];
        round.addMissingNoise(sum, List.of());
        long[] again = new long[20_000];
        new PrivateRound(plan(0.5, 2.0, 2, 4, false), 9, 1, List.of()).addMissingNoise(again, List.of());
        assertThat(again).containsExactly(sum);
        double squares = 0;
        for (long v : sum) {
            double d = Math.scalb((double) v, -round.exponent());
            squares += d * d;
        }
        assertThat(Math.sqrt(squares / sum.length)).isCloseTo(1.0, within(5 / Math.sqrt(2.0 * sum.length)));
    }

    /** Each client is in a round with probability q, whatever else is connected. */
    @Test
    void poissonSamplingIncludesEachClientWithProbabilityQ() {
        long seed = new SplittableRandom().nextLong();
        System.out.println("seed " + seed);
        SortedSet<String> clients = new TreeSet<>();
        for (int i = 0; i < 20; i++) {
            clients.add("site-" + i);
        }
        SortedSet<String> more = new TreeSet<>(clients);
        more.add("site-extra");
        int rounds = 2000;
        double q = 0.3;
        int[] counts = new int[20];
        int empty = 0;
        for (int round = 1; round <= rounds; round++) {
            List<String> s = ClientLevelPrivacy.sample(clients, q, seed, round);
            List<String> withExtra = new ArrayList<>(ClientLevelPrivacy.sample(more, q, seed, round));
            withExtra.remove("site-extra");
            assertThat(withExtra).isEqualTo(s);
            for (String id : s) {
                counts[Integer.parseInt(id.substring(5))]++;
            }
            empty += s.isEmpty() ? 1 : 0;
        }
        double tolerance = 4.5 * Math.sqrt(q * (1 - q) / rounds);
        for (int c : counts) {
            assertThat((double) c / rounds).isCloseTo(q, within(tolerance));
        }
        assertThat(ClientLevelPrivacy.sample(clients, 1.0, seed, 1)).containsExactlyElementsOf(clients);
        assertThat(empty).isLessThan(10);
    }

    /** ε of the plan is the accountant's for (q = K/N, z, rounds, δ); with q = 1 the Gaussian mechanism's, by hand. */
    @Test
    void epsilonIsTheAccountantsForTheClientSamplingRate() {
        ClientDpPlan p = plan(1.0, 1.1, 5, 20, false);
        assertThat(p.samplingRate()).isEqualTo(0.25);
        for (int r = 1; r <= 10; r++) {
            assertThat(p.epsilon(r)).isEqualTo(RdpAccountant.epsilon(0.25, 1.1, r, 1e-3));
        }
        // q = 1: every client every round, T rounds of the Gaussian mechanism, RDP T a / (2 z^2) at each order a,
        // converted as Balle et al. 2020 do (docs/privacy.md).
        ClientDpPlan all = plan(1.0, 2.0, 10, 10, false);
        double best = Double.POSITIVE_INFINITY;
        for (double a : RdpAccountant.orders()) {
            best = Math.min(best, 30 * a / (2 * 4.0) + Math.log((a - 1) / a) - (Math.log(1e-3) + Math.log(a)) / (a - 1));
        }
        assertThat(all.epsilon(30)).isCloseTo(best, within(1e-9 * best));
        assertThat(all.epsilon(0)).isZero();
    }

    /** A target ε picks the least z (to 0.01) that keeps the planned rounds within it. */
    @Test
    void targetEpsilonPicksTheLeastNoiseForThePlannedRounds() {
        ClientDpPlan p = ClientDpPlan.of(new ClientDpSettings(0.5, 0, 3.0, 1e-4, false), 10, 100, 50);
        assertThat(p.epsilon(50)).isLessThanOrEqualTo(3.0);
        assertThat(RdpAccountant.epsilon(0.1, p.noiseMultiplier() - 0.02, 50, 1e-4)).isGreaterThan(3.0);
        assertThat(p.toJson(50).get("epsilon").asDouble()).isEqualTo(p.epsilon(50));
        assertThat(p.describe()).contains("the least for ε 3.0 over 50 rounds").contains("q = 10/100 = 0.1");
        ClientDpPlan defaulted = ClientDpPlan.of(new ClientDpSettings(0.5, 1, 0, 0, false), 10, 100, 50);
        assertThat(defaulted.delta()).isEqualTo(1e-3);
        assertThat(defaulted.deltaDefaulted()).isTrue();
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new ClientDpSettings(0, 1, 0, 0, false)).hasMessage("clip: 0.0 (expected: finite and > 0)");
        assertThatThrownBy(() -> new ClientDpSettings(1, 0, 0, 0, false))
                .hasMessageStartingWith("noiseMultiplier: 0.0 and targetEpsilon 0.0 (expected: exactly one of them > 0");
        assertThatThrownBy(() -> new ClientDpSettings(1, 1, 2, 1e-5, false))
                .hasMessageStartingWith("noiseMultiplier: 1.0 and targetEpsilon 2.0 (expected: exactly one");
        assertThatThrownBy(() -> new ClientDpSettings(1, 0, 2, 0, false))
                .hasMessageStartingWith("delta: none with targetEpsilon 2.0 (expected: a delta in (0, 1)");
        assertThatThrownBy(() -> new ClientDpSettings(1, 1, 0, 1.5, false)).hasMessage("delta: 1.5 (expected: in (0, 1))");
        assertThatThrownBy(() -> ClientDpPlan.of(new ClientDpSettings(10, 3, 0, 0, false), 2, 4, 5))
                .hasMessageStartingWith("clip: 10.0 with noise multiplier 3.0000 (expected: clip x (1 + noise multiplier) <= 32");
        assertThatThrownBy(() -> ClientDpPlan.of(new ClientDpSettings(1, 0, 0.001, 1e-5, false), 2, 4, 5))
                .hasMessageStartingWith("targetEpsilon: 0.001 (expected: reachable in 5 rounds");
    }

    /** A TASK's client_dp that does not say how to privatise is refused rather than half-applied. */
    @Test
    void malformedTaskIsRefused() {
        ClientDpTask t = new ClientDpTask(0.5, 0.1, 77, 4, true);
        assertThat(ClientDpTask.fromJson(t.toJson())).isEqualTo(t);
        var bad = t.toJson();
        bad.put("noise_std", -1);
        assertThatThrownBy(() -> ClientDpTask.fromJson(bad)).hasMessageContaining("TASK client_dp: ")
                .hasMessageContaining("(expected: clip > 0, noise_std >= 0");
    }

    /** A run resumes only under the plan its rounds were accounted with. */
    @Test
    void resumeNeedsTheSamePlan() throws Exception {
        ClientDpPlan p = plan(1.0, 1.0, 2, 4, false);
        ClientDpPlan.record(dir, p);
        assertThat(ClientDpPlan.resumeMismatch(dir, p)).isNull();
        assertThat(ClientDpPlan.resumeMismatch(dir, plan(1.0, 1.5, 2, 4, false)))
                .startsWith("client-level DP {").contains("\"noise_multiplier\":1.0").contains("(expected: the run's, {");
        assertThat(ClientDpPlan.resumeMismatch(dir, null)).endsWith("(expected: the run's, off)");
        ClientDpPlan.record(dir, null);
        assertThat(ClientDpPlan.resumeMismatch(dir, null)).isNull();
        assertThat(ClientDpPlan.resumeMismatch(dir, p)).startsWith("client-level DP off (expected: the run's, {");
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}
