package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.nn.Backpropagation;
import io.ringfold.nn.EmbeddingTable;
import io.ringfold.nn.Network;
import io.ringfold.nn.TrainingContext;
import io.ringfold.optim.Optimizer;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.Kernels;
import io.ringfold.tensor.Matrix;
import io.ringfold.train.Evaluation;

import java.util.Arrays;

/**
 * One worker's part of an {@code embeddingbag} table split by rows over the workers ({@code --shard-embeddings}):
 * worker w of W holds rows {@code [w V / W, (w+1) V / W)} and their optimizer state, nothing of the others'.
 *
 * <p>A step, bit-identical to unsharded training: (1) {@link #lookup}: the worker gathers its shards' batches,
 * takes the sorted set of the tokens they use, asks each owner for its rows of that set (all-to-all of row ids)
 * and gets them back (all-to-all of rows); the batches' token ids are renumbered by their rank in the set (a
 * monotone map, so each row's non-zeros keep their order) and run through the same network over a vocabulary of
 * the set ({@link EmbeddingTable#withRows}), whose kernels do per non-zero the saxpy the full table gets, in the
 * same order: the same bits, and the table gradient's rows are the full gradient's rows of those tokens. (2)
 * {@link #gradient}: per shard, the rest of the gradient goes to the trainer's usual exchange and the largest
 * element is taken over both parts, so the step's fixed-point exponent is the unsharded one. (3)
 * {@link #exchange}: at that exponent each shard's table rows are converted to int64 and summed over the
 * worker's shards, and each owner gets the sums of its rows (all-to-all), adding them up: integer sums, so the
 * same whatever the order and the worker count, and zero for rows nobody used. (4) {@link #step}: the owner takes
 * the mean as {@link FixedPointGradient#toMean} does and steps the entries whose mean is non-zero, with weight
 * decay, as {@link io.ringfold.nn.LazyRows} skips the others in unsharded training.
 *
 * <p>Validation and the final parameters fetch the rows the same way ({@link #validationTotals},
 * {@link #assemble}). Not thread-safe: one per worker.
 */
final class TableShard {

    /** The largest piece of a worker's rows {@link #assemble} sends at once. */
    static final int ASSEMBLY_BYTES = 64 << 20;

    private final Communicator comm;
    private final Blas blas;
    private final EmbeddingTable table;
    private final int dim;
    private final int restCount;
    private final int lo;
    private final int hi;
    private final float[] rows;
    private final Optimizer optimizer;
    /** The owned rows' mean gradient, zero but at the entries a step writes and clears again. */
    private float[] grad;
    private final float decay;
    private final int maxShardBatch;
    private float[] best;

    // The lookup of the step (or validation batch) in progress.
    /** Sorted distinct tokens the batches use; {@code count} of them. */
    private int[] ids = new int[0];
    private int count;
    /** {@code ids[segment[r], segment[r + 1])}: the tokens rank r holds. */
    private final int[] segment;
    /** Rows of the renumbered network's table: at least {@code count}. */
    private int capacity;
    private Network renumbered;
    private Backpropagation bp;
    /** The renumbered network's parameters: the looked-up rows, then the rest. */
    private float[] work = new float[0];
    private float[] workGrad = new float[0];
    private final CsrMatrix[] batches;
    private final float[][] labels;
    private final float[][] tableGrads;
    private final boolean[] active;
    private double loss;
    private int correct;
    private float maxAbs;
    /** What each rank asked of this one: row indices local to {@link #rows}, ascending. */
    private final int[][] requested;

    // The owner's sums of the step.
    private int[] touched = new int[0];
    private int touchedCount;
    private long[] sums = new long[0];
    private float[] mean = new float[0];
    private int[] ranges = new int[64];

