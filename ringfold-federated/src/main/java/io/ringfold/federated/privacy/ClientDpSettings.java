package io.ringfold.federated.privacy;

/**
 * The coordinator's client-level DP flags as given, checked on their own: {@code --client-dp-clip S} (the L2
 * norm each client's update is clipped to), {@code --client-dp-noise-multiplier z} or {@code --client-dp-epsilon}
 * (the least z that keeps ε within it over the planned rounds), {@code --client-dp-delta δ} and
 * {@code --client-dp-secure-rng}. They are separate from train's {@code --dp-*} flags, which the coordinator
 * forwards to the clients' local training (example-level DP-SGD on each client); the two can be combined.
 *
 * @param clip            S, finite and > 0
 * @param noiseMultiplier z, or 0 when {@code targetEpsilon} is given
 * @param targetEpsilon   ε to stay within, or 0 when z is given
 * @param delta           δ in (0, 1), or 0 for the default (needed with a target ε)
 * @param secureRng       noise from a secure generator instead of (seed, round, client)
 */
public record ClientDpSettings(double clip, double noiseMultiplier, double targetEpsilon, double delta,
                               boolean secureRng) {

    public ClientDpSettings {
        require(clip > 0 && Double.isFinite(clip), "clip", clip, "finite and > 0");
        require(noiseMultiplier >= 0 && Double.isFinite(noiseMultiplier), "noiseMultiplier", noiseMultiplier,
                ">= 0 and finite");
        require(targetEpsilon >= 0 && Double.isFinite(targetEpsilon), "targetEpsilon", targetEpsilon,
                ">= 0 and finite");
        require(noiseMultiplier > 0 ^ targetEpsilon > 0, "noiseMultiplier", noiseMultiplier + " and targetEpsilon "
                + targetEpsilon, "exactly one of them > 0 (a noise multiplier z, or a target ε for the least z)");
        require(delta == 0 || delta > 0 && delta < 1, "delta", delta, "in (0, 1)");
        require(targetEpsilon == 0 || delta > 0, "delta", "none with targetEpsilon " + targetEpsilon,
                "a delta in (0, 1): a target ε means nothing without its δ");
    }

    private static void require(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
        }
    }
}
