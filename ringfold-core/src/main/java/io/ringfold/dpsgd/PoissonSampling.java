package io.ringfold.dpsgd;

import io.ringfold.random.SplitMix64;

/**
 * Poisson sampling of a private run's batches, the sampling the accountant's analysis assumes: in each step
 * every training example is in the batch independently with probability q = B / N, so batch sizes vary
 * around B. Whether example i is in step t's batch depends only on (seed, t, i), a counter-based draw, so a
 * worker decides it for its own rows alone and the batch is the same for any worker count.
 */
public final class PoissonSampling {

    /** Stream identifier of the sampling draws (see {@link SplitMix64#hash}). */
    static final long PURPOSE = 0x504f4953534f4eL;

    private PoissonSampling() {
    }

    /** The draws of step {@code step}: pass to {@link #includes}. */
    public static long stepKey(long seed, long step) {
        return SplitMix64.hash(seed, PURPOSE, step);
    }

    /**
     * Whether example {@code example} (its index in the training data) is in the step of {@code stepKey}: draw
     * {@code example} of the SplitMix64 stream seeded with the key, below q.
     */
    public static boolean includes(long stepKey, long example, double samplingRate) {
        return SplitMix64.unit(SplitMix64.draw(stepKey, example)) < samplingRate;
    }

    /**
     * The examples of {@code [0, rows)} in step {@code step}'s batch, in increasing order, into {@code out}
     * (of at least {@code rows} entries); returns how many.
     */
    public static int sample(long seed, long step, int rows, double samplingRate, int[] out) {
        long key = stepKey(seed, step);
        int n = 0;
        for (int i = 0; i < rows; i++) {
            if (includes(key, i, samplingRate)) {
                out[n++] = i;
            }
        }
        return n;
    }

    /** How many of {@code [0, rows)} are in step {@code step}'s batch (for the metrics of a resumed epoch). */
    public static long count(long seed, long step, int rows, double samplingRate) {
        long key = stepKey(seed, step);
        long n = 0;
        for (int i = 0; i < rows; i++) {
            if (includes(key, i, samplingRate)) {
                n++;
            }
        }
        return n;
    }
}
