package io.ringfold.federated;

import io.ringfold.random.SplitMix64;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * Which clients a round trains: {@code k} of the connected ones, drawn by a generator derived from (seed, round)
 * over the ids in sorted order. The same seed, round and set of connected clients give the same sample, whatever
 * the order in which they connected; a resumed coordinator replays it.
 */
public final class ClientSampler {

    /** Stream identifier of client sampling (see {@link SplitMix64#derive}). */
    static final long SAMPLE_PURPOSE = 0x53414d504cL;

    private ClientSampler() {
    }

    public static List<String> sample(SortedSet<String> connected, int k, long seed, int round) {
        List<String> ids = new ArrayList<>(connected);
        int[] order = new int[ids.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplitMix64.derive(seed, SAMPLE_PURPOSE, round).shuffle(order, order.length);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            out.add(ids.get(order[i]));
        }
        return out;
    }

    /** The seed of a client's local training in a round: its shuffles and dropout differ by client and round. */
    public static long localSeed(long seed, String clientId, int round) {
        return SplitMix64.derive(seed ^ clientId.hashCode(), SAMPLE_PURPOSE + 1, round).nextLong();
    }
}
