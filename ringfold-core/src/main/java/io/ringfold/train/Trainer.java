package io.ringfold.train;

import io.ringfold.dpsgd.ClippedSum;
import io.ringfold.dpsgd.DpSgdPlan;
import io.ringfold.dpsgd.GaussianNoise;
import io.ringfold.dpsgd.PoissonSampling;
import io.ringfold.nn.Backpropagation;
import io.ringfold.nn.LazyRows;
import io.ringfold.nn.Network;
import io.ringfold.nn.RunningStatistics;
import io.ringfold.nn.TrainingContext;
import io.ringfold.optim.LearningRateSchedule;
import io.ringfold.optim.Optimizer;
import io.ringfold.random.SplitMix64;
import io.ringfold.solve.GlmProblem;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

import java.util.ArrayList;
import java.util.List;

/**
 * Single-process mini-batch training of a network: seeded shuffle per epoch, forward and backward
 * pass per batch, mean gradient plus L2 weight decay on weights, one optimizer step; per-epoch metrics,
 * optional validation and early stopping that restores the best epoch's parameters.
 *
 * <p>A trainer is configuration plus {@link #fit}; every call starts from the seed with a fresh
 * optimizer, so one trainer can be reused and the same inputs always give bit-identical parameters
 * (given the same BLAS). Epoch e's shuffle depends only on (seed, e), so a resumed run replays it.
 */
public final class Trainer {

    /** Stream identifier for shuffling (see {@link SplitMix64#derive}). */
    public static final long SHUFFLE_PURPOSE = 0x5348554646L;

    /** Blocks of rows a full-batch solver sums over; the data-parallel engines' default shard count. */
    public static final int FULL_BATCH_BLOCKS = 8;

    private final TrainingConfig config;
    private final Blas blas;

    public Trainer(TrainingConfig config, Blas blas) {
        this.config = config;
        this.blas = blas;
    }

    public TrainingConfig config() {
        return config;
    }

    /**
     * Trains {@code net} on rows of {@code x} with targets {@code y}; {@code xVal}/{@code yVal} may be
     * null. Targets must already be valid for the loss (class indices in range for classification):
     * the boundary that read them checked them.
     */
    public TrainingResult fit(Network net, Matrix x, float[] y, Matrix xVal, float[] yVal,
                              TrainingListener listener) {
        return fit(net, x, y, null, xVal, yVal, listener);
    }

    /**
     * As {@link #fit(Network, Matrix, float[], Matrix, float[], TrainingListener)} with row weights {@code w}
     * (null: all 1), which only the full-batch solvers take. A full-batch solver sums over
     * {@link #FULL_BATCH_BLOCKS} blocks of rows (row i in block {@code i mod B}), as data-parallel training with
     * as many logical shards does, so the two give the same parameters.
     */
    public TrainingResult fit(Network net, Matrix x, float[] y, float[] w, Matrix xVal, float[] yVal,
                              TrainingListener listener) {
        return fit(net, null, 0f, x, y, w, xVal, yVal, listener);
    }

    /**
     * Mini-batch training that starts from {@code start} rather than the seeded initial parameters, with
     * FedProx's proximal term {@code mu/2 * ||params - start||^2} added to the loss when {@code proximalMu > 0}
     * (Li et al., 2020): a federated client's local training from the global model.
     */
    public TrainingResult fitFrom(Network net, float[] start, float proximalMu, Matrix x, float[] y,
                                  TrainingListener listener) {
        if (start.length != net.parameterCount()) {
            throw new IllegalArgumentException("start: " + start.length + " parameters (expected: "
                    + net.parameterCount() + ", the network's)");
        }
        if (!(proximalMu >= 0) || Float.isInfinite(proximalMu)) {
            throw new IllegalArgumentException("proximalMu: " + proximalMu + " (expected: >= 0 and finite)");
        }
        if (FullBatchFit.applies(config, net)) {
            throw new IllegalArgumentException("solver: " + config.solver().id() + " fits on all rows at once "
                    + "(expected: mini-batches, --solver sgd or adam, to start from given parameters)");
        }
        if (proximalMu > 0 && LazyRows.of(net) != null) {
            // An embedding table's rows are stepped only where a batch touches them; a dense proximal term would not be.
            throw new IllegalArgumentException("proximalMu: " + proximalMu + " with an embeddingbag layer (expected: 0;"
                    + " its table is updated lazily, by the rows a batch touches)");
        }
        return fit(net, start, proximalMu, x, y, null, null, null, listener);
    }

