package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.ReduceOp;
import io.ringfold.nn.Network;
import io.ringfold.nn.NetworkStage;
import io.ringfold.nn.StagePass;
import io.ringfold.optim.LearningRateSchedule;
import io.ringfold.optim.Optimizer;
import io.ringfold.optim.OptimizerState;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.train.EarlyStopping;
import io.ringfold.train.EpochMetrics;
import io.ringfold.train.Evaluation;
import io.ringfold.train.FullBatchFit;
import io.ringfold.train.RankTelemetry;
import io.ringfold.train.StageTelemetry;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;

import java.util.ArrayList;
import java.util.List;

/**
 * Pipeline-parallel training, combined with data parallelism: the network is cut into K stages at layer
 * boundaries, and W = K x N workers run N replicas of the K-stage pipeline. Worker {@code r} is stage
 * {@code r / N} of replica {@code r % N}; it holds only its stage's parameters and optimizer state. Each
 * replica takes its logical shards of every global batch ({@link ShardPlan}, as data-parallel workers do) in
 * M micro-batches of whole shards through its stages ({@link PipelineStep}); the replicas of a stage sum their
 * gradients exactly over the stage's own communicator.
 *
 * <p>In exact mode the trained parameters are bit-identical to one worker training the whole network (and to
 * {@link DataParallelTrainer} with any worker count), for any K, M, N, boundaries and schedule: see {@link
 * PipelineStep}. Validation runs through the pipeline too, each replica taking a block of the validation
 * batches. Checkpoints are per stage ({@link StageCheckpoints}). At the end every worker receives the whole
 * parameter vector, so each can build the model; rank 0 writes it.
 */
public final class PipelineTrainer {

    private final TrainingConfig config;
    private final Blas blas;
    private final int shards;
    private final PipelinePlan pipeline;

    public PipelineTrainer(TrainingConfig config, Blas blas, int shards, PipelinePlan pipeline) {
        if (shards <= 0) {
            throw new IllegalArgumentException("shards: " + shards + " (expected: > 0)");
        }
        if (config.isPrivate()) {
            throw new IllegalArgumentException("--pipeline-stages in a private run (--dp-clip) (expected: data parallelism"
                    + " (--workers) or one process: an example's gradient norm spans every stage's parameters, which no "
                    + "stage holds)");
        }
        this.config = config;
        this.blas = blas;
        this.shards = shards;
        this.pipeline = pipeline;
    }

    public PipelinePlan pipeline() {
        return pipeline;
    }

    /**
     * Runs this worker's part. {@code world} holds all K x N workers; {@code stageGroup} the N replicas of this
     * worker's stage (rank = replica). Every worker passes the same data and network; only rank 0's listener
     * is called. Row weights ({@code w}) are refused: only the full-batch solvers take them.
     */
    public TrainingResult fit(Communicator world, Communicator stageGroup, Network net, Matrix x, float[] y, float[] w,
                              Matrix xVal, float[] yVal, TrainingListener listener, CheckpointPolicy policy) {
        if (w != null) {
            throw new IllegalArgumentException("row weights (a weight column or --class-weight): only the full-batch "
                    + "solvers lbfgs, owlqn and normal take them, which are not pipelined");
        }
        int stages = pipeline.stages();
        if (world.size() % stages != 0) {
            throw new IllegalArgumentException("workers: " + world.size() + " (expected: a multiple of --pipeline-stages "
                    + stages + ", one pipeline per data-parallel replica)");
        }
        int replicas = world.size() / stages;
        int stage = world.rank() / replicas;
        int replica = world.rank() % replicas;
        if (stageGroup.size() != replicas || stageGroup.rank() != replica) {
            throw new IllegalArgumentException("stage group: rank " + stageGroup.rank() + " of " + stageGroup.size()
                    + " (expected: rank " + replica + " of " + replicas + ", the replicas of stage " + stage + ")");
        }
        if (FullBatchFit.applies(config, net)) {
            throw new IllegalArgumentException("--pipeline-stages: solver " + config.resolvedSolver(net.inputSize()).id()
                    + " (expected: --solver sgd or adam; a full-batch solve is not pipelined)");
        }
        pipeline.checkShards(shards, replicas);
        int n = x.rows();
        ShardPlan plan = new ShardPlan(n, shards, Math.min(config.batchSize(), n));
        int[] cuts = cuts(world, net, x, plan, policy);
        NetworkStage part = NetworkStage.of(net, cuts[stage], cuts[stage + 1]);
        int first = ShardPlan.firstShard(replica, replicas, shards);
        int end = ShardPlan.endShard(replica, replicas, shards);
        Layout layout = new Layout(stage, replica, replicas, cuts, part, plan, first, end);
        StageResult r = train(world, stageGroup, layout, x, y, xVal, yVal, world.rank() == 0 ? listener
                : TrainingListener.NONE, policy);
        float[] whole = assemble(world, net, layout, r.params);
        return new TrainingResult(whole, r.history, r.bestEpoch, r.stoppedEarly, r.trainSeconds, r.seen, world.size(),
                shards, r.ranks, null, r.stageTelemetry);
    }

