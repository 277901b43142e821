package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.ReduceOp;
import io.ringfold.dpsgd.DpSgdPlan;
import io.ringfold.dpsgd.PoissonSampling;
import io.ringfold.nn.EmbeddingTable;
import io.ringfold.nn.Network;
import io.ringfold.optim.LearningRateSchedule;
import io.ringfold.optim.Optimizer;
import io.ringfold.random.SplitMix64;
import io.ringfold.solve.GlmProblem;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.train.EarlyStopping;
import io.ringfold.train.EpochMetrics;
import io.ringfold.train.FullBatchFit;
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
 * <p>With {@code shardEmbeddings} the network's {@code embeddingbag} table is not in that vector: each worker
 * holds a contiguous range of its rows and their optimizer state, and the rows a step uses travel by
 * all-to-all ({@link TableShard}); the other parameters are exchanged as above, and the bits are the same.
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
    private final boolean shardEmbeddings;

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
        this(config, blas, shards, exact, false);
    }

    /**
     * With {@code shardEmbeddings}, the exact mode with the network's {@code embeddingbag} table split by rows
     * over the workers ({@link TableShard}): each holds and updates only its rows and their optimizer state,
     * and the parameters are still bit-identical to one worker's. The returned parameters hold the whole table,
     * assembled after the last step.
     */
    public DataParallelTrainer(TrainingConfig config, Blas blas, int shards, boolean exact, boolean shardEmbeddings) {
        if (shardEmbeddings && !exact) {
            throw new IllegalArgumentException("--shard-embeddings with --allreduce float32 (expected: --allreduce exact,"
                    + " whose sums the sharded table's are added to)");
        }
        if (shards <= 0) {
            throw new IllegalArgumentException("shards: " + shards + " (expected: > 0)");
        }
        if (config.isPrivate() && !exact) {
            throw new IllegalArgumentException("--allreduce float32 in a private run (--dp-clip) (expected: --allreduce "
                    + "exact, whose sum the noise is added to once, the same on every worker)");
        }
        if (config.isPrivate() && shardEmbeddings) {
            throw new IllegalArgumentException("--shard-embeddings in a private run (--dp-clip) (expected: the table "
                    + "whole on every worker: DP-SGD adds noise to every row of it in every step)");
        }
        this.config = config;
        this.blas = blas;
        this.shards = shards;
        this.exact = exact;
        this.shardEmbeddings = shardEmbeddings;
    }

    /**
     * Runs this worker's part. Every worker passes the same full training data (it keeps only its
     * shards' rows), the same validation data and the same architecture; only rank 0's listener is
     * called. Returns the same parameters on every worker.
     */
    public TrainingResult fit(Communicator comm, Network net, Matrix x, float[] y, Matrix xVal, float[] yVal,
                              TrainingListener listener) {
        return fit(comm, net, x, y, xVal, yVal, listener, CheckpointPolicy.none());
    }

    /**
     * As {@link #fit(Communicator, Network, Matrix, float[], Matrix, float[], TrainingListener)}, with
     * checkpoints written by rank 0 and, when {@code policy.resume()} and a checkpoint exists, continuing
     * from it: the final parameters are bit-identical to those of an uninterrupted run. Every rank reads
     * the checkpoint, so on several machines the directory must be shared.
     */
    public TrainingResult fit(Communicator comm, Network net, Matrix x, float[] y, Matrix xVal, float[] yVal,
                              TrainingListener listener, CheckpointPolicy policy) {
        return fit(comm, net, x, y, null, xVal, yVal, listener, policy);
    }

    /**
     * As {@link #fit(Communicator, Network, Matrix, float[], Matrix, float[], TrainingListener, CheckpointPolicy)}
     * with row weights {@code w} (null: all 1), which only the full-batch solvers take.
     */
    public TrainingResult fit(Communicator comm, Network net, Matrix x, float[] y, float[] w, Matrix xVal,
                              float[] yVal, TrainingListener listener, CheckpointPolicy policy) {
        checkWorkers(comm);
        int n = x.rows();
        ShardPlan plan = new ShardPlan(n, shards, fullBatch(net) ? shards : Math.min(config.batchSize(), n));
        int first = ShardPlan.firstShard(comm.rank(), comm.size(), shards);
        int end = ShardPlan.endShard(comm.rank(), comm.size(), shards);
        return fit(comm, net, new LocalShards(x, y, w, plan, first, end), plan, n, x.cols(), xVal, yVal, listener,
                policy);
    }

    private boolean fullBatch(Network net) {
        return io.ringfold.train.FullBatchFit.applies(config, net);
    }

    /**
     * As {@link #fit(Communicator, Network, Matrix, float[], Matrix, float[], TrainingListener,
     * CheckpointPolicy)}, for a worker that holds only its own shards' rows ({@link OwnedRows}): the same
     * bits as the full-matrix entry given the full data.
     */
    public TrainingResult fit(Communicator comm, Network net, OwnedRows rows, Matrix xVal, float[] yVal,
                              TrainingListener listener, CheckpointPolicy policy) {
        checkWorkers(comm);
        int n = rows.totalRows();
        ShardPlan plan = new ShardPlan(n, shards, fullBatch(net) ? shards : Math.min(config.batchSize(), n));
        int first = ShardPlan.firstShard(comm.rank(), comm.size(), shards);
        int end = ShardPlan.endShard(comm.rank(), comm.size(), shards);
        return fit(comm, net, new LocalShards(rows, plan, first, end), plan, n, rows.x().cols(), xVal, yVal,
                listener, policy);
    }

    private void checkWorkers(Communicator comm) {
        if (comm.size() > shards) {
            throw new IllegalArgumentException("workers: " + comm.size() + " (expected: at most the shard count, "
                    + shards + "; raise --shards)");
        }
    }

    private TrainingResult fit(Communicator comm, Network net, LocalShards local,
                               ShardPlan plan, int n, int cols, Matrix xVal, float[] yVal, TrainingListener listener,
                               CheckpointPolicy policy) {
        int workers = comm.size();
        int rank = comm.rank();
        int first = ShardPlan.firstShard(rank, workers, shards);
        int end = ShardPlan.endShard(rank, workers, shards);
        int owned = end - first;
        EmbeddingTable table = shardEmbeddings ? shardedTable(net) : null;
        if (fullBatch(net)) {
            if (policy.directory() != null) {
                throw new IllegalArgumentException("checkpoints (--checkpoint-dir): solver "
                        + config.resolvedSolver(net.inputSize()).id() + " keeps none (expected: --solver sgd or adam to "
                        + "checkpoint; a full-batch solve is restarted whole)");
            }
            List<GlmProblem.Block> blocks = new ArrayList<>();
            for (int s = 0; s < owned; s++) {
                blocks.add(new GlmProblem.Block(first + s, local.features(s), local.labels(s), local.weights(s)));
            }
            // Each shard's sums sit in its own slots, so the allreduce adds zeros to them: exact.
            GlmProblem.Exchange exchange = buffer -> comm.allReduce(buffer, 0, buffer.length, ReduceOp.SUM);
            return FullBatchFit.fit(config, blas, net, shards, blocks, exchange, workers, xVal, yVal,
                    rank == 0 ? listener : TrainingListener.NONE);
        }
        if (local.weights(0) != null) {
            throw new IllegalArgumentException("row weights (a weight column or --class-weight): only the full-batch "
                    + "solvers lbfgs, owlqn and normal take them");
        }

        // With a sharded table, params is the rest of the parameters (the table's rows are in tables).
        TableShard tables = table == null ? null : new TableShard(comm, blas, table, config.newOptimizer(),
                config.seed(), config.weightDecay(), owned, plan.shardBatch(0));
        int p = table == null ? net.parameterCount() : table.restCount();
        float[] params = table == null ? net.initialParameters(config.seed()) : table.initialRest(config.seed());
        ShardedUpdate sharded = exact ? new ShardedUpdate(comm, p, shards) : null;
        boolean[] decayMask = config.weightDecay() <= 0 ? null : tables == null ? net.weightMask()
                : tables.restWeightMask();
        Optimizer optimizer = config.newOptimizer();
        optimizer.initialize(p);
        LearningRateSchedule schedule = config.schedule();
        DpSgdPlan dp = config.dpSgdPlan(net, n);
        if (dp != null && rank == 0) {
            listener.onPrivacy(dp);
        }
        ExactStep exactStep = exact ? new ExactStep(blas, net, config.seed(), plan, local, sharded, first, owned,
                decayMask, config.weightDecay(), tables, dp) : null;
        TrainingStep stepper = exact ? exactStep
                : new Float32Step(blas, comm, net, config.seed(), plan, local, first, owned, cols, decayMask,
                config.weightDecay());
        int[][] order = new int[owned][];
        boolean classification = net.loss().isClassification();
        int steps = dp != null ? Math.toIntExact(dp.stepsPerEpoch()) : plan.stepsPerEpoch();
        long totalSteps = (long) steps * config.epochs();

        List<EpochMetrics> history = new ArrayList<>();
        EarlyStopping stopping = new EarlyStopping(xVal == null ? 0 : config.patience());
        boolean stoppedEarly = false;
        double trainSeconds = 0;
        long seen = 0;
        long step = 0;
        long computeNanos = 0;
        long waitStart = comm.nanosInCollectives();
        long bytesStart = comm.bytesSent();
        String identity = identity(net, n, cols) + (tables == null ? "" : " shard-embeddings");
        long checkpointed = -1;
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
            if (tables != null) {
                tables.restore(policy.directory(), identity, step);
                checkpointed = step;
            }
            seen = (long) n * startEpoch;
            if (rank == 0) {
                listener.onResume(policy.file(), startEpoch + 1, startStep, steps);
            }
        }
        for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
            for (int s = 0; s < owned; s++) {
                order[s] = SplitMix64.derive(config.seed(), SHARD_SHUFFLE_PURPOSE + first + s, epoch)
                        .permutation(plan.shardRows(first + s));
            }
            long epochCompute = computeNanos;
            long epochWait = comm.nanosInCollectives();
            long epochBytes = comm.bytesSent();
            boolean resumed = epoch == startEpoch;
            double lossSum = resumed ? resumedLoss : 0;
            long hits = resumed ? resumedHits : 0;
            long rows = 0;
            for (int t = 0; resumed && dp != null && t < startStep; t++) {
                // The sample sizes of the steps done before the checkpoint, drawn again (each a function of the seed).
                rows += PoissonSampling.count(config.seed(), step - startStep + t, n, dp.samplingRate());
            }
            float lr = schedule.rate(config.learningRate(), epoch, step, totalSteps);
            long t0 = System.nanoTime();
            for (int t = resumed ? startStep : 0; t < steps; t++) {
                long c0 = System.nanoTime();
                long w0 = comm.nanosInCollectives();
                lr = schedule.rate(config.learningRate(), epoch, step, totalSteps);
                stepper.run(step, t, order, params, optimizer, lr);
                lossSum = stepper.addLoss(lossSum);
                hits = stepper.addHits(hits);
                rows = stepper.addRows(rows, t);
                step++;
                computeNanos += System.nanoTime() - c0 - (comm.nanosInCollectives() - w0);
                if (policy.dueAfterStep(step)) {
                    // In the exact mode every worker takes part in assembling the optimizer state; rank 0 writes it.
                    io.ringfold.optim.OptimizerState full = exact ? sharded.fullState(optimizer) : optimizer.state();
                    checkpointed = writeTable(comm, tables, policy, identity, step, checkpointed);
                    if (rank == 0) {
                        writeState(policy, new TrainingState(identity, epoch, t + 1, step, params, full, lossSum, hits,
                                trainSeconds + (System.nanoTime() - t0) / 1e9, history, stopping.best(),
                                stopping.bestLoss(), stopping.bestEpoch(), exact ? exactStep.previousMax() : Double.NaN));
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
                    comm.nanosInCollectives() - epochWait, comm.bytesSent() - epochBytes);
            if (rank == 0) {
                listener.onTelemetry(epoch + 1, epochTelemetry);
            }
            Evaluation val = validation(comm, net, params, xVal, yVal, tables);
            // A private epoch's metrics are over the rows its Poisson samples held; otherwise over the n rows.
            EpochMetrics m = EpochMetrics.of(epoch + 1, lossSum, hits, dp == null ? n : (int) Math.max(1, rows),
                    classification, net.outputs(), val, lr, seconds);
            if (dp != null) {
                m = m.withDpEpsilon(dp.epsilon(step));
            }
            history.add(m);
            if (rank == 0) {
                listener.onEpoch(m);
            }
            boolean stop = val != null && stopping.shouldStop(epoch + 1, val.meanLoss(), params);
            if (tables != null && stopping.bestEpoch() == epoch + 1) {
                tables.keepBest();
            }
            if (stop) {
                stoppedEarly = true;
                break;
            }
            if (policy.dueAfterEpoch(epoch + 1)) {
                io.ringfold.optim.OptimizerState full = exact ? sharded.fullState(optimizer) : optimizer.state();
                checkpointed = writeTable(comm, tables, policy, identity, step, checkpointed);
                if (rank == 0) {
                    writeState(policy, new TrainingState(identity, epoch + 1, 0, step, params, full, 0, 0,
                            trainSeconds, history, stopping.best(), stopping.bestLoss(), stopping.bestEpoch(),
                            exact ? exactStep.previousMax() : Double.NaN));
                }
            }
        }
        List<RankTelemetry> telemetry = telemetry(comm, computeNanos, comm.nanosInCollectives() - waitStart,
                comm.bytesSent() - bytesStart);
        float[] result = stoppedEarly ? stopping.best() : params;
        if (tables != null) {
            result = tables.assemble(result, stoppedEarly);
        }
        return new TrainingResult(result, history, stoppedEarly ? stopping.bestEpoch() : history.size(), stoppedEarly,
                trainSeconds, seen, workers, shards, telemetry);
    }

    /**
     * The table {@code --shard-embeddings} splits; refused, naming the value, for a network without one. (A
     * full-batch solver never gets here: it fits one dense layer, which has no table.)
     */
    private EmbeddingTable shardedTable(Network net) {
        EmbeddingTable table = EmbeddingTable.of(net);
        if (table == null) {
            throw new IllegalArgumentException("--shard-embeddings: the network's first layer is "
                    + net.nodes().get(0).label() + " (expected: an embeddingbag layer, whose table it splits)");
        }
        return table;
    }

    /** What must match for a checkpoint to belong to this run. */
    private String identity(Network net, int rows, int cols) {
        return "config=" + config.toJson() + " net=" + net.describe() + " shards=" + shards
                + (exact ? "" : " float32") + " rows=" + rows
                + "x" + cols;
    }

    /**
     * Every worker's part of a sharded table for step {@code step}, all written before rank 0 writes the main
     * checkpoint that names it (the barrier); returns the step now checkpointed. Nothing without a sharded table.
     */
    private static long writeTable(Communicator comm, TableShard tables, CheckpointPolicy policy, String identity,
                                   long step, long checkpointed) {
        if (tables == null) {
            return checkpointed;
        }
        tables.checkpoint(policy.directory(), identity, step, checkpointed);
        comm.barrier();
        return step;
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
     * Validation metrics, the batches split over the workers: each computes a contiguous block of the
     * validation batches ({@link Evaluation#batchTotals}), an allreduce in which every batch's slots have
     * one non-zero contributor brings all the batches' totals to every worker exactly (x + 0 is x, NaN
     * included), and each adds them up in batch order ({@link Evaluation#combine}). So the metrics have
     * the bits of a one-worker evaluation whatever the worker count, every worker takes the same
     * early-stopping decision, and no worker idles while one evaluates.
     */
    private Evaluation validation(Communicator comm, Network net, float[] params, Matrix xVal, float[] yVal,
                                  TableShard tables) {
        if (xVal == null) {
            return null;
        }
        int batch = config.batchSize();
        int batches = Evaluation.batches(xVal.rows(), batch);
        double[] totals = new double[Evaluation.PER_BATCH * batches];
        int from = (int) ((long) batches * comm.rank() / comm.size());
        int to = (int) ((long) batches * (comm.rank() + 1) / comm.size());
        if (tables != null) {
            tables.validationTotals(xVal, yVal, batch, params, totals);
        } else {
            Evaluation.batchTotals(blas, net, params, xVal, yVal, batch, from, to, totals);
        }
        comm.allReduce(totals, 0, totals.length, ReduceOp.SUM);
        return Evaluation.combine(net, totals, yVal);
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
