package io.ringfold.federated.privacy;

import io.ringfold.dpsgd.GaussianNoise;
import io.ringfold.federated.exact.ExactSum;
import io.ringfold.federated.wire.FederatedException;

import java.util.Collection;
import java.util.List;

/**
 * The coordinator's side of one private round of n sampled clients: each client's noise share has standard
 * deviation zS / sqrt(n) ({@link io.ringfold.collective.secagg.ClientUpdatePrivacy#noiseStddev}), so the n shares
 * add up to the plan's N(0, (zS)²) on the sum. Updates are weighted equally (weight 1, not their examples) and
 * the sum is divided by the fixed K of the plan, so one client moves the mean by at most S / K whoever else
 * reported. A sampled client whose update is not in the sum (it dropped out, or was excluded) still gets its share
 * of noise, added here, so the released parameters always carry the planned noise; a round that sampled nobody
 * carries the whole zS, from the seed of client "".
 */
public final class PrivateRound {

    private final ClientDpPlan plan;
    private final long seed;
    private final int round;
    private final List<String> sampled;
    private final GaussianNoise noise;
    private final int exponent;

    /** @param seed the run's seed, from which each client's noise seed derives */
    public PrivateRound(ClientDpPlan plan, long seed, int round, List<String> sampled) {
        this.plan = plan;
        this.seed = seed;
        this.round = round;
        this.sampled = List.copyOf(sampled);
        this.noise = plan.secureRng() ? GaussianNoise.secure() : GaussianNoise.seeded();
        // Weight 1 per update: the scale exponent of n terms of magnitude below ExactSum.MAX_DELTA.
        this.exponent = ExactSum.exponent(1, Math.max(1, sampled.size()));
    }

    /** The sum's scale exponent. */
    public int exponent() {
        return exponent;
    }

    /** What the mean divides by: K, fixed whoever reported. */
    public long denominator() {
        return plan.expectedClients();
    }

    /** Client {@code id}'s task: its clip, its noise share and the seed of it. */
    public ClientDpTask task(String id) {
        double share = io.ringfold.collective.secagg.ClientUpdatePrivacy.noiseStddev(plan.noiseMultiplier(),
                plan.clip(), Math.max(1, sampled.size()));
        return new ClientDpTask(plan.clip(), share, ClientLevelPrivacy.noiseSeed(seed, id), round, plan.secureRng());
    }

    /**
     * Client {@code id}'s share of the exact sum: its delta clipped and noised here (the coordinator sees it
     * unclipped; without secure aggregation it is trusted to), or, when the client did that itself, as it came.
     * Synchronized: the plain round collects updates on several threads, and the noise source is not thread-safe.
     */
    public synchronized long[] contribution(String id, float[] delta, boolean privatisedByClient) {
        float[] p = privatisedByClient ? delta : task(id).privatise(delta, noise);
        String why = ExactSum.refusal(p);
        if (why != null) {
            throw new FederatedException("the noised update: " + why);
        }
        return ExactSum.contribution(p, 1, exponent);
    }

    /** Adds to {@code sum} the noise shares of the sampled clients not in {@code aggregated} (all of it when none was sampled). */
    public synchronized void addMissingNoise(long[] sum, Collection<String> aggregated) {
        if (sampled.isEmpty()) {
            float[] all = new ClientDpTask(plan.clip(), plan.sumNoiseStd(), ClientLevelPrivacy.noiseSeed(seed, ""), round,
                    plan.secureRng()).noiseOnly(sum.length, noise);
            ExactSum.add(sum, ExactSum.contribution(all, 1, exponent));
            return;
        }
        for (String id : sampled) {
            if (!aggregated.contains(id)) {
                ExactSum.add(sum, ExactSum.contribution(task(id).noiseOnly(sum.length, noise), 1, exponent));
            }
        }
    }
}
