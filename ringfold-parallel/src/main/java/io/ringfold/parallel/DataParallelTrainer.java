package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.ReduceOp;
import io.ringfold.model.Architecture;
import io.ringfold.model.Backpropagation;
import io.ringfold.model.Initializer;
import io.ringfold.optim.LearningRateSchedule;
import io.ringfold.optim.Optimizer;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.train.EarlyStopping;
import io.ringfold.train.EpochMetrics;
import io.ringfold.train.Evaluation;
import io.ringfold.train.RankTelemetry;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;

import java.util.ArrayList;
import java.util.List;

/**
 * Synchronous data-parallel training, bit-identical for any number of workers up to the shard count.
 *
 * <p>Each global batch is split over a fixed number S of logical shards ({@link ShardPlan}); each
 * worker computes the summed gradient of each shard it owns with the same kernels and shapes as any
 * other worker would, converts it to int64 fixed point with an exponent all workers derive from the
 * same per-shard maxima ({@link FixedPointGradient}), and a reduce-scatter SUM adds them exactly; each
 * worker then steps the optimizer on its own slice of the parameters and an all-gather shares the
 * slices ({@link ShardedUpdate}), so all hold identical parameters. Per-shard losses, hit counts and
 * maxima travel in the same buffer as integers with a single non-zero contributor per slot, which makes
 * their sum exact too. Two collectives per step; in the float32 mode one allreduce and a full step on
 * every worker.
 *
 * <p>The BLAS handed in must give the same bits for the same call on every worker (one thread per
 * worker; see {@code BlasSelection#createRequested}).
 */
public final class DataParallelTrainer {

    /** Stream identifier of shard shuffles; shard j of epoch e uses {@code derive(seed, PURPOSE + j, e)}. */
    public static final long SHARD_SHUFFLE_PURPOSE = 0x5348415244L << 16;

    private final TrainingConfig config;
    private final Blas blas;
    private final int shards;
    private final boolean exact;

    /** The exact (bit-identical for any worker count) trainer. */
    public DataParallelTrainer(TrainingConfig config, Blas blas, int shards) {
        this(config, blas, shards, true);
    }

    /**
     * With {@code exact == false}, the float32 mode: each worker computes the gradient of all its shards'
     * rows in one pass (larger, faster products) and the workers' float sums are allreduced directly.
     * Faster, but the result then depends on the worker count in the last bits.
     */
    public DataParallelTrainer(TrainingConfig config, Blas blas, int shards, boolean exact) {
        if (shards <= 0) {
            throw new IllegalArgumentException("shards: " + shards + " (expected: > 0)");
        }
        this.config = config;
        this.blas = blas;
        this.shards = shards;
        this.exact = exact;
    }

    /**
     * Runs this worker's part. Every worker passes the same full training data (it keeps only its
     * shards' rows), the same validation data and the same architecture; only rank 0's listener is
     * called. Returns the same parameters on every worker.
     */
    public TrainingResult fit(Communicator comm, Architecture arch, Matrix x, float[] y, Matrix xVal, float[] yVal,
                              TrainingListener listener) {
        return fit(comm, arch, x, y, xVal, yVal, listener, CheckpointPolicy.none());
    }

    /**
     * As {@link #fit(Communicator, Architecture, Matrix, float[], Matrix, float[], TrainingListener)}, with
     * checkpoints written by rank 0 and, when {@code policy.resume()} and a checkpoint exists, continuing
     * from it: the final parameters are bit-identical to those of an uninterrupted run. Every rank reads
     * the checkpoint, so on several machines the directory must be shared.
     */
    public TrainingResult fit(Communicator comm, Architecture arch, Matrix x, float[] y, Matrix xVal, float[] yVal,
                              TrainingListener listener, CheckpointPolicy policy) {
        return fit(comm, null, arch, x, y, xVal, yVal, listener, policy);
    }

