package io.ringfold.parallel;

import io.ringfold.dpsgd.ClippedSum;
import io.ringfold.dpsgd.DpSgdPlan;
import io.ringfold.dpsgd.GaussianNoise;
import io.ringfold.dpsgd.PoissonSampling;
import io.ringfold.nn.Backpropagation;
import io.ringfold.nn.LazyRows;
import io.ringfold.nn.Network;
import io.ringfold.nn.TrainingContext;
import io.ringfold.optim.Optimizer;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Kernels;
import io.ringfold.tensor.Matrix;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One step of the exact mode on one worker: the gradient of each owned shard, the fixed-point exchange
 * and the sharded optimizer step ({@link ShardedUpdate}). The scale of the fixed-point sums comes from
 * the previous step's largest gradient element ({@link #previousMax}, carried here and saved in
 * checkpoints).
 *
 * <p>A class of its own ({@link TrainingStep}), not a block inside the trainer's epoch loop, for the JIT: with the step inlined
 * in one 2,500-byte method, C2 compiled that method again for each of its loops' on-stack-replacement
 * entries, for hundreds of milliseconds per compilation, well into the third and fourth epochs. With one
 * worker per core, the compiler thread then took turns with a worker on its core (0.7 to 4 ms at a time,
 * the scheduler's slices), and every other worker waited at the next collective for it: most of the
 * time two workers lost against one. Here the step is compiled once, early and small.
 */
final class ExactStep implements TrainingStep {

    /** Bits of headroom over the previous step's largest gradient before a step needs a second reduction. */
    static final int HEADROOM_BITS = 8;

    /** Steps that needed the second reduction, for tests. */
    static final AtomicLong SECOND_REDUCTIONS = new AtomicLong();

    private final Blas blas;
    private final ShardPlan plan;
    private final LocalShards local;
    private final ShardedUpdate sharded;
    private final int shards;
    private final int first;
    private final int owned;
    private final float[][] shardGrads;
    private final double[] stats;
    private final double[] allStats;
    private final float[] grad;
    private final boolean[] decayMask;
    private final float decay;
    private final Backpropagation bp;
    private final FloatMatrix buffer;
    private final float[] labels;
    private final long seed;
    /** Data set index of each row of a shard's batch, for dropout's masks. */
    private final int[] examples;
    private final boolean[] buffers;
    private final float[] bufferMomentum;
    /** Sparse updates of embedding tables; null without one. */
    private final LazyRows lazy;
    /** The embedding table's rows this worker holds, with --shard-embeddings; else null. */
    private final TableShard tables;
    private double previousMax = Double.NaN;
    /** A private run's plan (DP-SGD), or null. */
    private final DpSgdPlan dp;
    private final ClippedSum clipped;
    private final GaussianNoise noise;
    /** A shard's sampled rows: local indices, and their indices in the training data. */
    private final int[] sampled;
    private final int[] sampledGlobal;

    /**
     * In a private step the hits slot of a shard carries its sampled rows too, {@code hits + rows · ROWS_UNIT}:
     * the slot has one contributor, so the integer sum passes the value through, and both counts stay far below
     * 2^24 (a shard's sample), the sum below 2^53.
     */
    static final double ROWS_UNIT = 0x1p24;

    ExactStep(Blas blas, Network net, long seed, ShardPlan plan, LocalShards local, ShardedUpdate sharded, int first,
              int owned, boolean[] decayMask, float decay, TableShard tables) {
        this(blas, net, seed, plan, local, sharded, first, owned, decayMask, decay, tables, null);
    }

    /** With {@code dp} (not null) each step is DP-SGD's: see {@link #privateGradients}. */
    ExactStep(Blas blas, Network net, long seed, ShardPlan plan, LocalShards local, ShardedUpdate sharded, int first,
              int owned, boolean[] decayMask, float decay, TableShard tables, DpSgdPlan dp) {
        // With a sharded table the trainer's vector is the rest of the parameters; the table's part is apart.
        int parameterCount = tables == null ? net.parameterCount() : tables.restCount();
        int maxShardBatch = plan.shardBatch(0);
        this.blas = blas;
        this.plan = plan;
        this.local = local;
        this.sharded = sharded;
        this.shards = plan.shards();
        this.first = first;
        this.owned = owned;
        this.shardGrads = new float[owned][parameterCount];
        this.stats = new double[3 * shards];
        this.allStats = new double[3 * shards];
        this.grad = new float[parameterCount];
        this.decayMask = decayMask;
        this.decay = decay;
        this.bp = tables == null ? new Backpropagation(net, maxShardBatch) : null;
        this.seed = seed;
        this.examples = new int[maxShardBatch];
        this.tables = tables;
        this.buffers = tables != null ? tables.restBufferMask() : net.hasBuffers() ? net.bufferMask() : null;
        this.bufferMomentum = buffers == null ? null : tables != null ? tables.restBufferMomentum()
                : net.bufferMomentum();
        // A private step adds noise to every entry, so embedding tables are updated whole.
        this.lazy = tables == null && dp == null ? LazyRows.of(net) : null;
        this.dp = dp;
        int maxShardRows = 0;
        for (int s = 0; s < owned; s++) {
            maxShardRows = Math.max(maxShardRows, plan.shardRows(first + s));
        }
        this.clipped = dp == null ? null : new ClippedSum(net, ClippedSum.capacityFor(
                dp.samplingRate() * plan.shardRows(0)));
        this.noise = dp == null ? null : dp.newNoise();
        this.sampled = dp == null ? null : new int[maxShardRows];
        this.sampledGlobal = dp == null ? null : new int[maxShardRows];
        this.buffer = local.features(0).batchBuffer(maxShardBatch);
        this.labels = new float[maxShardBatch];
    }

    @Override
    public void run(long globalStep, int t, int[][] order, float[] params, Optimizer optimizer, float learningRate) {
        java.util.Arrays.fill(stats, 0);
        if (tables != null) {
            tables.lookup(plan, local, first, t, order, params);
        }
        if (dp != null) {
            privateGradients(globalStep, params);
        }
        for (int s = 0; dp == null && s < owned; s++) {
            int shard = first + s;
            int rows = plan.batchRows(shard, t);
            float[] g = shardGrads[s];
            if (rows == 0) {
                java.util.Arrays.fill(g, 0f);
                continue;
            }
            int start = plan.batchStart(shard, t);
            for (int i = 0; i < rows; i++) {
                examples[i] = plan.globalRow(shard, order[s][start + i]);
            }
            TrainingContext context = new TrainingContext(seed, globalStep, examples);
            if (tables != null) {
                stats[shard] = tables.gradient(s, rows, g, context);
                stats[shards + shard] = tables.correct();
                stats[2 * shards + shard] = tables.maxAbs();
                continue;
            }
            Matrix xb = DataParallelTrainer.gather(local, s, order[s], start, rows, buffer, labels);
            stats[shard] = bp.compute(blas, params, xb, rows, labels, g, context);
            stats[shards + shard] = bp.correct();
            stats[2 * shards + shard] = Kernels.maxAbs(g);
        }
        int e;
        double stepMax;
        if (Double.isNaN(previousMax)) {
            // First step: agree on the maxima first, then reduce the gradients at their scale.
            sharded.agree(stats, allStats);
            stepMax = maxOfShards(allStats);
            e = FixedPointGradient.exponent(stepMax, shards);
            sharded.reduce(shardGrads, owned, e, stats, allStats);
        } else {
            // One collective: scale by the previous step's maximum with HEADROOM_BITS to spare; this
            // step's statistics travel in the same buffer. Should a gradient have grown past the
            // headroom (every worker sees it in the same sums), reduce again with the right scale.
            e = FixedPointGradient.exponent(Math.scalb(previousMax, HEADROOM_BITS), shards);
            sharded.reduce(shardGrads, owned, e, stats, allStats);
            stepMax = maxOfShards(allStats);
            // Written so that NaN takes this branch too: exponent() then reports the divergence,
            // before sums of non-finite values (unspecified in fixed point) reach the parameters.
            if (!(stepMax <= Math.scalb(previousMax, HEADROOM_BITS))) {
                SECOND_REDUCTIONS.incrementAndGet();
                e = FixedPointGradient.exponent(stepMax, shards);
                sharded.reduce(shardGrads, owned, e, stats, allStats);
            }
        }
        previousMax = stepMax;
        if (tables != null) {
            // Once, at the exponent settled on: the table's sums carry no statistics, so need no first try.
            tables.exchange(e);
            tables.step(e, plan.stepRows(t), learningRate);
        }
        if (dp != null) {
            sharded.step(e, dp.expectedBatch(), params, grad, decayMask, decay, buffers, bufferMomentum, optimizer, lazy,
                    learningRate, noise, seed, globalStep, dp.meanNoiseStd());
        } else {
            sharded.step(e, plan.stepRows(t), params, grad, decayMask, decay, buffers, bufferMomentum, optimizer, lazy,
                    learningRate);
        }
    }

    /**
     * DP-SGD's gradients of the owned shards: each shard's rows in the step's Poisson sample (decided per row by
     * (seed, step, row index in the data), so whatever worker owns the shard), and their sum, each row's gradient
     * clipped ({@link ClippedSum}). The noise comes after the exact sum, in the sharded step, and the division is
     * by the expected batch size.
     */
    private void privateGradients(long globalStep, float[] params) {
        long key = PoissonSampling.stepKey(seed, globalStep);
        double q = dp.samplingRate();
        for (int s = 0; s < owned; s++) {
            int shard = first + s;
            int n = plan.shardRows(shard);
            int count = 0;
            for (int j = 0; j < n; j++) {
                int row = plan.globalRow(shard, j);
                if (PoissonSampling.includes(key, row, q)) {
                    sampled[count] = j;
                    sampledGlobal[count++] = row;
                }
            }
            float[] g = shardGrads[s];
            stats[shard] = clipped.compute(blas, params, local.features(s), local.labels(s), sampled, sampledGlobal,
                    count, seed, globalStep, dp.clip(), g);
            stats[shards + shard] = clipped.correct() + count * ROWS_UNIT;
            stats[2 * shards + shard] = Kernels.maxAbs(g);
        }
    }

    @Override
    public double addLoss(double lossSum) {
        for (int j = 0; j < shards; j++) {
            lossSum += allStats[j];
        }
        return lossSum;
    }

    @Override
    public long addHits(long hits) {
        for (int j = 0; j < shards; j++) {
            hits += dp == null ? (long) allStats[shards + j] : (long) (allStats[shards + j] % ROWS_UNIT);
        }
        return hits;
    }

    @Override
    public long addRows(long rows, int t) {
        if (dp == null) {
            return rows + plan.stepRows(t);
        }
        for (int j = 0; j < shards; j++) {
            rows += (long) Math.floor(allStats[shards + j] / ROWS_UNIT);
        }
        return rows;
    }

    /** The last step's largest gradient element (NaN before the first step): the next step's scale. */
    double previousMax() {
        return previousMax;
    }

    /** On resume, the checkpointed scale source, so the resumed run stays bit-identical. */
    void resumeFrom(double previousMax) {
        this.previousMax = previousMax;
    }

    private static double maxOfShards(double[] stats) {
        int shards = stats.length / 3;
        double m = 0;
        for (int j = 0; j < shards; j++) {
            m = Math.max(m, stats[2 * shards + j]);
        }
        return m;
    }
}
