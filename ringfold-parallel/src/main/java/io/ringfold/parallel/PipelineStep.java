package io.ringfold.parallel;

import io.ringfold.collective.CollectiveException;
import io.ringfold.collective.Communicator;
import io.ringfold.collective.ReduceOp;
import io.ringfold.nn.LazyRows;
import io.ringfold.nn.NetworkStage;
import io.ringfold.nn.StagePass;
import io.ringfold.nn.TrainingContext;
import io.ringfold.optim.Optimizer;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Kernels;
import io.ringfold.tensor.Matrix;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One optimizer step of one pipeline worker (stage {@code k} of K, replica {@code j} of N): its replica's
 * shards in M micro-batches of whole shards go forward through its layers and back in the schedule's order,
 * activations and gradients travelling to and from the neighbouring stages of the same replica; then the
 * exact mode's exchange, restricted to the stage's parameters.
 *
 * <p>Why the result has the bits of one worker training the whole network: each shard's pass through each
 * stage has the shapes and kernels of its pass through the whole network ({@link StagePass}), so each shard's
 * gradient has the same bits; the fixed-point scale is the one-worker rule applied to the largest gradient
 * element of all stages (agreed by every worker in one small allreduce, with each shard's loss and hits);
 * the stage's replicas sum their shards' fixed-point gradients exactly ({@link ShardedUpdate} over the stage's
 * group) and every optimizer updates each entry from its own values only.
 *
 * <p>Transfers pair up so that no schedule can deadlock, whatever a transport buffers: fill-drain only ever
 * sends one way at a time, and one-forward-one-backward combines each send with the receive the neighbour
 * is making at the same time ({@link Communicator#sendReceive}), as Megatron-LM's schedule does.
 */
final class PipelineStep {

    private final Blas blas;
    private final Communicator world;
    private final Communicator stageGroup;
    private final ShardedUpdate sharded;
    private final NetworkStage stage;
    private final PipelinePlan pipeline;
    private final ShardPlan plan;
    private final LocalShards local;
    private final long seed;
    private final int k;
    private final int stages;
    private final int shards;
    private final int first;
    private final int owned;
    private final int perMicroBatch;
    private final int prev;
    private final int next;
    /** Passes by slot (a micro-batch in flight) and shard within the micro-batch. */
    private final StagePass[][] passes;
    private final FloatMatrix[][] batchBuffers;
    private final Matrix[][] batches;
    private final int[][][] examples;
    private final float[] labels;
    private final float[][] shardGrads;
    private final float[] grad;
    private final double[] stats;
    /** The stage group's statistics slots, unused here: every statistic travels in the world's allreduce. */
    private final double[] noStats;
    private final double[] noStatsOut;
    private final double[] allStats;
    private final boolean[] decayMask;
    private final float decay;
    private final boolean[] buffers;
    private final float[] bufferMomentum;
    private final LazyRows lazy;
    private final float[] activationsIn;
    private final float[] activationsOut;
    private final float[] gradientsIn;
    private final float[] gradientsOut;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private double previousMax = Double.NaN;
    private double lossSum;
    private long hits;

    // This step's position, for the passes.
    private long globalStep;
    private int t;
    private int[][] order;
    private float[] params;

    // Telemetry, cumulative.
    long transferNanos;
    long collectiveNanos;
    long pipelineNanos;
    long peakHeap;

    PipelineStep(Blas blas, Communicator world, Communicator stageGroup, NetworkStage stage, PipelinePlan pipeline,
                 ShardPlan plan, LocalShards local, long seed, int k, int replicas, int first, int owned,
                 boolean weightDecay, float decay) {
        this.blas = blas;
        this.world = world;
        this.stageGroup = stageGroup;
        this.stage = stage;
        this.pipeline = pipeline;
        this.plan = plan;
        this.local = local;
        this.seed = seed;
        this.k = k;
        this.stages = pipeline.stages();
        this.shards = plan.shards();
        this.first = first;
        this.owned = owned;
        this.perMicroBatch = owned / pipeline.microBatches();
        int replica = world.rank() % replicas;
        this.prev = k == 0 ? -1 : (k - 1) * replicas + replica;
        this.next = k == stages - 1 ? -1 : (k + 1) * replicas + replica;
        int p = stage.parameterCount();
        this.sharded = new ShardedUpdate(stageGroup, p, shards);
        int maxRows = plan.shardBatch(0);
        int slots = pipeline.schedule() == PipelineSchedule.GPIPE ? pipeline.microBatches()
                : Math.min(pipeline.microBatches(), stages - k);
        this.passes = new StagePass[slots][perMicroBatch];
        this.batchBuffers = new FloatMatrix[slots][perMicroBatch];
        this.batches = new Matrix[slots][perMicroBatch];
        this.examples = new int[slots][perMicroBatch][maxRows];
        for (int s = 0; s < slots; s++) {
            for (int j = 0; j < perMicroBatch; j++) {
                passes[s][j] = stage.newPass(maxRows);
                if (stage.isFirst()) {
                    batchBuffers[s][j] = local.features(0).batchBuffer(maxRows);
                }
            }
        }
        this.labels = new float[maxRows];
        this.shardGrads = new float[owned][p];
        this.grad = new float[p];
        this.stats = new double[(2 + stages) * shards];
        this.allStats = new double[stats.length];
        this.noStats = new double[3 * shards];
        this.noStatsOut = new double[3 * shards];
        this.decayMask = weightDecay ? stage.weightMask() : null;
        this.decay = decay;
        this.buffers = stage.bufferMask();
        this.bufferMomentum = buffers == null ? null : stage.bufferMomentum();
        this.lazy = stage.lazyRows();
        int mbRows = perMicroBatch * maxRows;
        this.activationsIn = stage.isFirst() ? null : new float[mbRows * stage.inputWidth()];
        this.gradientsOut = stage.isFirst() ? null : new float[mbRows * stage.inputWidth()];
        this.activationsOut = stage.isLast() ? null : new float[mbRows * stage.outputWidth()];
        this.gradientsIn = stage.isLast() ? null : new float[mbRows * stage.outputWidth()];
    }

    /** Step {@code t} of the epoch ({@code globalStep} of the run), on the stage's parameters {@code params}. */
    void run(long globalStep, int t, int[][] order, float[] params, Optimizer optimizer, float learningRate) {
        this.globalStep = globalStep;
        this.t = t;
        this.order = order;
        this.params = params;
        Arrays.fill(stats, 0);
        long p0 = System.nanoTime();
        if (pipeline.schedule() == PipelineSchedule.GPIPE) {
            fillDrain();
        } else {
            oneForwardOneBackward();
        }
        pipelineNanos += System.nanoTime() - p0;
        peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
        exchange(optimizer, learningRate);
    }

    private void fillDrain() {
        int m = pipeline.microBatches();
        for (int i = 0; i < m; i++) {
            receiveActivations(i);
            forward(i);
            sendActivations(i);
        }
        for (int i = 0; i < m; i++) {
            receiveGradients(i);
            backward(i);
            sendGradients(i);
        }
    }

    private void oneForwardOneBackward() {
        int m = pipeline.microBatches();
        int warmup = Math.min(stages - k - 1, m);
        int remaining = m - warmup;
        for (int i = 0; i < warmup; i++) {
            receiveActivations(i);
            forward(i);
            sendActivations(i);
        }
        if (remaining > 0) {
            receiveActivations(warmup);
        }
        for (int i = 0; i < remaining; i++) {
            forward(warmup + i);
            if (next >= 0) {
                int f = warmup + i;
                int b = i;
                transfer(() -> world.sendReceive(next, activationsOut, 0, rows(f) * stage.outputWidth(),
                        next, gradientsIn, 0, rows(b) * stage.outputWidth()),
                        () -> "sending activations of micro-batch " + f + " to and receiving gradients of micro-batch "
                                + b + " from", next);
                scatterGradients(i);
            }
            backward(i);
            if (i == remaining - 1) {
                sendGradients(i);
            } else if (prev >= 0) {
                int b = i;
                int f = warmup + i + 1;
                transfer(() -> world.sendReceive(prev, gradientsOut, 0, rows(b) * stage.inputWidth(),
                        prev, activationsIn, 0, rows(f) * stage.inputWidth()),
                        () -> "sending gradients of micro-batch " + b + " to and receiving activations of micro-batch "
                                + f + " from", prev);
                scatterActivations(f);
            }
        }
        for (int i = remaining; i < m; i++) {
            receiveGradients(i);
            backward(i);
            sendGradients(i);
        }
    }

    /**
     * A transfer with a neighbouring stage, timed; a failure (the deadline, a dead or closed peer) names this
     * stage and the one it waited for, the micro-batch and the step, before the communicator's own account.
     */
    void transfer(Runnable op, Supplier<String> what, int peer) {
        long t0 = System.nanoTime();
        try {
            op.run();
        } catch (CollectiveException e) {
            throw new CollectiveException("pipeline stage " + k + " (rank " + world.rank() + "), step " + globalStep
                    + ": " + what.get() + " stage " + (peer < world.rank() ? k - 1 : k + 1) + " (rank " + peer + "): "
                    + e.getMessage(), e);
        }
        transferNanos += System.nanoTime() - t0;
    }

    private int slot(int microBatch) {
        return microBatch % passes.length;
    }

    /** Index among the owned shards of shard {@code j} of micro-batch {@code microBatch}. */
    private int shardIndex(int microBatch, int j) {
        return microBatch * perMicroBatch + j;
    }

    private int shardRows(int microBatch, int j) {
        return plan.batchRows(first + shardIndex(microBatch, j), t);
    }

    /** Rows of a micro-batch at this step: the rows of its shards' batches. */
    private int rows(int microBatch) {
        int n = 0;
        for (int j = 0; j < perMicroBatch; j++) {
            n += shardRows(microBatch, j);
        }
        return n;
    }

    private void receiveActivations(int microBatch) {
        if (prev < 0) {
            return;
        }
        transfer(() -> world.receive(prev, activationsIn, 0, rows(microBatch) * stage.inputWidth()),
                () -> "receiving activations of micro-batch " + microBatch + " from", prev);
        scatterActivations(microBatch);
    }

    private void scatterActivations(int microBatch) {
        int width = stage.inputWidth();
        int at = 0;
        StagePass[] slot = passes[slot(microBatch)];
        for (int j = 0; j < perMicroBatch; j++) {
            int rows = shardRows(microBatch, j);
            System.arraycopy(activationsIn, at, slot[j].inputBuffer(), 0, rows * width);
            at += rows * width;
        }
    }

    private void forward(int microBatch) {
        int width = stage.outputWidth();
        int at = 0;
        int s = slot(microBatch);
        for (int j = 0; j < perMicroBatch; j++) {
            int index = shardIndex(microBatch, j);
            int shard = first + index;
            int rows = shardRows(microBatch, j);
            if (rows == 0) {
                continue;
            }
            int start = plan.batchStart(shard, t);
            int[] ex = examples[s][j];
            int[] perm = order[index];
            for (int i = 0; i < rows; i++) {
                ex[i] = plan.globalRow(shard, perm[start + i]);
            }
            StagePass pass = passes[s][j];
            TrainingContext context = new TrainingContext(seed, globalStep, ex);
            if (stage.isFirst()) {
                batches[s][j] = DataParallelTrainer.gather(local, index, perm, start, rows, batchBuffers[s][j], labels);
                pass.forward(blas, params, batches[s][j], rows, context);
            } else {
                pass.forward(blas, params, null, rows, context);
            }
            if (stage.isLast()) {
                float[] y = local.labels(index);
                for (int i = 0; i < rows; i++) {
                    labels[i] = y[perm[start + i]];
                }
                stats[shard] = pass.loss(labels);
                stats[shards + shard] = pass.hits();
            } else {
                System.arraycopy(pass.output(), 0, activationsOut, at, rows * width);
                at += rows * width;
            }
        }
    }

    private void sendActivations(int microBatch) {
        if (next < 0) {
            return;
        }
        transfer(() -> world.send(next, activationsOut, 0, rows(microBatch) * stage.outputWidth()),
                () -> "sending activations of micro-batch " + microBatch + " to", next);
    }

    private void receiveGradients(int microBatch) {
        if (next < 0) {
            return;
        }
        transfer(() -> world.receive(next, gradientsIn, 0, rows(microBatch) * stage.outputWidth()),
                () -> "receiving gradients of micro-batch " + microBatch + " from", next);
        scatterGradients(microBatch);
    }

    private void scatterGradients(int microBatch) {
        int width = stage.outputWidth();
        int at = 0;
        StagePass[] slot = passes[slot(microBatch)];
        for (int j = 0; j < perMicroBatch; j++) {
            int rows = shardRows(microBatch, j);
            System.arraycopy(gradientsIn, at, slot[j].outputGradient(), 0, rows * width);
            at += rows * width;
        }
    }

    private void backward(int microBatch) {
        int width = stage.inputWidth();
        int at = 0;
        int s = slot(microBatch);
        for (int j = 0; j < perMicroBatch; j++) {
            int index = shardIndex(microBatch, j);
            int rows = shardRows(microBatch, j);
            float[] g = shardGrads[index];
            if (rows == 0) {
                Arrays.fill(g, 0f);
                continue;
            }
            StagePass pass = passes[s][j];
            pass.backward(params, g);
            stats[(2 + k) * shards + first + index] = Kernels.maxAbs(g);
            if (!stage.isFirst()) {
                System.arraycopy(pass.inputGradient(), 0, gradientsOut, at, rows * width);
                at += rows * width;
            }
        }
    }

    private void sendGradients(int microBatch) {
        if (prev < 0) {
            return;
        }
        transfer(() -> world.send(prev, gradientsOut, 0, rows(microBatch) * stage.inputWidth()),
                () -> "sending gradients of micro-batch " + microBatch + " to", prev);
    }

    /**
     * Every shard's loss, hits and largest gradient element of every stage to every worker (one contributor
     * per slot, so the sum is exact), the one-worker rule for the fixed-point scale, the stage's exact sum
     * over its replicas and the optimizer step on the stage's parameters.
     */
    private void exchange(Optimizer optimizer, float learningRate) {
        long c0 = System.nanoTime();
        System.arraycopy(stats, 0, allStats, 0, stats.length);
        world.allReduce(allStats, 0, allStats.length, ReduceOp.SUM);
        double stepMax = 0;
        for (int i = 2 * shards; i < allStats.length; i++) {
            stepMax = Math.max(stepMax, allStats[i]);
        }
        double headroom = Math.scalb(previousMax, ExactStep.HEADROOM_BITS);
        // The one-worker rule (ExactStep): the previous maximum with headroom, unless this step's outgrew it
        // (or this is the first step, or the gradient is not finite, which exponent() reports).
        int e = Double.isNaN(previousMax) || !(stepMax <= headroom) ? FixedPointGradient.exponent(stepMax, shards)
                : FixedPointGradient.exponent(headroom, shards);
        previousMax = stepMax;
        collectiveNanos += System.nanoTime() - c0;
        long g0 = stageGroup.nanosInCollectives();
        sharded.reduce(shardGrads, owned, e, noStats, noStatsOut);
        sharded.step(e, plan.stepRows(t), params, grad, decayMask, decay, buffers, bufferMomentum, optimizer, lazy,
                learningRate);
        collectiveNanos += stageGroup.nanosInCollectives() - g0;
        for (int j = 0; j < shards; j++) {
            lossSum += allStats[j];
            hits += (long) allStats[shards + j];
        }
    }

    /** Micro-batches whose activations this stage can hold at once: M for fill-drain, at most K-k for 1F1B. */
    int microBatchesHeld() {
        return passes.length;
    }

    ShardedUpdate sharded() {
        return sharded;
    }

    /** The summed loss and hits of the steps since the last {@link #resetSums}. */
    double lossSum() {
        return lossSum;
    }

    long hits() {
        return hits;
    }

    void resetSums(double loss, long hitCount) {
        this.lossSum = loss;
        this.hits = hitCount;
    }

    double previousMax() {
        return previousMax;
    }

    void resumeFrom(double max) {
        this.previousMax = max;
    }
}