    /**
     * As above, for a worker thread whose {@code siblings} are the other ranks of {@code comm}, threads of
     * this JVM: the exact mode then exchanges through shared memory ({@link SiblingShardedStep}).
     */
    TrainingResult fit(Communicator comm, Siblings siblings, Architecture arch, Matrix x, float[] y, Matrix xVal,
                       float[] yVal, TrainingListener listener, CheckpointPolicy policy) {
        checkWorkers(comm);
        int n = x.rows();
        ShardPlan plan = new ShardPlan(n, shards, Math.min(config.batchSize(), n));
        int first = ShardPlan.firstShard(comm.rank(), comm.size(), shards);
        int end = ShardPlan.endShard(comm.rank(), comm.size(), shards);
        return fit(comm, siblings, arch, new LocalShards(x, y, plan, first, end), plan, n, x.cols(), xVal, yVal,
                listener, policy);
    }

    /**
     * As {@link #fit(Communicator, Architecture, Matrix, float[], Matrix, float[], TrainingListener,
     * CheckpointPolicy)}, for a worker that holds only its own shards' rows ({@link OwnedRows}): the same
     * bits as the full-matrix entry given the full data.
     */
    public TrainingResult fit(Communicator comm, Architecture arch, OwnedRows rows, Matrix xVal, float[] yVal,
                              TrainingListener listener, CheckpointPolicy policy) {
        checkWorkers(comm);
        int n = rows.totalRows();
        ShardPlan plan = new ShardPlan(n, shards, Math.min(config.batchSize(), n));
        int first = ShardPlan.firstShard(comm.rank(), comm.size(), shards);
        int end = ShardPlan.endShard(comm.rank(), comm.size(), shards);
        return fit(comm, null, arch, new LocalShards(rows, plan, first, end), plan, n, rows.x().cols(), xVal, yVal,
                listener, policy);
    }

    /** The number of logical shards each global batch is split into. */
    int shards() {
        return shards;
    }

    private void checkWorkers(Communicator comm) {
        if (comm.size() > shards) {
            throw new IllegalArgumentException("workers: " + comm.size() + " (expected: at most the shard count, "
                    + shards + "; raise --shards)");
        }
    }

