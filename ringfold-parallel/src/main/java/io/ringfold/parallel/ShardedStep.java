package io.ringfold.parallel;

import io.ringfold.optim.Optimizer;
import io.ringfold.optim.OptimizerState;

/**
 * The exact mode's exchange and optimizer step for one worker (ZeRO stage 1): every worker ends up with
 * the summed fixed-point gradient of its own slice of the parameters, steps the optimizer on that slice,
 * and then all hold the whole updated vector. Two implementations, with the same bits:
 * {@link ShardedUpdate} over the collectives of any {@code Communicator} (processes, machines), and
 * {@link SiblingShardedStep} for worker threads of one JVM, which read each other's shard gradients and
 * updated slices in place.
 *
 * <p>Per step the trainer calls {@link #agree} (first step only), then {@link #reduce} once or, when the
 * gradient outgrew the scale, twice, then {@link #step}; every worker makes the same calls.
 */
interface ShardedStep {

    /**
     * Called once before the first step, with the arrays this worker's shard gradients will be computed
     * into; returns the parameter array to train ({@code params} itself). A collective for sibling threads.
     */
    float[] share(float[] params, float[][] shardGrads);

    /**
     * Leaves every shard's statistics (losses, hits, maxima) in {@code allStats}, given this worker's
     * shards' in {@code localStats} (zero elsewhere), before any gradient is reduced: the first step
     * has no previous maximum to take the scale from.
     */
    void agree(double[] localStats, double[] allStats);

    /**
     * The sum over all shards, in fixed point at exponent {@code e}, of this worker's slice of the
     * gradient; {@code allStats} as in {@link #agree}.
     */
    void reduce(float[][] shardGrads, int owned, int e, double[] localStats, double[] allStats);

    /**
     * The mean gradient of this worker's slice, weight decay, one optimizer step on the slice; on return
     * {@code params} holds every worker's updated slice. {@code grad} is scratch of the parameters' length.
     */
    void step(int e, int rows, float[] params, float[] grad, boolean[] decayMask, float decay, Optimizer optimizer,
              float learningRate);

    /** The whole optimizer state, assembled from every worker's slice; a collective, for checkpoints. */
    OptimizerState fullState(Optimizer optimizer);

    /** Bytes this worker read from other workers' memory outside the communicator (for telemetry). */
    long bytesRead();

    /** Parameters per worker slice: worker r steps [r * slice, (r + 1) * slice) clipped to {@code p}. */
    static int sliceLength(int p, int workers) {
        return (p + workers - 1) / workers;
    }

    /**
     * L2 weight decay on elements [from, to): {@code grad[i] += decay * params[i]} where {@code mask[i]}
     * (weights, not biases); nothing when {@code mask} is null. The one place both data-parallel modes add it.
     */
    static void addWeightDecay(float[] grad, float[] params, boolean[] mask, float decay, int from, int to) {
        if (mask == null) {
            return;
        }
        for (int i = from; i < to; i++) {
            if (mask[i]) {
                grad[i] += decay * params[i];
            }
        }
    }
}