    private TrainingResult fit(Network net, float[] start, float proximalMu, Matrix x, float[] y, float[] w,
                               Matrix xVal, float[] yVal, TrainingListener listener) {
        int n = x.rows();
        if (n == 0) {
            throw new IllegalArgumentException("training rows: 0 (expected: > 0)");
        }
        if (y.length != n) {
            throw new IllegalArgumentException("labels: " + y.length + " (expected: one per row, " + n + ")");
        }
        if (FullBatchFit.applies(config, net)) {
            int blocks = Math.min(FULL_BATCH_BLOCKS, n);
            List<GlmProblem.Block> local = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                int[] rows = new int[(n - b + blocks - 1) / blocks];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = b + i * blocks;
                }
                float[] yb = new float[rows.length];
                float[] wb = w == null ? null : new float[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    yb[i] = y[rows[i]];
                    if (wb != null) {
                        wb[i] = w[rows[i]];
                    }
                }
                local.add(new GlmProblem.Block(b, x.gatherRows(rows, 0, rows.length), yb, wb));
            }
            return FullBatchFit.fit(config, blas, net, blocks, local, GlmProblem.Exchange.LOCAL, 1, xVal, yVal,
                    listener);
        }
        if (w != null) {
            throw new IllegalArgumentException("row weights (a weight column or --class-weight): only the full-batch "
                    + "solvers lbfgs, owlqn and normal take them (expected: a linear, logistic or softmax model with "
                    + "--solver auto, lbfgs, owlqn or normal)");
        }
        int batch = Math.min(config.batchSize(), n);
        DpSgdPlan dp = config.dpSgdPlan(net, n);
        int stepsPerEpoch = dp != null ? Math.toIntExact(dp.stepsPerEpoch()) : (n + batch - 1) / batch;
        long totalSteps = (long) stepsPerEpoch * config.epochs();
        float[] params = start == null ? net.initialParameters(config.seed()) : start.clone();
        float[] grad = new float[params.length];
        boolean[] decayMask = config.weightDecay() > 0 ? net.weightMask() : null;
        boolean[] buffers = net.hasBuffers() ? net.bufferMask() : null;
        float[] bufferMomentum = buffers == null ? null : net.bufferMomentum();
        Optimizer optimizer = config.newOptimizer();
        optimizer.initialize(params.length);
        // A private step adds noise to every entry, so embedding tables are updated whole.
        LazyRows lazy = dp == null ? LazyRows.of(net) : null;
        LearningRateSchedule schedule = config.schedule();
        Backpropagation bp = new Backpropagation(net, batch);
        BatchSource source = new BatchSource(x, y, batch);
        int[] order = new int[n];
        boolean classification = net.loss().isClassification();
        int[] examples = new int[batch];
        ClippedSum clipped = dp == null ? null : new ClippedSum(net, ClippedSum.capacityFor(batch));
        GaussianNoise noise = dp == null ? null : dp.newNoise();
        if (dp != null) {
            listener.onPrivacy(dp);
        }

        List<EpochMetrics> history = new ArrayList<>();
        EarlyStopping stopping = new EarlyStopping(xVal == null ? 0 : config.patience());
        boolean stoppedEarly = false;
        double trainSeconds = 0;
        long seen = 0;
        long step = 0;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            SplitMix64.derive(config.seed(), SHUFFLE_PURPOSE, epoch).shuffle(order, n);
            double lossSum = 0;
            long hits = 0;
            int epochRows = dp == null ? n : 0;
            float lr = 0;
            long t0 = System.nanoTime();
            for (int s = 0; s < stepsPerEpoch; s++) {
                if (dp != null) {
                    // DP-SGD: a Poisson sample, its clipped sum, noise once, divided by the expected batch size.
                    int count = PoissonSampling.sample(config.seed(), step, n, dp.samplingRate(), order);
                    lossSum += clipped.compute(blas, params, x, y, order, order, count, config.seed(), step, dp.clip(),
                            grad);
                    hits += clipped.correct();
                    epochRows += count;
                    noise.add(grad, 0, grad.length, config.seed(), step, dp.noiseMultiplier() * dp.clip());
                    scaleAndDecay(grad, 1f / dp.expectedBatch(), params, decayMask, config.weightDecay());
                    lr = schedule.rate(config.learningRate(), epoch, step, totalSteps);
                    optimizer.step(params, grad, lr);
                    step++;
                    listener.onStep(epoch + 1, s + 1, stepsPerEpoch);
                    continue;
                }
                int from = s * batch;
                int rows = Math.min(batch, n - from);
                Matrix xb = source.gather(order, from, rows);
                System.arraycopy(order, from, examples, 0, rows);
                lossSum += bp.compute(blas, params, xb, rows, source.labels(), grad,
                        new TrainingContext(config.seed(), step, examples));
                hits += bp.correct();
                scaleAndDecay(grad, 1f / rows, params, lazy == null ? decayMask : null, config.weightDecay());
                if (proximalMu > 0) {
                    addProximal(grad, params, start, proximalMu);
                }
                if (buffers != null) {
                    RunningStatistics.apply(buffers, bufferMomentum, params, grad, 0, params.length);
                }
                lr = schedule.rate(config.learningRate(), epoch, step, totalSteps);
                if (lazy != null) {
                    lazy.step(optimizer, params, grad, decayMask, config.weightDecay(), lr, 0, params.length);
                } else {
                    optimizer.step(params, grad, lr);
                }
                step++;
                listener.onStep(epoch + 1, s + 1, stepsPerEpoch);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            trainSeconds += seconds;
            seen += epochRows;
            if (!Double.isFinite(lossSum)) {
                throw new IllegalStateException("training diverged in epoch " + (epoch + 1)
                        + ": loss is " + lossSum + " (try a smaller learning rate than " + config.learningRate() + ")");
            }
            Evaluation val = xVal == null ? null : Evaluation.of(blas, net, params, xVal, yVal, batch);
            EpochMetrics m = EpochMetrics.of(epoch + 1, lossSum, hits, Math.max(1, epochRows), classification,
                    net.outputs(), val, lr, seconds);
            if (dp != null) {
                m = m.withDpEpsilon(dp.epsilon(step));
            }
            history.add(m);
            listener.onEpoch(m);
            if (val != null && stopping.shouldStop(epoch + 1, val.meanLoss(), params)) {
                stoppedEarly = true;
                break;
            }
        }
        float[] result = stoppedEarly ? stopping.best() : params;
        return new TrainingResult(result, history, stoppedEarly ? stopping.bestEpoch() : history.size(), stoppedEarly,
                trainSeconds, seen);
    }

    /** {@code grad = grad * scale + decay * params} on weights; the mean gradient of the penalised loss. */
    private static void scaleAndDecay(float[] grad, float scale, float[] params, boolean[] mask, float decay) {
        if (mask == null) {
            for (int i = 0; i < grad.length; i++) {
                grad[i] *= scale;
            }
        } else {
            for (int i = 0; i < grad.length; i++) {
                grad[i] = mask[i] ? grad[i] * scale + decay * params[i] : grad[i] * scale;
            }
        }
    }

    /** {@code grad += mu * (params - anchor)}: the gradient of FedProx's proximal term. */
    private static void addProximal(float[] grad, float[] params, float[] anchor, float mu) {
        for (int i = 0; i < grad.length; i++) {
            grad[i] += mu * (params[i] - anchor[i]);
        }
    }

    /** Batches of rows in a given order, gathered into a reused buffer when the input is dense. */
    private static final class BatchSource {
        private final Matrix x;
        private final float[] y;
        private final FloatMatrix denseBuffer;
        private final float[] labels;

        BatchSource(Matrix x, float[] y, int batch) {
            this.x = x;
            this.y = y;
            this.denseBuffer = x.batchBuffer(batch);
            this.labels = new float[batch];
        }

        Matrix gather(int[] order, int from, int rows) {
            for (int i = 0; i < rows; i++) {
                labels[i] = y[order[from + i]];
            }
            return x.batch(order, from, from + rows, denseBuffer);
        }

        float[] labels() {
            return labels;
        }
    }
}