    TableShard(Communicator comm, Blas blas, EmbeddingTable table, Optimizer optimizer, long seed, float decay,
               int owned, int maxShardBatch) {
        this.comm = comm;
        this.blas = blas;
        this.table = table;
        this.dim = table.dim();
        this.restCount = table.restCount();
        this.lo = firstRow(comm.rank(), comm.size(), table.rows());
        this.hi = firstRow(comm.rank() + 1, comm.size(), table.rows());
        int entries = Math.multiplyExact(hi - lo, dim);
        this.rows = new float[entries];
        table.initialRows(seed, lo, hi, rows, 0);
        this.optimizer = optimizer;
        optimizer.initialize(entries);
        this.grad = new float[entries];
        this.decay = decay;
        this.maxShardBatch = maxShardBatch;
        this.segment = new int[comm.size() + 1];
        this.batches = new CsrMatrix[owned];
        this.labels = new float[owned][maxShardBatch];
        this.tableGrads = new float[owned][];
        this.active = new boolean[owned];
        this.requested = new int[comm.size()][];
    }

    /** First row worker {@code w} of {@code workers} holds of a table of {@code rows}: balanced contiguous ranges. */
    static int firstRow(int w, int workers, int rows) {
        return (int) ((long) w * rows / workers);
    }

    /** Table rows this worker holds. */
    int rowsHeld() {
        return hi - lo;
    }

    /** Entries of the optimizer state this worker holds, per buffer (Adam: two of them). */
    int optimizerEntries() {
        float[][] b = optimizer.state().buffers();
        return b.length == 0 ? 0 : b[0].length;
    }

    /** Parameters outside the table, which the trainer keeps and exchanges as usual. */
    int restCount() {
        return restCount;
    }

    /** The weights (weight decay's mask) among the parameters outside the table. */
    boolean[] restWeightMask() {
        return Arrays.copyOfRange(table.withRows(1).weightMask(), dim, dim + restCount);
    }

    /** The running statistics (batch normalisation's) among the parameters outside the table; null: none. */
    boolean[] restBufferMask() {
        Network one = table.withRows(1);
        return one.hasBuffers() ? Arrays.copyOfRange(one.bufferMask(), dim, dim + restCount) : null;
    }

    /** Their momentum, as {@link Network#bufferMomentum} gives it. */
    float[] restBufferMomentum() {
        return Arrays.copyOfRange(table.withRows(1).bufferMomentum(), dim, dim + restCount);
    }

    /**
     * Step {@code t}'s batches of the worker's shards (none where a shard has run out), their rows fetched from
     * their owners, ready for {@link #gradient}. A collective: every worker calls it once per step.
     */
    void lookup(ShardPlan plan, LocalShards local, int first, int t, int[][] order, float[] rest) {
        int owned = batches.length;
        CsrMatrix[] raw = new CsrMatrix[owned];
        for (int s = 0; s < owned; s++) {
            int shard = first + s;
            int n = plan.batchRows(shard, t);
            active[s] = n > 0;
            if (n == 0) {
                continue;
            }
            int start = plan.batchStart(shard, t);
            raw[s] = sparse(local.features(s)).gatherRows(order[s], start, start + n);
            float[] y = local.labels(s);
            for (int i = 0; i < n; i++) {
                labels[s][i] = y[order[s][start + i]];
            }
        }
        fetch(raw, rest, maxShardBatch);
        for (int s = 0; s < owned; s++) {
            batches[s] = raw[s] == null ? null : renumber(raw[s]);
        }
    }

    /**
     * The gradient of shard {@code s}'s batch (its {@code rows} rows) of the last {@link #lookup}: the rest's into
     * {@code restGrad}, the table's kept for {@link #exchange}. Returns the summed loss; then {@link #correct} and
     * {@link #maxAbs} describe the same batch.
     */
    double gradient(int s, int n, float[] restGrad, TrainingContext context) {
        loss = bp.compute(blas, work, batches[s], n, labels[s], workGrad, context);
        correct = bp.correct();
        // The renumbered gradient has the full gradient's non-zero elements (and zeros): the same maximum.
        maxAbs = Kernels.maxAbs(workGrad);
        System.arraycopy(workGrad, capacity * dim, restGrad, 0, restCount);
        if (tableGrads[s] == null || tableGrads[s].length < count * dim) {
            tableGrads[s] = new float[capacity * dim];
        }
        System.arraycopy(workGrad, 0, tableGrads[s], 0, count * dim);
        return loss;
    }

