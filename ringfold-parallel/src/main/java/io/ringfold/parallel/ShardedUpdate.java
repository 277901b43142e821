package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.InPlaceAllGather;
import io.ringfold.collective.InPlaceReduceScatter;
import io.ringfold.collective.ReduceOp;
import io.ringfold.dpsgd.GaussianNoise;
import io.ringfold.nn.LazyRows;
import io.ringfold.nn.RunningStatistics;
import io.ringfold.optim.Optimizer;
import io.ringfold.optim.OptimizerState;
import io.ringfold.tensor.StreamingStore;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * The exact mode's gradient exchange and optimizer step, sharded over the workers (ZeRO stage 1 in
 * DeepSpeed's terms, PyTorch's {@code ZeroRedundancyOptimizer}): instead of an allreduce of the whole
 * fixed-point gradient followed by the same full optimizer step on every worker, a reduce-scatter gives
 * each worker the summed gradient of its own slice of the parameters, each worker steps only that slice
 * (the mean, weight decay and optimizer work is divided by the worker count instead of repeated), and an
 * all-gather of the updated float32 slices gives everyone the whole vector. The data moved per worker is
 * that of one allreduce, with the second half in float32 instead of int64.
 *
 * <p>Bit-identity is unaffected: the int64 sums are exact whatever the split, and every optimizer
 * updates each element from its own values only ({@link Optimizer#step(float[], float[], float, int,
 * int)}), so a slice updated on one worker has the bits it would have after a full update anywhere.
 *
 * <p>Layout of the reduce-scatter buffer: one block per worker, {@code [statistics | gradient slice]}.
 * Every block carries its own copy of the per-shard statistics (losses, hits, maxima: one non-zero
 * contributor per slot, so their integer sum is exact), so each worker learns all of them from its own
 * block without a second collective.
 *
 * <p>Over shared memory ({@link InPlaceReduceScatter}: the segment of processes on one host, the slots of
 * worker threads in one JVM) the blocks for the other workers are converted straight into shared memory
 * and the own block adds the peers' where they lie, in the conversion pass; elsewhere they go through
 * {@code wire} and the plain reduce-scatter. Same layout, same sums. The all-gather of the updated slices
 * is in place there too ({@link InPlaceAllGather}): each worker writes its slice into shared memory and
 * copies the others' from where they lie, instead of through {@code gathered}. Both writes use plain or
 * streaming stores, whichever is faster at the time ({@link SegmentStores}). Threads and processes thus
 * take the same path, with one synchronisation point per collective.
 *
 * <p>Per step the trainer calls {@link #agree} (first step only), then {@link #reduce} once or, when the
 * gradient outgrew the scale, twice, then {@link #step}; every worker makes the same calls.
 */
final class ShardedUpdate {

    private final Communicator comm;
    private final int p;
    private final int statsLength;
    /** Parameters per worker slice (the last slices may be shorter or empty). */
    private final int slice;
    private final int block;
    private final int lo;
    private final int hi;
    private final long[] wire;
    /** The communicator's copy-free reduce-scatter, where it has one (shared memory), else null. */
    private final InPlaceReduceScatter inPlace;
    private final InPlaceReduceScatter.Contribution contribution = this::writeContribution;
    private final InPlaceReduceScatter.Reduction reduction = this::reduceOwn;
    // The reduce call in progress, for the two callbacks above (fields, so a step allocates nothing).
    private float[][] pendingGrads;
    private int pendingOwned;
    private int pendingE;
    private double[] pendingStats;
    private boolean pendingStreaming;
    private long pendingWriteNanos;
    /** The communicator's copy-free all-gather, where it has one (shared memory), else null. */
    private final InPlaceAllGather inPlaceGather;
    private final InPlaceAllGather.Block ownSlice = this::writeOwnSlice;
    private final InPlaceAllGather.Blocks otherSlices = this::readOtherSlices;
    /** The vector being gathered, for the two callbacks above. */
    private float[] pendingVector;
    /** Plain or streaming stores for each kind of write into the segment. */
    private final SegmentStores contributionStores = new SegmentStores();
    private final SegmentStores sliceStores = new SegmentStores();
    private final float[] gathered;

    ShardedUpdate(Communicator comm, int parameterCount, int shards) {
        this.comm = comm;
        this.p = parameterCount;
        this.statsLength = 3 * shards;
        int n = comm.size();
        this.slice = (parameterCount + n - 1) / n;
        this.block = statsLength + slice;
        this.lo = Math.min(parameterCount, comm.rank() * slice);
        this.hi = Math.min(parameterCount, lo + slice);
        this.wire = new long[n * block];
        this.inPlace = comm instanceof InPlaceReduceScatter ip ? ip : null;
        this.inPlaceGather = comm instanceof InPlaceAllGather ig ? ig : null;
        this.gathered = new float[n * slice];
    }

    /**
     * Every shard's statistics in {@code allStats}, before any gradient is reduced (the first step has no
     * previous maximum to take the scale from): an allreduce with one contributor per slot, so exact.
     */
    void agree(double[] localStats, double[] allStats) {
        System.arraycopy(localStats, 0, allStats, 0, localStats.length);
        comm.allReduce(allStats, 0, allStats.length, ReduceOp.SUM);
    }

    /**
     * Converts this worker's shard gradients to fixed point at exponent {@code e}, adds them up with the
     * other workers' (reduce-scatter) and leaves the statistics of all shards in {@code allStats}.
     * {@code localStats} holds this worker's shards' statistics (zero elsewhere).
     */
    void reduce(float[][] shardGrads, int owned, int e, double[] localStats, double[] allStats) {
        if (inPlace != null) {
            pendingGrads = shardGrads;
            pendingOwned = owned;
            pendingE = e;
            pendingStats = localStats;
            pendingStreaming = contributionStores.next();
            pendingWriteNanos = 0;
            boolean done = inPlace.reduceScatterInPlace(block, contribution, reduction);
            pendingGrads = null;
            pendingStats = null;
            if (done) {
                if (comm.size() > 1) {
                    contributionStores.record(pendingStreaming, pendingWriteNanos);
                }
                readStats(allStats);
                return;
            }
        }
        int n = comm.size();
        // Every slot but the padding after the last parameter is written here; the padding stays zero.
        for (int b = 0; b < n; b++) {
            int at = b * block;
            for (int i = 0; i < statsLength; i++) {
                wire[at + i] = statBits(localStats[i]);
            }
            int from = Math.min(p, b * slice);
            int to = Math.min(p, from + slice);
            FixedPointGradient.sum(shardGrads, owned, from, to, e, wire, at + statsLength);
        }
        comm.reduceScatter(wire, 0, block, ReduceOp.SUM);
        readStats(allStats);
    }

    /**
     * A statistic as it travels in an int64 slot: its raw bits, zero for either zero (an absent
     * contributor adds 0, so the one non-zero contributor's bits come through the sum unchanged).
     */
    private static long statBits(double v) {
        return v == 0 ? 0 : Double.doubleToRawLongBits(v);
    }

    private void readStats(double[] allStats) {
        int mine = comm.rank() * block;
        for (int i = 0; i < statsLength; i++) {
            allStats[i] = Double.longBitsToDouble(wire[mine + i]);
        }
    }

    /** This worker's block b as the plain path lays it out: statistics, then the slice, then zero padding. */
    private void writeContribution(int b, LongBuffer dst, int index) {
        long t0 = System.nanoTime();
        for (int i = 0; i < statsLength; i++) {
            dst.put(index + i, statBits(pendingStats[i]));
        }
        int from = Math.min(p, b * slice);
        int to = Math.min(p, from + slice);
        FixedPointGradient.sum(pendingGrads, pendingOwned, from, to, pendingE, dst, index + statsLength, pendingStreaming);
        for (int i = statsLength + to - from; i < block; i++) {
            dst.put(index + i, 0L);
        }
        pendingWriteNanos += System.nanoTime() - t0;
    }

    /** This worker's own block in the wire: its statistics and slice plus every peer's, read where they lie. */
    private void reduceOwn(LongBuffer[] from, int[] index) {
        int rank = comm.rank();
        int mine = rank * block;
        for (int i = 0; i < statsLength; i++) {
            long sum = statBits(pendingStats[i]);
            for (int q = 0; q < from.length; q++) {
                if (q != rank) {
                    sum += from[q].get(index[q] + i);
                }
            }
            wire[mine + i] = sum;
        }
        if (from.length == 1) {
            FixedPointGradient.sum(pendingGrads, pendingOwned, lo, hi, pendingE, wire, mine + statsLength);
            return;
        }
        int first = rank == 0 ? 1 : 0;
        // The first peer's contribution is added inside the conversion pass; any others after it.
        FixedPointGradient.sumPlus(pendingGrads, pendingOwned, lo, hi, pendingE, wire, mine + statsLength,
                from[first], index[first] + statsLength);
        for (int q = first + 1; q < from.length; q++) {
            if (q != rank) {
                for (int i = 0; i < hi - lo; i++) {
                    wire[mine + statsLength + i] += from[q].get(index[q] + statsLength + i);
                }
            }
        }
    }

    /**
     * The mean gradient of this worker's slice, the running statistics' update (where {@code buffers} marks
     * them; null: none), weight decay, one optimizer step on the slice, and the all-gather that leaves the
     * whole updated vector in {@code params} on every worker. {@code grad} is scratch of the parameters' length
     * (only the slice is written).
     */
    void step(int e, int rows, float[] params, float[] grad, boolean[] decayMask, float decay, boolean[] buffers,
              float[] bufferMomentum, Optimizer optimizer, LazyRows lazy, float learningRate) {
        step(e, rows, params, grad, decayMask, decay, buffers, bufferMomentum, optimizer, lazy, learningRate, null, 0,
                0, 0);
    }

    /**
     * As {@link #step(int, int, float[], float[], boolean[], float, boolean[], float[], Optimizer, LazyRows, float)},
     * with DP-SGD's noise (unless {@code noise} is null) added to the slice's mean gradient, {@code std} times
     * the standard normal draws of (seed, step, index): each entry once, by the worker that owns it, with the
     * value any worker would give it.
     */
    void step(int e, int rows, float[] params, float[] grad, boolean[] decayMask, float decay, boolean[] buffers,
              float[] bufferMomentum, Optimizer optimizer, LazyRows lazy, float learningRate, GaussianNoise noise,
              long seed, long globalStep, double std) {
        FixedPointGradient.toMean(wire, comm.rank() * block + statsLength, e, rows, grad, lo, hi);
        if (noise != null) {
            noise.add(grad, lo, hi, seed, globalStep, std);
        }
        if (buffers != null) {
            RunningStatistics.apply(buffers, bufferMomentum, params, grad, lo, hi);
        }
        if (lazy != null) {
            lazy.step(optimizer, params, grad, decayMask, decay, learningRate, lo, hi);
        } else {
            WeightDecay.add(grad, params, decayMask, decay, lo, hi);
            optimizer.step(params, grad, learningRate, lo, hi);
        }
        gather(params);
    }

    /** Every worker's slice of {@code v} (length p) into every worker's {@code v}. */
    private void gather(float[] v) {
        int n = comm.size();
        if (n == 1) {
            return;
        }
        if (inPlaceGather != null) {
            pendingVector = v;
            boolean done = inPlaceGather.allGatherInPlace(slice, ownSlice, otherSlices);
            pendingVector = null;
            if (done) {
                return;
            }
        }
        int mine = comm.rank() * slice;
        System.arraycopy(v, lo, gathered, mine, hi - lo);
        comm.allGather(gathered, 0, slice);
        System.arraycopy(gathered, 0, v, 0, lo);
        System.arraycopy(gathered, hi, v, hi, p - hi);
    }

    /** This worker's slice of the vector being gathered, into its block; the padding after a short last slice is not read. */
    private void writeOwnSlice(FloatBuffer dst, int index) {
        boolean streaming = sliceStores.next();
        long t0 = System.nanoTime();
        if (streaming) {
            StreamingStore.copy(pendingVector, lo, dst, index, hi - lo);
        } else {
            dst.put(index, pendingVector, lo, hi - lo);
        }
        sliceStores.record(streaming, System.nanoTime() - t0);
    }

    /** Every other worker's slice, from its block into the vector being gathered. */
    private void readOtherSlices(FloatBuffer[] from, int[] index) {
        for (int q = 0; q < from.length; q++) {
            if (from[q] != null) {
                int start = Math.min(p, q * slice);
                int end = Math.min(p, start + slice);
                from[q].get(index[q], pendingVector, start, end - start);
            }
        }
    }

    /**
     * The whole optimizer state, assembled from every worker's slice (each worker's state is current only
     * on its own slice). A collective: every worker calls it at the same step; for checkpoints.
     */
    OptimizerState fullState(Optimizer optimizer) {
        OptimizerState s = optimizer.state();
        float[][] buffers = s.buffers();
        for (float[] b : buffers) {
            if (b.length != p) {
                throw new IllegalStateException("optimizer state buffer: " + b.length + " values (expected: " + p + ")");
            }
            gather(b);
        }
        return new OptimizerState(s.kind(), s.steps(), buffers);
    }
}
