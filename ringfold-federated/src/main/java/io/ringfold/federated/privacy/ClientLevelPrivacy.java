package io.ringfold.federated.privacy;

import io.ringfold.random.SplitMix64;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * The random choices of a private run, each a counter-based draw so that a resumed or replayed run makes the same
 * ones whatever the order clients connected in: which clients a round samples (Poisson: each independently with
 * probability q, decided from (seed, round, client id)), and the seed of each client's noise (from (seed, client
 * id); the round is the noise's step).
 */
public final class ClientLevelPrivacy {

    /** Stream identifier of the Poisson sampling of clients (see {@link SplitMix64#hash}). */
    static final long SAMPLE_PURPOSE = 0x4350_4f49_5353L;
    /** Stream identifier of the clients' noise seeds. */
    static final long NOISE_PURPOSE = 0x4350_4e4f_4953L;

    private ClientLevelPrivacy() {
    }

    /**
     * The clients of {@code connected} in round {@code round}'s sample, in sorted order: client c is in it when draw
     * {@code idHash(c)} of the round's key is below q. The size varies around q times the connected clients; it may
     * be 0.
     */
    public static List<String> sample(SortedSet<String> connected, double samplingRate, long seed, int round) {
        long key = SplitMix64.hash(seed, SAMPLE_PURPOSE, round);
        List<String> out = new ArrayList<>();
        for (String id : connected) {
            if (SplitMix64.unit(SplitMix64.draw(key, idHash(id))) < samplingRate) {
                out.add(id);
            }
        }
        return out;
    }

    /** The seed of client {@code clientId}'s noise in a run of {@code seed} ("" for a round that sampled nobody). */
    public static long noiseSeed(long seed, String clientId) {
        return SplitMix64.hash(seed, NOISE_PURPOSE, idHash(clientId));
    }

    /**
     * A 64-bit hash of a client id's UTF-8 bytes (FNV-1a, then mixed): unlike {@link String#hashCode} two of the
     * short ids a run has practically never collide, so clients' draws stay independent.
     */
    static long idHash(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return SplitMix64.hash(h, SAMPLE_PURPOSE, 0);
    }
}