    int correct() {
        return correct;
    }

    float maxAbs() {
        return maxAbs;
    }

    /**
     * The table part of the step's gradient exchange at the fixed-point exponent {@code e} the trainer settled
     * on: this worker's sums over its shards of the looked-up rows, sent to their owners, who add up what they
     * receive. A collective, once per step.
     */
    void exchange(int e) {
        float[][] grads = new float[batches.length][];
        int n = 0;
        for (int s = 0; s < batches.length; s++) {
            if (active[s]) {
                grads[n++] = tableGrads[s];
            }
        }
        long[] mine = new long[count * dim];
        FixedPointGradient.sum(grads, n, 0, count * dim, e, mine, 0);
        long[][] toEach = new long[comm.size()][];
        for (int r = 0; r < toEach.length; r++) {
            toEach[r] = Arrays.copyOfRange(mine, segment[r] * dim, segment[r + 1] * dim);
        }
        long[][] fromEach = comm.allToAll(toEach);
        // The rows any rank asked for, each once, ascending.
        int asked = 0;
        for (int[] r : requested) {
            asked += r.length;
        }
        if (touched.length < asked) {
            touched = new int[asked];
        }
        asked = 0;
        for (int[] r : requested) {
            System.arraycopy(r, 0, touched, asked, r.length);
            asked += r.length;
        }
        touchedCount = sortDistinct(touched, asked);
        if (sums.length < touchedCount * dim) {
            sums = new long[touchedCount * dim];
            mean = new float[touchedCount * dim];
        }
        Arrays.fill(sums, 0, touchedCount * dim, 0L);
        for (int q = 0; q < fromEach.length; q++) {
            int[] rowsOfQ = requested[q];
            long[] got = fromEach[q];
            for (int i = 0; i < rowsOfQ.length; i++) {
                int at = Arrays.binarySearch(touched, 0, touchedCount, rowsOfQ[i]) * dim;
                for (int c = 0; c < dim; c++) {
                    sums[at + c] += got[i * dim + c];
                }
            }
        }
    }

    /**
     * The optimizer step of the owned rows from the last {@link #exchange}: mean over {@code stepRows} rows,
     * weight decay, and an update of the entries whose mean is not zero (the others, rows no example used in
     * the main, keep their values and state, as in unsharded training). Counted as one step of the optimizer
     * even when no entry moves, as there.
     */
    void step(int e, int stepRows, float learningRate) {
        int n = touchedCount * dim;
        FixedPointGradient.toMean(sums, 0, e, stepRows, mean, 0, n);
        int pairs = 0;
        for (int u = 0; u < touchedCount; u++) {
            int base = touched[u] * dim;
            for (int c = 0; c < dim; c++) {
                float g = mean[u * dim + c];
                if (g == 0f) {
                    continue;
                }
                int i = base + c;
                // As LazyRows adds it: the table is a weight, decayed when decay is on.
                grad[i] = decay != 0f ? g + decay * rows[i] : g;
                if (pairs > 0 && ranges[2 * pairs - 1] == i) {
                    ranges[2 * pairs - 1] = i + 1;
                } else {
                    if (2 * pairs + 2 > ranges.length) {
                        ranges = Arrays.copyOf(ranges, 2 * ranges.length);
                    }
                    ranges[2 * pairs] = i;
                    ranges[2 * pairs + 1] = i + 1;
                    pairs++;
                }
            }
        }
        optimizer.step(rows, grad, learningRate, ranges, pairs);
        for (int k = 0; k < pairs; k++) {
            Arrays.fill(grad, ranges[2 * k], ranges[2 * k + 1], 0f);
        }
    }

    /**
     * Writes the owned rows, their optimizer state and best copy for step {@code globalStep}
     * ({@link TableCheckpoint}); {@code keepStep} is the step the main checkpoint names until it is replaced.
     */
    void checkpoint(java.nio.file.Path directory, String identity, long globalStep, long keepStep) {
        TableCheckpoint.write(directory, identity, globalStep, keepStep, comm.rank(), comm.size(),
                new TableCheckpoint.Part(lo, hi, rows, optimizer.state(), best));
    }