    /** Where each stage begins: the plan's, the checkpoint's (on resume) or balanced on rank 0 and shared. */
    private int[] cuts(Communicator world, Network net, Matrix x, ShardPlan plan, CheckpointPolicy policy) {
        int[] given = pipeline.cuts(net);
        if (given != null) {
            return given;
        }
        long[] shared = new long[pipeline.stages() + 1];
        if (world.rank() == 0) {
            int[] cuts = policy.resume() ? StageCheckpoints.savedCuts(policy.directory(), pipeline.stages()) : null;
            if (cuts == null) {
                long[][] costs = NetworkStage.layerCosts(net);
                long[] params = new long[costs.length];
                for (int i = 0; i < costs.length; i++) {
                    params[i] = costs[i][0];
                }
                cuts = StageBalance.balance(params, StageBalance.measure(net, blas, x, plan.shardBatch(0),
                        config.seed()), pipeline.stages());
            }
            for (int i = 0; i < cuts.length; i++) {
                shared[i] = cuts[i];
            }
        }
        world.broadcast(shared, 0, shared.length, 0);
        int[] cuts = new int[shared.length];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (int) shared[i];
        }
        return cuts;
    }

    /** This worker's place: stage and replica, the cuts, its stage, the shard plan and its replica's shards. */
    record Layout(int stage, int replica, int replicas, int[] cuts, NetworkStage part, ShardPlan plan, int first,
                  int end) {
    }

    /** What a worker's training loop leaves: its stage's parameters and the run's history. */
    private record StageResult(float[] params, List<EpochMetrics> history, int bestEpoch, boolean stoppedEarly,
                               double trainSeconds, long seen, List<RankTelemetry> ranks,
                               List<StageTelemetry> stageTelemetry) {
    }

    private StageResult train(Communicator world, Communicator group, Layout layout, Matrix x, float[] y, Matrix xVal,
                              float[] yVal, TrainingListener listener, CheckpointPolicy policy) {
        NetworkStage part = layout.part();
        ShardPlan plan = layout.plan();
        int owned = layout.end() - layout.first();
        LocalShards local = new LocalShards(x, y, null, plan, layout.first(), layout.end(), part.isFirst());
        float[] params = part.initialParameters(config.seed());
        Optimizer optimizer = config.newOptimizer();
        optimizer.initialize(part.parameterCount());
        LearningRateSchedule schedule = config.schedule();
        PipelineStep stepper = new PipelineStep(blas, world, group, part, pipeline, plan, local, config.seed(),
                layout.stage(), layout.replicas(), layout.first(), owned, config.weightDecay() > 0,
                config.weightDecay());
        StageCheckpoints checkpoints = new StageCheckpoints(policy, world, layout, identity(part, layout, x));
        boolean classification = part.network().loss().isClassification();
        int steps = plan.stepsPerEpoch();
        long totalSteps = (long) steps * config.epochs();
        int n = x.rows();
        List<EpochMetrics> history = new ArrayList<>();
        EarlyStopping stopping = new EarlyStopping(xVal == null ? 0 : config.patience());
        boolean stoppedEarly = false;
        double trainSeconds = 0;
        long seen = 0;
        long step = 0;
        int startEpoch = 0;
        int startStep = 0;
        double resumedLoss = 0;
        long resumedHits = 0;
        TrainingState st = checkpoints.resume();
        if (st != null) {
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
            stepper.resumeFrom(st.previousMax());
            seen = (long) n * startEpoch;
            listener.onResume(checkpoints.file(st.globalStep()), startEpoch + 1, startStep, steps);
        }
        checkpoints.writeCuts();
        List<StageTelemetry> stageTelemetry = new ArrayList<>();
        int[][] order = new int[owned][];
        for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
            for (int s = 0; s < owned; s++) {
                order[s] = SplitMix64.derive(config.seed(), DataParallelTrainer.SHARD_SHUFFLE_PURPOSE + layout.first()
                        + s, epoch).permutation(plan.shardRows(layout.first() + s));
            }
            boolean resumed = epoch == startEpoch;
            stepper.resetSums(resumed ? resumedLoss : 0, resumed ? resumedHits : 0);
            long transfer0 = stepper.transferNanos;
            long collective0 = stepper.collectiveNanos;
            long pipeline0 = stepper.pipelineNanos;
            long bytes0 = bytes(world, group);
            stepper.peakHeap = 0;
            float lr = schedule.rate(config.learningRate(), epoch, step, totalSteps);
            long t0 = System.nanoTime();
            for (int t = resumed ? startStep : 0; t < steps; t++) {
                lr = schedule.rate(config.learningRate(), epoch, step, totalSteps);
                stepper.run(step, t, order, params, optimizer, lr);
                step++;
                // Not where the epoch's own checkpoint follows at the same global step: two states under one
                // step's name, written by the stages one after the other, could be mixed by a kill in between.
                if (policy.dueAfterStep(step) && !(t + 1 == steps && policy.dueAfterEpoch(epoch + 1))) {
                    checkpoints.write(new TrainingState(checkpoints.identity(), epoch, t + 1, step, params,
                            stepper.sharded().fullState(optimizer), stepper.lossSum(), stepper.hits(),
                            trainSeconds + (System.nanoTime() - t0) / 1e9, history, stopping.best(), stopping.bestLoss(),
                            stopping.bestEpoch(), stepper.previousMax()));
                }
                listener.onStep(epoch + 1, t + 1, steps);
            }
            long wall = System.nanoTime() - t0;
            double seconds = wall / 1e9;
            trainSeconds += seconds;
            seen += n;
            double lossSum = stepper.lossSum();
            if (!Double.isFinite(lossSum)) {
                throw new IllegalStateException("training diverged in epoch " + (epoch + 1) + ": loss is " + lossSum
                        + " (try a smaller learning rate than " + config.learningRate() + ")");
            }
            long transfer = stepper.transferNanos - transfer0;
            long collective = stepper.collectiveNanos - collective0;
            long phase = stepper.pipelineNanos - pipeline0;
            long compute = Math.max(0, wall - transfer - collective);
            List<StageTelemetry> epochStages = telemetry(world, layout, epoch + 1, compute, transfer, collective,
                    phase > 0 ? (double) transfer / phase : 0, bytes(world, group) - bytes0, stepper.peakHeap);
            stageTelemetry.addAll(epochStages);
            listener.onTelemetry(epoch + 1, ranks(epochStages));
            listener.onStageTelemetry(epoch + 1, epochStages);
            Evaluation val = validation(world, layout, stepper, params, xVal, yVal);
            EpochMetrics m = EpochMetrics.of(epoch + 1, lossSum, stepper.hits(), n, classification,
                    part.network().outputs(), val, lr, seconds);
            history.add(m);
            listener.onEpoch(m);
            if (val != null && stopping.shouldStop(epoch + 1, val.meanLoss(), params)) {
                stoppedEarly = true;
                break;
            }
            if (policy.dueAfterEpoch(epoch + 1)) {
                checkpoints.write(new TrainingState(checkpoints.identity(), epoch + 1, 0, step, params,
                        stepper.sharded().fullState(optimizer), 0, 0, trainSeconds, history, stopping.best(),
                        stopping.bestLoss(), stopping.bestEpoch(), stepper.previousMax()));
            }
        }
        List<RankTelemetry> ranks = ranks(totals(stageTelemetry, world.size()));
        return new StageResult(stoppedEarly ? stopping.best() : params, history,
                stoppedEarly ? stopping.bestEpoch() : history.size(), stoppedEarly, trainSeconds, seen, ranks,
                stageTelemetry);
    }

    /** What must match for a stage's checkpoint to belong to this run. */
    private String identity(NetworkStage part, Layout layout, Matrix x) {
        return "config=" + config.toJson() + " net=" + part.network().describe() + " shards=" + shards + " rows="
                + x.rows() + "x" + x.cols() + " pipeline=" + pipeline.stages() + " stages, cuts "
                + PipelinePlan.format(layout.cuts()) + ", stage " + layout.stage();
    }

    private static long bytes(Communicator world, Communicator group) {
        return world.bytesSent() + (group == world ? 0 : group.bytesSent());
    }

    /**
     * Validation through the pipeline: each replica takes a contiguous block of the validation batches
     * through its stages; the last stage computes each batch's totals as {@link Evaluation#batchTotals} does,
     * and an allreduce with one contributor per slot gives every worker all of them, exactly.
     */
    private Evaluation validation(Communicator world, Layout layout, PipelineStep stepper, float[] params, Matrix xVal,
                                  float[] yVal) {
        if (xVal == null) {
            return null;
        }
        NetworkStage part = layout.part();
        int batch = config.batchSize();
        int count = Evaluation.batches(xVal.rows(), batch);
        double[] totals = new double[Evaluation.PER_BATCH * count];
        int from = (int) ((long) count * layout.replica() / layout.replicas());
        int to = (int) ((long) count * (layout.replica() + 1) / layout.replicas());
        // Validation's transfers are not the training steps': they stay out of the epoch's telemetry.
        long trainingTransfers = stepper.transferNanos;
        if (from < to) {
            int size = Math.min(batch, xVal.rows());
            StagePass pass = part.newPass(size);
            int[] index = new int[size];
            float[] targets = new float[size];
            FloatMatrix buffer = part.isFirst() ? xVal.batchBuffer(size) : null;
            int prev = layout.stage() == 0 ? -1 : world.rank() - layout.replicas();
            int next = part.isLast() ? -1 : world.rank() + layout.replicas();
            boolean regression = !part.network().loss().isClassification();
            for (int b = from; b < to; b++) {
                int start = b * batch;
                int rows = Math.min(batch, xVal.rows() - start);
                int batchIndex = b;
                if (part.isFirst()) {
                    for (int i = 0; i < rows; i++) {
                        index[i] = start + i;
                    }
                    pass.evaluate(blas, params, xVal.batch(index, 0, rows, buffer), rows);
                } else {
                    int length = rows * part.inputWidth();
                    stepper.transfer(() -> world.receive(prev, pass.inputBuffer(), 0, length),
                            () -> "receiving validation batch " + batchIndex + " from", prev);
                    pass.evaluate(blas, params, null, rows);
                }
                if (next >= 0) {
                    int length = rows * part.outputWidth();
                    stepper.transfer(() -> world.send(next, pass.output(), 0, length),
                            () -> "sending validation batch " + batchIndex + " to", next);
                    continue;
                }
                System.arraycopy(yVal, start, targets, 0, rows);
                totals[Evaluation.PER_BATCH * b] = pass.loss(targets);
                totals[Evaluation.PER_BATCH * b + 1] = pass.hits();
                double sse = 0;
                if (regression) {
                    float[] output = pass.output();
                    for (int r = 0; r < rows; r++) {
                        double d = output[r] - targets[r];
                        sse += d * d;
                    }
                }
                totals[Evaluation.PER_BATCH * b + 2] = sse;
            }
        }
        stepper.transferNanos = trainingTransfers;
        world.allReduce(totals, 0, totals.length, ReduceOp.SUM);
        return Evaluation.combine(part.network(), totals, yVal);
    }

    /** Every worker's telemetry of the epoch, gathered so that every worker (rank 0 reports) has all of them. */
    private static List<StageTelemetry> telemetry(Communicator world, Layout layout, int epoch, long compute,
                                                  long transfer, long collective, double bubble, long bytes, long heap) {
        int w = world.size();
        int f = StageTelemetry.FIELDS;
        double[] all = new double[f * w];
        int at = f * world.rank();
        all[at] = layout.stage();
        all[at + 1] = layout.replica();
        all[at + 2] = layout.part().from();
        all[at + 3] = layout.part().to();
        all[at + 4] = layout.part().parameterCount();
        all[at + 5] = compute / 1e9;
        all[at + 6] = transfer / 1e9;
        all[at + 7] = collective / 1e9;
        all[at + 8] = bubble;
        all[at + 9] = bytes;
        all[at + 10] = heap;
        world.allReduce(all, 0, all.length, ReduceOp.SUM);
        List<StageTelemetry> out = new ArrayList<>(w);
        for (int r = 0; r < w; r++) {
            int a = f * r;
            out.add(new StageTelemetry(epoch, r, (int) all[a], (int) all[a + 1], (int) all[a + 2], (int) all[a + 3],
                    (long) all[a + 4], all[a + 5], all[a + 6], all[a + 7], all[a + 8], (long) all[a + 9],
                    (long) all[a + 10]));
        }
        return out;
    }

    /** The data-parallel view of stage telemetry: compute, waiting (transfers and collectives) and bytes. */
    private static List<RankTelemetry> ranks(List<StageTelemetry> stages) {
        List<RankTelemetry> out = new ArrayList<>();
        for (StageTelemetry s : stages) {
            out.add(new RankTelemetry(s.rank(), s.computeSeconds(), s.transferSeconds() + s.collectiveSeconds(),
                    s.bytesSent()));
        }
        return out;
    }

    /** Per worker, the sums over the epochs (the bubble weighted by nothing: the mean of the epochs'). */
    private static List<StageTelemetry> totals(List<StageTelemetry> epochs, int workers) {
        List<StageTelemetry> out = new ArrayList<>();
        for (int r = 0; r < workers; r++) {
            double compute = 0;
            double transfer = 0;
            double collective = 0;
            double bubble = 0;
            long bytes = 0;
            long heap = 0;
            int count = 0;
            StageTelemetry any = null;
            for (StageTelemetry s : epochs) {
                if (s.rank() == r) {
                    any = s;
                    compute += s.computeSeconds();
                    transfer += s.transferSeconds();
                    collective += s.collectiveSeconds();
                    bubble += s.bubbleFraction();
                    bytes += s.bytesSent();
                    heap = Math.max(heap, s.peakHeapBytes());
                    count++;
                }
            }
            if (any != null) {
                out.add(new StageTelemetry(0, r, any.stage(), any.replica(), any.fromLayer(), any.toLayer(),
                        any.parameters(), compute, transfer, collective, bubble / count, bytes, heap));
            }
        }
        return out;
    }

    /**
     * The whole parameter vector on every worker: each stage's first replica broadcasts its stage's part. The
     * stage's training state is no longer referenced here, so the vector takes its place in memory.
     */
    private static float[] assemble(Communicator world, Network net, Layout layout, float[] stageParams) {
        float[] whole = new float[net.parameterCount()];
        int[] cuts = layout.cuts();
        for (int k = 0; k + 1 < cuts.length; k++) {
            NetworkStage s = k == layout.stage() ? layout.part() : NetworkStage.of(net, cuts[k], cuts[k + 1]);
            if (k == layout.stage()) {
                System.arraycopy(stageParams, 0, whole, s.parameterOffset(), s.parameterCount());
            }
            world.broadcast(whole, s.parameterOffset(), s.parameterCount(), k * layout.replicas());
        }
        return whole;
    }
}