    private TrainingResult fit(Communicator comm, Siblings siblings, Architecture arch, LocalShards local,
                               ShardPlan plan, int n, int cols, Matrix xVal, float[] yVal, TrainingListener listener,
                               CheckpointPolicy policy) {
        int workers = comm.size();
        int rank = comm.rank();
        int first = ShardPlan.firstShard(rank, workers, shards);
        int end = ShardPlan.endShard(rank, workers, shards);
        int owned = end - first;

        int p = arch.parameterCount();
        float[] params = Initializer.initialParameters(arch, config.seed());
        ShardedStep sharded = !exact ? null : siblings != null && workers > 1
                ? new SiblingShardedStep(comm, siblings, p, shards)
                : new ShardedUpdate(comm, p, shards);
        float[] grad = new float[p];
        double[] stats = new double[3 * shards];
        boolean[] decayMask = config.weightDecay() > 0 ? arch.weightMask() : null;
        Optimizer optimizer = config.newOptimizer();
        optimizer.initialize(p);
        LearningRateSchedule schedule = config.schedule();
        FloatPath fastPath = exact ? null : new FloatPath(arch, plan, first, owned, cols, local.dense());
        ExactStep exactStep = exact ? new ExactStep(blas, arch, plan, local, sharded, first, owned, decayMask,
                config.weightDecay()) : null;
        int[][] order = new int[owned][];
        boolean classification = arch.loss().isClassification();
        int steps = plan.stepsPerEpoch();
        long totalSteps = (long) steps * config.epochs();

        List<EpochMetrics> history = new ArrayList<>();
        EarlyStopping stopping = new EarlyStopping(xVal == null ? 0 : config.patience());
        boolean stoppedEarly = false;
        double trainSeconds = 0;
        long seen = 0;
        long step = 0;
        long computeNanos = 0;
        long waitStart = comm.nanosInCollectives();
        long bytesStart = bytesMoved(comm, sharded);
        String identity = identity(arch, n, cols);
        int startEpoch = 0;
        int startStep = 0;
        double resumedLoss = 0;
        long resumedHits = 0;
        if (policy.resume() && java.nio.file.Files.exists(policy.file())) {
            TrainingState st = readState(policy, identity);
            params = st.params();
            optimizer.restore(st.optimizer());
            history.addAll(st.history());
            stopping = new EarlyStopping(xVal == null ? 0 : config.patience(), st.best(), st.bestLoss(), st.bestEpoch());
            trainSeconds = st.trainSeconds();
            startEpoch = st.epoch();
            startStep = st.step();
            step = st.globalStep();
            resumedLoss = st.lossSum();
            resumedHits = st.hits();
            if (exact) {
                exactStep.resumeFrom(st.previousMax());
            }
            seen = (long) n * startEpoch;
        }
        if (exact) {
            params = exactStep.share(params);
        }
        for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
            for (int s = 0; s < owned; s++) {
                order[s] = SplitMix64.derive(config.seed(), SHARD_SHUFFLE_PURPOSE + first + s, epoch)
                        .permutation(plan.shardRows(first + s));
            }
            long epochCompute = computeNanos;
            long epochWait = comm.nanosInCollectives();
            long epochBytes = bytesMoved(comm, sharded);
            boolean resumed = epoch == startEpoch;
            double lossSum = resumed ? resumedLoss : 0;
            long hits = resumed ? resumedHits : 0;
            float lr = schedule.rate(config.learningRate(), epoch, step, totalSteps);
            long t0 = System.nanoTime();
            for (int t = resumed ? startStep : 0; t < steps; t++) {
                if (!exact) {
                    long c0 = System.nanoTime();
                    java.util.Arrays.fill(stats, 0);
                    // One collective: the gradient and, after it, the per-shard losses and hits (as floats).
                    float[] wire = fastPath.wire;
                    floatGradient(plan, local, first, owned, order, t, params, wire, stats, fastPath);
                    for (int j = 0; j < 2 * shards; j++) {
                        wire[p + j] = (float) stats[j];
                    }
                    computeNanos += System.nanoTime() - c0;
                    comm.allReduce(wire, 0, wire.length, ReduceOp.SUM);
                    long c1 = System.nanoTime();
                    for (int j = 0; j < shards; j++) {
                        lossSum += wire[p + j];
                        hits += (long) wire[p + shards + j];
                    }
                    float inv = 1f / plan.stepRows(t);
                    for (int i = 0; i < p; i++) {
                        grad[i] = wire[i] * inv;
                    }
                    step = optimizerStep(params, grad, decayMask, optimizer, schedule, epoch, step, totalSteps);
                    lr = schedule.rate(config.learningRate(), epoch, step - 1, totalSteps);
                    computeNanos += System.nanoTime() - c1;
                    if (rank == 0) {
                        if (policy.dueAfterStep(step)) {
                            writeState(policy, new TrainingState(identity, epoch, t + 1, step, params,
                                    optimizer.state(), lossSum, hits, trainSeconds + (System.nanoTime() - t0) / 1e9,
                                    history, stopping.best(), stopping.bestLoss(), stopping.bestEpoch(),
                                    Double.NaN));
                        }
                        listener.onStep(epoch + 1, t + 1, steps);
                    }
                    continue;
                }
                long c0 = System.nanoTime();
                long w0 = comm.nanosInCollectives();
                exactStep.run(t, order, params, optimizer, schedule.rate(config.learningRate(), epoch, step, totalSteps));
                lossSum = exactStep.addLoss(lossSum);
                hits = exactStep.addHits(hits);
                step++;
                lr = schedule.rate(config.learningRate(), epoch, step - 1, totalSteps);
                computeNanos += System.nanoTime() - c0 - (comm.nanosInCollectives() - w0);
                if (policy.dueAfterStep(step)) {
                    // Every worker takes part in assembling the optimizer state; rank 0 writes it.
                    io.ringfold.optim.OptimizerState full = sharded.fullState(optimizer);
                    if (rank == 0) {
                        writeState(policy, new TrainingState(identity, epoch, t + 1, step, params, full, lossSum, hits,
                                trainSeconds + (System.nanoTime() - t0) / 1e9, history, stopping.best(),
                                stopping.bestLoss(), stopping.bestEpoch(), exactStep.previousMax()));
                    }
                }
                if (rank == 0) {
                    listener.onStep(epoch + 1, t + 1, steps);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            trainSeconds += seconds;
            seen += n;
            if (!Double.isFinite(lossSum)) {
                throw new IllegalStateException("training diverged in epoch " + (epoch + 1) + ": loss is " + lossSum
                        + " (try a smaller learning rate than " + config.learningRate() + ")");
            }
            // Per-epoch telemetry of every rank, so a slow worker shows in the progress output as it happens
            // (its own waits are short while the others wait for it).
            List<RankTelemetry> epochTelemetry = telemetry(comm, computeNanos - epochCompute,
                    comm.nanosInCollectives() - epochWait, bytesMoved(comm, sharded) - epochBytes);
            if (rank == 0) {
                listener.onTelemetry(epoch + 1, epochTelemetry);
            }
            Evaluation val = validation(comm, arch, params, xVal, yVal);
            EpochMetrics m = EpochMetrics.of(epoch + 1, lossSum, hits, n, classification, arch.outputs(), val, lr,
                    seconds);
            history.add(m);
            if (rank == 0) {
                listener.onEpoch(m);
            }
            if (val != null && stopping.shouldStop(epoch + 1, val.meanLoss(), params)) {
                stoppedEarly = true;
                break;
            }
            if (policy.dueAfterEpoch(epoch + 1)) {
                io.ringfold.optim.OptimizerState full = exact ? sharded.fullState(optimizer) : optimizer.state();
                if (rank == 0) {
                    writeState(policy, new TrainingState(identity, epoch + 1, 0, step, params, full, 0, 0,
                            trainSeconds, history, stopping.best(), stopping.bestLoss(), stopping.bestEpoch(),
                            exact ? exactStep.previousMax() : Double.NaN));
                }
            }
        }
        List<RankTelemetry> telemetry = telemetry(comm, computeNanos, comm.nanosInCollectives() - waitStart,
                bytesMoved(comm, sharded) - bytesStart);
        float[] result = stoppedEarly ? stopping.best() : params;
        return new TrainingResult(result, history, stoppedEarly ? stopping.bestEpoch() : history.size(), stoppedEarly,
                trainSeconds, seen, workers, shards, telemetry);
    }

    /** Bytes this worker moved: sent through the communicator, or read from its sibling threads' memory. */
    private static long bytesMoved(Communicator comm, ShardedStep sharded) {
        return comm.bytesSent() + (sharded == null ? 0 : sharded.bytesRead());
    }

    /** Mean gradient plus L2 decay on weights, then one optimizer step; returns the new step count. */
    private long optimizerStep(float[] params, float[] grad, boolean[] decayMask, Optimizer optimizer,
                               LearningRateSchedule schedule, int epoch, long step, long totalSteps) {
        ShardedStep.addWeightDecay(grad, params, decayMask, config.weightDecay(), 0, params.length);
        optimizer.step(params, grad, schedule.rate(config.learningRate(), epoch, step, totalSteps));
        return step + 1;
    }

    /** Buffers of the float32 mode: one batch holding the rows of all shards this worker owns. */
    private static final class FloatPath {
        final Backpropagation bp;
        final FloatMatrix batch;
        final float[] labels;
        final float[] shardGrad;
        /** Gradient (parameter layout) followed by 2S statistics slots: what one allreduce carries. */
        final float[] wire;

        FloatPath(Architecture arch, ShardPlan plan, int first, int owned, int cols, boolean dense) {
            wire = new float[arch.parameterCount() + 2 * plan.shards()];
            int rows = 0;
            for (int s = 0; s < owned; s++) {
                rows += plan.shardBatch(first + s);
            }
            rows = Math.max(rows, 1);
            bp = new Backpropagation(arch, rows);
            batch = dense ? new FloatMatrix(rows, cols) : null;
            labels = new float[rows];
            shardGrad = dense ? null : new float[arch.parameterCount()];
        }
    }

    /**
     * The float32 mode's local gradient: dense rows of all owned shards gathered into one batch and one
     * backward pass; sparse rows shard by shard, summed in float. Losses and hits go to the shard slots.
     */
    private void floatGradient(ShardPlan plan, LocalShards local, int first, int owned, int[][] order, int t,
                               float[] params, float[] grad, double[] stats, FloatPath f) {
        if (f.batch != null) {
            int rows = 0;
            float[] dst = f.batch.data();
            int cols = f.batch.cols();
            for (int s = 0; s < owned; s++) {
                int shard = first + s;
                int n = plan.batchRows(shard, t);
                int from = plan.batchStart(shard, t);
                float[] src = ((FloatMatrix) local.features(s)).data();
                float[] y = local.labels(s);
                for (int i = 0; i < n; i++) {
                    int row = order[s][from + i];
                    System.arraycopy(src, row * cols, dst, (rows + i) * cols, cols);
                    f.labels[rows + i] = y[row];
                }
                rows += n;
            }
            if (rows == 0) {
                java.util.Arrays.fill(grad, 0f);
                return;
            }
            stats[first] = f.bp.compute(blas, params, f.batch, rows, f.labels, grad);
            stats[shards + first] = f.bp.correct();
            return;
        }
        java.util.Arrays.fill(grad, 0f);
        for (int s = 0; s < owned; s++) {
            int shard = first + s;
            int n = plan.batchRows(shard, t);
            if (n == 0) {
                continue;
            }
            Matrix xb = gather(local, s, order[s], plan.batchStart(shard, t), n, null, f.labels);
            stats[shard] = f.bp.compute(blas, params, xb, n, f.labels, f.shardGrad);
            stats[shards + shard] = f.bp.correct();
            for (int i = 0; i < f.shardGrad.length; i++) {
                grad[i] += f.shardGrad[i];
            }
        }
    }

    /** What must match for a checkpoint to belong to this run. */
    private String identity(Architecture arch, int rows, int cols) {
        return "config=" + config.toJson() + " arch=" + arch.describe() + " shards=" + shards
                + (exact ? "" : " float32") + " rows=" + rows
                + "x" + cols;
    }

    private static TrainingState readState(CheckpointPolicy policy, String identity) {
        try {
            return TrainingState.read(policy.file(), identity);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot resume from " + policy.file() + ": " + e.getMessage(), e);
        }
    }

    private static void writeState(CheckpointPolicy policy, TrainingState state) {
        try {
            state.write(policy.file());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write checkpoint " + policy.file() + ": " + e.getMessage(), e);
        }
    }

    static Matrix gather(LocalShards local, int s, int[] order, int from, int rows, FloatMatrix buffer,
                                 float[] labels) {
        float[] y = local.labels(s);
        for (int i = 0; i < rows; i++) {
            labels[i] = y[order[from + i]];
        }
        return local.features(s).batch(order, from, from + rows, buffer);
    }

    /**
     * Validation metrics computed by rank 0 and shared through an allreduce in which only rank 0's
     * values are non-zero, so every worker takes the same early-stopping decision.
     */
    private Evaluation validation(Communicator comm, Architecture arch, float[] params, Matrix xVal, float[] yVal) {
        if (xVal == null) {
            return null;
        }
        double[] v = new double[4];
        if (comm.rank() == 0) {
            Evaluation e = Evaluation.of(blas, arch, params, xVal, yVal, config.batchSize());
            v[0] = e.meanLoss();
            v[1] = e.accuracy();
            v[2] = e.rmse();
            v[3] = e.r2();
        }
        // NaN + 0 is NaN, so an undefined R² survives the sum too.
        comm.allReduce(v, 0, v.length, ReduceOp.SUM);
        return new Evaluation(v[0], v[1], v[2], v[3]);
    }

    /** Every worker's compute, wait and bytes, gathered so that rank 0 can report them all. */
    private static List<RankTelemetry> telemetry(Communicator comm, long computeNanos, long waitNanos, long bytes) {
        int w = comm.size();
        double[] all = new double[3 * w];
        all[3 * comm.rank()] = computeNanos / 1e9;
        all[3 * comm.rank() + 1] = waitNanos / 1e9;
        all[3 * comm.rank() + 2] = bytes;
        comm.allReduce(all, 0, all.length, ReduceOp.SUM);
        List<RankTelemetry> t = new ArrayList<>(w);
        for (int r = 0; r < w; r++) {
            t.add(new RankTelemetry(r, all[3 * r], all[3 * r + 1], (long) all[3 * r + 2]));
        }
        return t;
    }
}