    /** The owned rows, their optimizer state and best copy as checkpointed at {@code globalStep}, by any worker count. */
    void restore(java.nio.file.Path directory, String identity, long globalStep) {
        TableCheckpoint.Part p = TableCheckpoint.read(directory, identity, globalStep, lo, hi, dim);
        System.arraycopy(p.rows(), 0, rows, 0, rows.length);
        if (hi > lo) {
            optimizer.restore(p.optimizer());
        }
        best = p.best();
    }

    /** Keeps a copy of the owned rows as they are (early stopping's best epoch). */
    void keepBest() {
        best = rows.clone();
    }

    /**
     * Every validation batch's totals ({@link Evaluation#batchTotals}) in the slots of the batches this worker
     * computes (a contiguous block, as the trainer splits them), zero elsewhere, with the rows each batch uses
     * fetched from their owners. A collective: every worker makes as many lookups as the worker with the most
     * batches, empty ones when it has none left.
     */
    void validationTotals(Matrix xVal, float[] yVal, int batch, float[] rest, double[] totals) {
        int batches = Evaluation.batches(xVal.rows(), batch);
        int workers = comm.size();
        int from = (int) ((long) batches * comm.rank() / workers);
        int to = (int) ((long) batches * (comm.rank() + 1) / workers);
        int rounds = 0;
        for (int r = 0; r < workers; r++) {
            rounds = Math.max(rounds, (int) ((long) batches * (r + 1) / workers) - (int) ((long) batches * r / workers));
        }
        CsrMatrix x = sparse(xVal);
        double[] one = new double[Evaluation.PER_BATCH];
        for (int i = 0; i < rounds; i++) {
            int k = from + i;
            CsrMatrix[] raw = new CsrMatrix[1];
            int start = k * batch;
            int end = Math.min(xVal.rows(), start + batch);
            if (k < to) {
                int[] index = new int[end - start];
                for (int j = 0; j < index.length; j++) {
                    index[j] = start + j;
                }
                raw[0] = x.gatherRows(index, 0, index.length);
            }
            fetch(raw, rest, maxShardBatch);
            if (k < to) {
                Evaluation.batchTotals(blas, renumbered, work, renumber(raw[0]), Arrays.copyOfRange(yVal, start, end),
                        batch, 0, 1, one);
                System.arraycopy(one, 0, totals, Evaluation.PER_BATCH * k, Evaluation.PER_BATCH);
            }
        }
    }

    /**
     * The whole parameter vector, the table assembled from every worker's rows (the best epoch's, with
     * {@code best}) and then {@code rest}. A collective; after training only: the optimizer state and the
     * gradient scratch are let go first, so that the whole table is not held beside them.
     */
    float[] assemble(float[] rest, boolean fromBest) {
        return assemble(rest, fromBest, Math.max(1, ASSEMBLY_BYTES / (4 * dim)));
    }

    /** {@link #assemble(float[], boolean)} in pieces of {@code chunk} rows. */
    float[] assemble(float[] rest, boolean fromBest, int chunk) {
        optimizer.initialize(0);
        grad = new float[0];
        float[] mine = fromBest && best != null ? best : rows;
        int workers = comm.size();
        float[] all = new float[Math.addExact(Math.multiplyExact(table.rows(), dim), restCount)];
        int most = 0;
        for (int r = 0; r < workers; r++) {
            most = Math.max(most, firstRow(r + 1, workers, table.rows()) - firstRow(r, workers, table.rows()));
        }
        // In pieces, so no message nears the transports' limit on a block.
        float[][] toEach = new float[workers][];
        for (int from = 0; from < most; from += chunk) {
            int to = Math.min(hi - lo, from + chunk);
            Arrays.fill(toEach, Arrays.copyOfRange(mine, Math.min(from, hi - lo) * dim, Math.max(from, to) * dim));
            float[][] fromEach = comm.allToAll(toEach);
            for (int q = 0; q < workers; q++) {
                int at = (firstRow(q, workers, table.rows()) + from) * dim;
                System.arraycopy(fromEach[q], 0, all, at, fromEach[q].length);
            }
        }
        System.arraycopy(rest, 0, all, table.rows() * dim, restCount);
        return all;
    }

