package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.optim.Optimizer;
import io.ringfold.optim.OptimizerState;

/**
 * The sharded step for worker threads of one JVM ({@link Siblings}): after a barrier, each worker converts
 * and sums every shard's gradient (its own and, read in place, its siblings') over its own parameter
 * slice and steps the optimizer on that slice of its own parameter array; after a second barrier it
 * copies the other slices from their owners' arrays. Two synchronisation points per step, against the
 * four of the collectives ({@link ShardedUpdate}: reduce-scatter, all-gather), and no int64 block to
 * move: the fixed-point sum reads the siblings' float gradients where they lie.
 *
 * <p>Each worker keeps its own parameter array, although all hold the same values: with one shared
 * array, the optimizer's writes to a slice that the other cores had just read in the forward pass cost
 * the cache lines' invalidations, and the optimizer step took 50-100% longer (measured on 2 cores, MLP
 * 784-128-10) than the copy it saves.
 *
 * <p>The bits are those of {@link ShardedUpdate}: the same integer sums over all shards at the same
 * exponent (integer addition in any order), the same statistics (one writer per slot; a zero is written
 * as +0.0, as the collective's integer sum gives it), the same slice update.
 *
 * <p>Why it is safe without more synchronisation: between the two barriers of a step nobody writes a
 * shard gradient or the statistics (those are written before the first), and each worker writes only
 * its own slice of its own array. A worker copies the others' slices after the second barrier, and
 * their owners write them again only after the next step's first barrier, which nobody passes before
 * every worker has arrived there, so has finished copying.
 */
final class SiblingShardedStep implements ShardedStep {

    private final Communicator comm;
    private final Siblings board;
    private final int p;
    private final int shards;
    private final int first;
    private final int end;
    private final int slice;
    private final int lo;
    private final int hi;
    /** Every shard's gradient array in shard order, filled by {@link #share}. */
    private final float[][] all;
    private final long[] sums;
    private ShardedUpdate gatherer;
    /** Whether this step's first barrier is behind us (so the statistics are in and grads may be read). */
    private boolean arrived;
    private long bytesRead;

    SiblingShardedStep(Communicator comm, Siblings board, int parameterCount, int shards) {
        this.comm = comm;
        this.board = board;
        this.p = parameterCount;
        this.shards = shards;
        int n = comm.size();
        this.first = ShardPlan.firstShard(comm.rank(), n, shards);
        this.end = ShardPlan.endShard(comm.rank(), n, shards);
        this.slice = ShardedStep.sliceLength(parameterCount, n);
        this.lo = Math.min(parameterCount, comm.rank() * slice);
        this.hi = Math.min(parameterCount, lo + slice);
        this.all = new float[shards][];
        this.sums = new long[hi - lo];
    }

    /** Publishes this worker's gradient and parameter arrays and learns its siblings'. A collective. */
    @Override
    public float[] share(float[] params, float[][] shardGrads) {
        int rank = comm.rank();
        board.grads[rank] = shardGrads;
        board.firstShard[rank] = first;
        board.params[rank] = params;
        comm.barrier();
        for (int r = 0; r < board.workers; r++) {
            float[][] g = board.grads[r];
            for (int s = 0; s < g.length; s++) {
                all[board.firstShard[r] + s] = g[s];
            }
        }
        return params;
    }

    @Override
    public void agree(double[] localStats, double[] allStats) {
        double[] shared = board.stats;
        for (int k = 0; k < 3; k++) {
            for (int j = first; j < end; j++) {
                double v = localStats[k * shards + j];
                shared[k * shards + j] = v == 0 ? 0.0 : v;
            }
        }
        comm.barrier();
        System.arraycopy(shared, 0, allStats, 0, allStats.length);
        arrived = true;
    }

    @Override
    public void reduce(float[][] shardGrads, int owned, int e, double[] localStats, double[] allStats) {
        if (!arrived) {
            agree(localStats, allStats);
        }
        FixedPointGradient.sum(all, shards, lo, hi, e, sums, 0);
        bytesRead += 4L * (hi - lo) * (shards - (end - first));
    }

    @Override
    public void step(int e, int rows, float[] params, float[] grad, boolean[] decayMask, float decay, Optimizer optimizer,
                     float learningRate) {
        FixedPointGradient.toMean(sums, 0, e, rows, grad, lo, hi);
        ShardedStep.addWeightDecay(grad, params, decayMask, decay, lo, hi);
        optimizer.step(params, grad, learningRate, lo, hi);
        comm.barrier();
        for (int r = 0; r < board.workers; r++) {
            int from = Math.min(p, r * slice);
            int to = Math.min(p, from + slice);
            if (r != comm.rank()) {
                System.arraycopy(board.params[r], from, params, from, to - from);
                bytesRead += 4L * (to - from);
            }
        }
        arrived = false;
    }

    @Override
    public OptimizerState fullState(Optimizer optimizer) {
        if (gatherer == null) {
            gatherer = new ShardedUpdate(comm, p, shards);
        }
        return gatherer.fullState(optimizer);
    }

    @Override
    public long bytesRead() {
        return bytesRead;
    }
}
