package io.ringfold.federated.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.dpsgd.DpSgdPlan;
import io.ringfold.federated.exact.ExactSum;
import io.ringfold.privacy.PrivacySpent;
import io.ringfold.privacy.RdpAccountant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a client-level private run does, resolved from its flags ({@link ClientDpSettings}) and the run's shape:
 * every round samples each client of the population independently with probability q = K / N (Poisson, the
 * sampling the accountant assumes), clips each sampled client's update to L2 norm S, adds N(0, (zS)²) to the sum
 * once (split into the sampled clients' shares) and divides by the fixed K, whoever reported. One client then
 * moves the sum by at most S, and a round is the Poisson-subsampled Gaussian mechanism with noise multiplier z
 * whose RDP {@link RdpAccountant} composes over the rounds, the "steps" of this mechanism.
 *
 * @param clip            S
 * @param noiseMultiplier z: the noise on the round's sum has standard deviation zS
 * @param delta           δ of the (ε, δ) reported
 * @param deltaDefaulted  whether δ is the default (the largest power of ten below 1 / N)
 * @param samplingRate    q = K / N
 * @param population      N, the clients the run waits for ({@code --min-available-clients})
 * @param expectedClients K, the expected clients per round and the mean's fixed denominator
 * @param rounds          planned rounds
 * @param targetEpsilon   {@code --client-dp-epsilon}, or 0 when z was given
 * @param secureRng       noise from a secure generator (not reproducible)
 */
public record ClientDpPlan(double clip, double noiseMultiplier, double delta, boolean deltaDefaulted,
                           double samplingRate, int population, int expectedClients, int rounds, double targetEpsilon,
                           boolean secureRng) {

    /**
     * The largest {@code S (1 + z)} accepted: a noised update's elements must stay below the exact sum's bound
     * ({@link ExactSum#MAX_DELTA}, 256), and S + 7 z S / sqrt(n) stays below 224 with it.
     */
    public static final double MAX_CLIP_TIMES_NOISE = 32;
    /** The file beside the round checkpoint that a resumed run's plan is checked against. */
    public static final String FILE_NAME = "client-dp.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The plan of {@code settings} for {@code rounds} rounds of {@code clientsPerRound} expected of {@code population}. */
    public static ClientDpPlan of(ClientDpSettings settings, int clientsPerRound, int population, int rounds) {
        if (clientsPerRound < 1 || population < clientsPerRound) {
            throw new IllegalArgumentException("population: " + population + " (expected: >= clientsPerRound "
                    + clientsPerRound + " >= 1)");
        }
        double q = (double) clientsPerRound / population;
        boolean defaulted = settings.delta() == 0;
        double delta = defaulted ? DpSgdPlan.defaultDelta(population) : settings.delta();
        double z = settings.noiseMultiplier();
        if (z == 0) {
            try {
                z = RdpAccountant.noiseMultiplier(settings.targetEpsilon(), q, rounds, delta);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("targetEpsilon: " + settings.targetEpsilon() + " (expected: "
                        + "reachable in " + rounds + " rounds at client sampling rate " + q + " and delta " + delta
                        + ": " + e.getMessage() + ")", e);
            }
        }
        if (settings.clip() * (1 + z) > MAX_CLIP_TIMES_NOISE) {
            throw new IllegalArgumentException("clip: " + settings.clip() + " with noise multiplier "
                    + String.format(Locale.ROOT, "%.4f", z) + " (expected: clip x (1 + noise multiplier) <= "
                    + MAX_CLIP_TIMES_NOISE + ", so that noised updates stay within the exact sum's bound "
                    + ExactSum.MAX_DELTA + ")");
        }
        return new ClientDpPlan(settings.clip(), z, delta, defaulted, q, population, clientsPerRound, rounds,
                settings.targetEpsilon(), settings.secureRng());
    }

    /** ε at δ after {@code roundsDone} rounds (0 before the first). */
    public double epsilon(int roundsDone) {
        return spent(roundsDone).epsilon();
    }

    /** ε at δ after {@code roundsDone} rounds, with the Rényi order that gave it. */
    public PrivacySpent spent(int roundsDone) {
        return RdpAccountant.spent(samplingRate, noiseMultiplier, roundsDone, delta);
    }

    /** The standard deviation of the noise on a round's sum: zS. */
    public double sumNoiseStd() {
        return noiseMultiplier * clip;
    }

    /** One line for the run's log. */
    public String describe() {
        return "client-level DP: DP-FedAvg, each update clipped to " + clip + ", noise multiplier "
                + String.format(Locale.ROOT, "%.4f", noiseMultiplier) + (targetEpsilon > 0 ? " (the least for ε "
                + targetEpsilon + " over " + rounds + " rounds)" : "") + ", Poisson sampling of clients q = "
                + expectedClients + "/" + population + " = " + String.format(Locale.ROOT, "%.6g", samplingRate)
                + ", mean over the fixed " + expectedClients + ", δ " + delta + (deltaDefaulted ? " (default: the "
                + "largest power of ten below 1/" + population + ")" : "") + (secureRng ? "; noise from SecureRandom: "
                + "this run is not reproducible" : "; noise seeded by (seed, round, client): reproducible, and "
                + "subtractable by whoever knows the seed");
    }

    /** The privacy record of a model after {@code roundsDone} rounds: its provenance's {@code privacy}. */
    public ObjectNode toJson(int roundsDone) {
        ObjectNode n = settingsJson();
        n.put("epsilon", epsilon(roundsDone));
        n.put("steps", roundsDone);
        return n;
    }

    /** Everything but the spent ε: what a resumed run must agree on. */
    private ObjectNode settingsJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("mechanism", "dp-fedavg");
        n.put("unit", "client");
        n.put("delta", delta);
        n.put("accountant", "rdp");
        n.put("noise_multiplier", noiseMultiplier);
        n.put("clip", clip);
        n.put("sampling_rate", samplingRate);
        n.put("sampling", "poisson");
        n.put("population", population);
        n.put("expected_clients", expectedClients);
        n.put("secure_rng", secureRng);
        return n;
    }

    /**
     * Records {@code plan} (null: not private) beside the checkpoints in {@code dir}, for {@link #resumeMismatch}:
     * the plan's settings, or no file for a run without client-level DP.
     */
    public static void record(Path dir, ClientDpPlan plan) throws IOException {
        Files.createDirectories(dir);
        if (plan == null) {
            Files.deleteIfExists(dir.resolve(FILE_NAME));
        } else {
            Files.writeString(dir.resolve(FILE_NAME), plan.settingsJson().toPrettyString());
        }
    }

    /**
     * Why a run with {@code plan} (null: not private) cannot resume from the checkpoints in {@code dir}, or null
     * when it can: the rounds already run were accounted under the saved plan, so the rest must follow it.
     */
    public static String resumeMismatch(Path dir, ClientDpPlan plan) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        JsonNode saved = Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : null;
        JsonNode now = plan == null ? null : plan.settingsJson();
        if (saved == null && now == null || saved != null && saved.equals(now)) {
            return null;
        }
        return "client-level DP " + (saved == null ? "off" : saved.toString()) + " (expected: the run's, "
                + (now == null ? "off" : now.toString()) + ")";
    }
}