    /**
     * The rows the batches {@code raw} (null entries: none) use, from their owners, into {@link #work} before
     * {@code rest}; what each rank asked of this one in {@link #requested}.
     */
    private void fetch(CsrMatrix[] raw, float[] rest, int maxRows) {
        count = distinctTokens(raw);
        if (count > capacity || bp == null) {
            capacity = Math.max(count, Math.max(1, 2 * capacity));
            renumbered = table.withRows(capacity);
            bp = new Backpropagation(renumbered, maxRows);
            work = new float[renumbered.parameterCount()];
            workGrad = new float[work.length];
        }
        int workers = comm.size();
        long[][] asks = new long[workers][];
        for (int r = 0; r <= workers; r++) {
            int row = firstRow(r, workers, table.rows());
            int at = Arrays.binarySearch(ids, 0, count, row);
            segment[r] = at >= 0 ? at : -at - 1;
        }
        for (int r = 0; r < workers; r++) {
            asks[r] = new long[segment[r + 1] - segment[r]];
            for (int i = 0; i < asks[r].length; i++) {
                asks[r][i] = ids[segment[r] + i];
            }
        }
        long[][] asked = comm.allToAll(asks);
        float[][] replies = new float[workers][];
        for (int q = 0; q < workers; q++) {
            int[] local = new int[asked[q].length];
            float[] reply = new float[local.length * dim];
            for (int i = 0; i < local.length; i++) {
                long id = asked[q][i];
                if (id < lo || id >= hi) {
                    throw new IllegalStateException("table row " + id + " asked of rank " + comm.rank() + " by rank " + q
                            + " (expected: within its rows [" + lo + ", " + hi + "))");
                }
                local[i] = (int) id - lo;
                System.arraycopy(rows, local[i] * dim, reply, i * dim, dim);
            }
            requested[q] = local;
            replies[q] = reply;
        }
        float[][] got = comm.allToAll(replies);
        for (int r = 0; r < workers; r++) {
            System.arraycopy(got[r], 0, work, segment[r] * dim, got[r].length);
        }
        System.arraycopy(rest, 0, work, capacity * dim, restCount);
    }

    /** Sorts the distinct column ids of {@code raw} into {@link #ids}; returns how many. */
    private int distinctTokens(CsrMatrix[] raw) {
        int nnz = 0;
        for (CsrMatrix m : raw) {
            nnz += m == null ? 0 : m.nonZeros();
        }
        if (ids.length < nnz) {
            ids = new int[nnz];
        }
        int n = 0;
        for (CsrMatrix m : raw) {
            if (m != null) {
                for (int p = 0; p < m.nonZeros(); p++) {
                    ids[n++] = m.columnAt(p);
                }
            }
        }
        return sortDistinct(ids, n);
    }

    /** {@code m} with each token id replaced by its rank among {@link #ids}, over {@link #capacity} columns. */
    private CsrMatrix renumber(CsrMatrix m) {
        int n = m.rows();
        int[] ptr = new int[n + 1];
        int[] cols = new int[m.nonZeros()];
        float[] values = new float[cols.length];
        for (int r = 0; r < n; r++) {
            ptr[r + 1] = m.rowStart(r + 1);
        }
        for (int p = 0; p < cols.length; p++) {
            cols[p] = Arrays.binarySearch(ids, 0, count, m.columnAt(p));
            values[p] = m.valueAt(p);
        }
        return new CsrMatrix(n, capacity, ptr, cols, values);
    }

    /** Sorts {@code a[0, n)} and moves its distinct values to the front; returns how many. */
    private static int sortDistinct(int[] a, int n) {
        Arrays.sort(a, 0, n);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || a[i] != a[distinct - 1]) {
                a[distinct++] = a[i];
            }
        }
        return distinct;
    }

    private static CsrMatrix sparse(Matrix m) {
        if (!(m instanceof CsrMatrix s)) {
            throw new IllegalArgumentException("--shard-embeddings: dense input (expected: sparse token counts, as a "
                    + "text column gives)");
        }
        return s;
    }
}
