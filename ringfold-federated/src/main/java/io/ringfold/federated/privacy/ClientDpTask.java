package io.ringfold.federated.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.collective.secagg.ClientUpdatePrivacy;
import io.ringfold.dpsgd.GaussianNoise;
import io.ringfold.federated.wire.FederatedException;

/**
 * What one client does to its update in a private round, as the coordinator's TASK header says
 * ({@code client_dp}): clip it to L2 norm {@code clip}, then add its share of the round's noise, N(0,
 * noiseStd²) per element, drawn from (noiseSeed, round) or from a secure generator. The coordinator applies the
 * same function to the updates it privatises itself, so a round gives the same bits whichever side did it.
 *
 * @param clip      S
 * @param noiseStd  this client's share, zS / sqrt(n) for the n clients sampled in the round
 * @param noiseSeed the seed of this client's noise ({@link ClientLevelPrivacy#noiseSeed})
 * @param round     the round, the noise's step
 * @param secureRng noise from a secure generator instead
 */
public record ClientDpTask(double clip, double noiseStd, long noiseSeed, int round, boolean secureRng) {

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("clip", clip);
        n.put("noise_std", noiseStd);
        n.put("noise_seed", noiseSeed);
        n.put("round", round);
        n.put("secure_rng", secureRng);
        return n;
    }

    /** The TASK's {@code client_dp}, checked: a coordinator's mistake must not pass as a private update. */
    public static ClientDpTask fromJson(JsonNode n) {
        double clip = n.path("clip").asDouble(Double.NaN);
        double std = n.path("noise_std").asDouble(Double.NaN);
        if (!(clip > 0 && Double.isFinite(clip)) || !(std >= 0 && Double.isFinite(std)) || !n.has("noise_seed")
                || !n.path("round").canConvertToInt()) {
            throw new FederatedException("TASK client_dp: " + n + " (expected: clip > 0, noise_std >= 0, noise_seed "
                    + "and round)");
        }
        return new ClientDpTask(clip, std, n.path("noise_seed").asLong(), n.path("round").asInt(),
                n.path("secure_rng").asBoolean());
    }

    /** The private copy of {@code delta}: clipped to {@link #clip}, then noised. {@code delta} must be finite. */
    public float[] privatise(float[] delta, GaussianNoise noise) {
        float[] p = delta.clone();
        ClientUpdatePrivacy.clip(p, clip);
        noise.add(p, 0, p.length, noiseSeed, round, noiseStd);
        return p;
    }

    /** The noise share alone: what the coordinator adds for a sampled client whose update is not in the sum. */
    public float[] noiseOnly(int length, GaussianNoise noise) {
        float[] p = new float[length];
        noise.add(p, 0, length, noiseSeed, round, noiseStd);
        return p;
    }

    /** A noise source matching {@link #secureRng}. */
    public GaussianNoise newNoise() {
        return secureRng ? GaussianNoise.secure() : GaussianNoise.seeded();
    }
}
