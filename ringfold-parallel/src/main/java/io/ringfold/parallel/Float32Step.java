package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.ReduceOp;
import io.ringfold.nn.Backpropagation;
import io.ringfold.nn.LazyRows;
import io.ringfold.nn.Network;
import io.ringfold.nn.RunningStatistics;
import io.ringfold.nn.TrainingContext;
import io.ringfold.optim.Optimizer;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/**
 * One step of the float32 mode ({@code --allreduce float32}): each worker runs one backward pass over the
 * rows of all its shards (dense input: gathered into one batch, larger and faster products; sparse: shard
 * by shard, summed in float), one allreduce SUM carries the float gradient and the per-shard losses and
 * hits, and every worker takes the same full optimizer step. Faster than the exact mode, but the float
 * sums depend on the worker count in the last bits.
 */
final class Float32Step implements TrainingStep {

    private final Blas blas;
    private final Communicator comm;
    private final ShardPlan plan;
    private final LocalShards local;
    private final int shards;
    private final int first;
    private final int owned;
    private final int p;
    private final boolean[] decayMask;
    private final float decay;
    private final Backpropagation bp;
    /** One batch of all owned shards' rows (dense input), else null. */
    private final FloatMatrix batch;
    private final float[] labels;
    /** One shard's gradient (sparse input), else null. */
    private final float[] shardGrad;
    /** Gradient (parameter layout) followed by 2S statistics slots: what the allreduce carries. */
    private final float[] wire;
    private final float[] grad;
    private final double[] stats;
    private final long seed;
    /** Data set index of each row of the batch being computed, for dropout's masks. */
    private final int[] examples;
    private final boolean[] buffers;
    private final float[] bufferMomentum;
    /** Sparse updates of embedding tables; null without one. */
    private final LazyRows lazy;

    Float32Step(Blas blas, Communicator comm, Network net, long seed, ShardPlan plan, LocalShards local, int first,
                int owned, int cols, boolean[] decayMask, float decay) {
        this.blas = blas;
        this.comm = comm;
        this.plan = plan;
        this.local = local;
        this.shards = plan.shards();
        this.first = first;
        this.owned = owned;
        this.p = net.parameterCount();
        this.seed = seed;
        this.buffers = net.hasBuffers() ? net.bufferMask() : null;
        this.bufferMomentum = buffers == null ? null : net.bufferMomentum();
        this.lazy = LazyRows.of(net);
        this.decayMask = decayMask;
        this.decay = decay;
        int rows = 0;
        for (int s = 0; s < owned; s++) {
            rows += plan.shardBatch(first + s);
        }
        rows = Math.max(rows, 1);
        boolean dense = local.dense();
        this.bp = new Backpropagation(net, rows);
        this.examples = new int[rows];
        this.batch = dense ? new FloatMatrix(rows, cols) : null;
        this.labels = new float[rows];
        this.shardGrad = dense ? null : new float[p];
        this.wire = new float[p + 2 * shards];
        this.grad = new float[p];
        this.stats = new double[2 * shards];
    }

    @Override
    public void run(long globalStep, int t, int[][] order, float[] params, Optimizer optimizer, float learningRate) {
        java.util.Arrays.fill(stats, 0);
        localGradient(globalStep, t, order, params);
        for (int j = 0; j < 2 * shards; j++) {
            wire[p + j] = (float) stats[j];
        }
        comm.allReduce(wire, 0, wire.length, ReduceOp.SUM);
        float inv = 1f / plan.stepRows(t);
        for (int i = 0; i < p; i++) {
            grad[i] = wire[i] * inv;
        }
        if (buffers != null) {
            RunningStatistics.apply(buffers, bufferMomentum, params, grad, 0, p);
        }
        if (lazy != null) {
            lazy.step(optimizer, params, grad, decayMask, decay, learningRate, 0, p);
        } else {
            WeightDecay.add(grad, params, decayMask, decay, 0, p);
            optimizer.step(params, grad, learningRate);
        }
    }

    @Override
    public double addLoss(double lossSum) {
        for (int j = 0; j < shards; j++) {
            lossSum += wire[p + j];
        }
        return lossSum;
    }

    @Override
    public long addHits(long hits) {
        for (int j = 0; j < shards; j++) {
            hits += (long) wire[p + shards + j];
        }
        return hits;
    }

    @Override
    public long addRows(long rows, int t) {
        return rows + plan.stepRows(t);
    }

    /** This worker's summed gradient into the wire's gradient part; losses and hits into the shard slots. */
    private void localGradient(long globalStep, int t, int[][] order, float[] params) {
        if (batch != null) {
            int rows = 0;
            float[] dst = batch.data();
            int cols = batch.cols();
            for (int s = 0; s < owned; s++) {
                int shard = first + s;
                int n = plan.batchRows(shard, t);
                int from = plan.batchStart(shard, t);
                float[] src = ((FloatMatrix) local.features(s)).data();
                float[] y = local.labels(s);
                for (int i = 0; i < n; i++) {
                    int row = order[s][from + i];
                    System.arraycopy(src, row * cols, dst, (rows + i) * cols, cols);
                    labels[rows + i] = y[row];
                    examples[rows + i] = plan.globalRow(shard, row);
                }
                rows += n;
            }
            if (rows == 0) {
                java.util.Arrays.fill(wire, 0, p, 0f);
                return;
            }
            stats[first] = bp.compute(blas, params, batch, rows, labels, wire,
                    new TrainingContext(seed, globalStep, examples));
            stats[shards + first] = bp.correct();
            return;
        }
        java.util.Arrays.fill(wire, 0, p, 0f);
        for (int s = 0; s < owned; s++) {
            int shard = first + s;
            int n = plan.batchRows(shard, t);
            if (n == 0) {
                continue;
            }
            int start = plan.batchStart(shard, t);
            Matrix xb = DataParallelTrainer.gather(local, s, order[s], start, n, null, labels);
            for (int i = 0; i < n; i++) {
                examples[i] = plan.globalRow(shard, order[s][start + i]);
            }
            stats[shard] = bp.compute(blas, params, xb, n, labels, shardGrad,
                    new TrainingContext(seed, globalStep, examples));
            stats[shards + shard] = bp.correct();
            for (int i = 0; i < p; i++) {
                wire[i] += shardGrad[i];
            }
        }
    }
}
