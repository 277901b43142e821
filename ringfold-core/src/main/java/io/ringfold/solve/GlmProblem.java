package io.ringfold.solve;

import io.ringfold.nn.InputKernels;
import io.ringfold.nn.Loss;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.tensor.TallSkinnyGemm;

import java.util.List;

/**
 * The objective of a linear, logistic or softmax model over all training rows, as the solvers see it:
 * {@code (1 / sum w) sum_i w_i loss_i + (l2 / 2) ||W||^2}, the loss being half the squared error, the binary
 * cross-entropy of the logit, or the softmax cross-entropy, and the bias never penalised. Parameters are laid out
 * as the dense layer's: W ({@code features x outputs}, row-major) then the bias.
 *
 * <p>The rows come in {@code blocks} numbered {@code 0..B-1}; a worker holds some of them. Each evaluation writes
 * each local block's sums into that block's own slots of a buffer, the {@link Exchange} adds the buffers of all
 * workers (every slot has one non-zero contributor, so the addition is exact), and every worker then adds the
 * blocks in block order: the same bits for any number of workers.
 */
public final class GlmProblem {

    /**
     * Dense rows per step of a block: a multiple of the kernel's 12-row tile, and 150 KB of Fashion-MNIST's rows,
     * which stay in the L2 cache between the two products. Part of the summation order: changing it changes bits.
     */
    private static final int CHUNK = 48;

    /** Adds the workers' buffers slot by slot, so that each worker ends with all of them (an allreduce SUM). */
    @FunctionalInterface
    public interface Exchange {
        void sum(double[] buffer);

        /** A single worker holding every block. */
        Exchange LOCAL = buffer -> { };
    }

    /** A block of rows: its number, features, targets, and weights (null: all 1). */
    public record Block(int index, Matrix x, float[] y, float[] w) {
    }

    private final Blas blas;
    private final Loss loss;
    private final int features;
    private final int outputs;
    private final int blockCount;
    private final List<Block> local;
    private final Exchange exchange;
    private double l2;
    private final double weightSum;
    private final long rows;
    private final float[] params;
    private final float[] margins;
    /** A block's gradient, {@code features x outputs} (sparse rows) or its transpose (dense rows). */
    private final float[] gradientBlock;
    /** W of {@link #params} packed for {@link TallSkinnyGemm#multiply}, once per evaluation. */
    private final float[] packedWeights;
    /** exp(z - max) of one row's classes. */
    private final double[] shifted;
    private double blockLoss;
    private long blockHits;
    private double lastLossSum;
    private long lastHits;

    public GlmProblem(Blas blas, Loss loss, int features, int outputs, int blockCount, List<Block> local,
                      Exchange exchange, double l2) {
        this.blas = blas;
        this.loss = loss;
        this.features = features;
        this.outputs = outputs;
        this.blockCount = blockCount;
        this.local = List.copyOf(local);
        this.exchange = exchange;
        this.l2 = l2;
        int maxRows = 0;
        for (Block b : local) {
            if (b.index() < 0 || b.index() >= blockCount || b.x().cols() != features) {
                throw new IllegalArgumentException("block " + b.index() + " of " + blockCount + ", " + b.x().cols()
                        + " features (expected: an index below " + blockCount + ", " + features + " features)");
            }
            maxRows = Math.max(maxRows, b.x().rows());
        }
        this.params = new float[parameterCount()];
        this.margins = new float[maxRows * outputs];
        this.gradientBlock = new float[features * outputs];
        this.packedWeights = new float[TallSkinnyGemm.packedLength(features, outputs)];
        this.shifted = new double[outputs];
        double[] totals = new double[2 * blockCount];
        for (Block b : local) {
            totals[2 * b.index()] = weightSum(b);
            totals[2 * b.index() + 1] = b.x().rows();
        }
        exchange.sum(totals);
        double ws = 0;
        long n = 0;
        for (int i = 0; i < blockCount; i++) {
            ws += totals[2 * i];
            n += (long) totals[2 * i + 1];
        }
        if (!(ws > 0)) {
            throw new IllegalArgumentException("weights: they sum to " + ws + " (expected: > 0)");
        }
        this.weightSum = ws;
        this.rows = n;
    }

    public int parameterCount() {
        return features * outputs + outputs;
    }

    public long rows() {
        return rows;
    }

    public double l2() {
        return l2;
    }

    /** Sets the L2 penalty (it may depend on {@link #rows}, known once the blocks were counted). */
    public void setL2(double penalty) {
        if (!(penalty >= 0) || Double.isInfinite(penalty)) {
            throw new IllegalArgumentException("l2: " + penalty + " (expected: >= 0)");
        }
        this.l2 = penalty;
    }

    /** Which parameters the penalties apply to: the weights, not the bias. */
    public boolean penalised(int i) {
        return i < features * outputs;
    }

    /** The weighted mean loss of the last evaluation as the training history reports it (the full squared error). */
    public double lastMeanLoss() {
        return lastLossSum / weightSum * (loss == Loss.MSE ? 2 : 1);
    }

    /** Rows the model classified right in the last evaluation (classifiers). */
    public long lastHits() {
        return lastHits;
    }

    /** The objective at {@code theta} with its gradient (the L-BFGS objective; the L1 term is the solver's). */
    public double evaluate(double[] theta, double[] gradient) {
        int p = parameterCount();
        int slot = p + 2;
        for (int i = 0; i < p; i++) {
            params[i] = (float) theta[i];
        }
        TallSkinnyGemm.pack(features, outputs, params, 0, packedWeights);
        double[] buffer = new double[slot * blockCount];
        for (Block b : local) {
            blockSums(b, buffer, b.index() * slot);
        }
        exchange.sum(buffer);
        java.util.Arrays.fill(gradient, 0);
        double lossSum = 0;
        double hits = 0;
        for (int k = 0; k < blockCount; k++) {
            int off = k * slot;
            lossSum += buffer[off];
            hits += buffer[off + 1];
            for (int i = 0; i < p; i++) {
                gradient[i] += buffer[off + 2 + i];
            }
        }
        lastLossSum = lossSum;
        lastHits = (long) hits;
        double value = lossSum / weightSum;
        double penalty = 0;
        for (int i = 0; i < p; i++) {
            gradient[i] /= weightSum;
            if (penalised(i)) {
                penalty += theta[i] * theta[i];
                gradient[i] += l2 * theta[i];
            }
        }
        return value + 0.5 * l2 * penalty;
    }

    /**
     * One block's weighted loss sum, hits and gradient sum at {@link #params}, from {@code out[off]} on. Dense rows
     * go {@link #CHUNK} at a time through {@link TallSkinnyGemm}, margins then residuals then their share of the
     * gradient, so that X is read from memory once and the second product finds it in cache; chunks start at
     * multiples of {@link #CHUNK} from the block's first row, which fixes the gradient's summation order.
     */
    private void blockSums(Block b, double[] out, int off) {
        int n = b.x().rows();
        int k = outputs;
        int bias = features * k;
        blockLoss = 0;
        blockHits = 0;
        if (b.x() instanceof FloatMatrix dense) {
            float[] x = dense.data();
            java.util.Arrays.fill(gradientBlock, 0f);
            for (int from = 0; from < n; from += CHUNK) {
                int rows = Math.min(CHUNK, n - from);
                TallSkinnyGemm.multiply(rows, features, k, x, from * features, packedWeights, margins, from * k);
                residuals(b, from, from + rows);
                TallSkinnyGemm.addTransposedProduct(rows, features, k, x, from * features, margins, from * k,
                        gradientBlock, 0);
            }
            // gradientBlock holds the transpose (outputs x features).
            for (int j = 0; j < features; j++) {
                for (int c = 0; c < k; c++) {
                    out[off + 2 + j * k + c] = gradientBlock[c * features + j];
                }
            }
        } else {
            InputKernels.multiply(blas, b.x(), n, params, 0, k, margins);
            residuals(b, 0, n);
            InputKernels.transposeMultiply(blas, b.x(), n, margins, k, gradientBlock, 0);
            for (int i = 0; i < bias; i++) {
                out[off + 2 + i] = gradientBlock[i];
            }
        }
        out[off] = blockLoss;
        out[off + 1] = blockHits;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                out[off + 2 + bias + c] += margins[i * k + c];
            }
        }
    }

    /**
     * Rows {@code [from, to)} of a block: adds their weighted loss and hits to {@link #blockLoss} and
     * {@link #blockHits} and replaces their margins by the weighted residuals, the derivative of the loss.
     */
    private void residuals(Block b, int from, int to) {
        int k = outputs;
        int bias = features * k;
        double lossSum = blockLoss;
        long hits = blockHits;
        for (int i = from; i < to; i++) {
            double w = b.w() == null ? 1 : b.w()[i];
            int r = i * k;
            double y = b.y()[i];
            switch (loss) {
                case MSE -> {
                    double e = (double) margins[r] + params[bias] - y;
                    lossSum += 0.5 * w * e * e;
                    margins[r] = (float) (w * e);
                }
                case BINARY_CROSS_ENTROPY -> {
                    double z = (double) margins[r] + params[bias];
                    // log(1 + e^z) - y z, without overflow for large |z|.
                    lossSum += w * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z);
                    double prob = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
                    hits += (z >= 0) == (y == 1) ? 1 : 0;
                    margins[r] = (float) (w * (prob - y));
                }
                case CROSS_ENTROPY -> {
                    int label = (int) y;
                    double max = Double.NEGATIVE_INFINITY;
                    int arg = 0;
                    for (int c = 0; c < k; c++) {
                        double z = (double) margins[r + c] + params[bias + c];
                        if (z > max) {
                            max = z;
                            arg = c;
                        }
                    }
                    // One exp per class, kept for the probabilities: exp dominates this loop.
                    double sum = 0;
                    for (int c = 0; c < k; c++) {
                        double e = Math.exp((double) margins[r + c] + params[bias + c] - max);
                        shifted[c] = e;
                        sum += e;
                    }
                    lossSum += w * (max + Math.log(sum) - ((double) margins[r + label] + params[bias + label]));
                    hits += arg == label ? 1 : 0;
                    for (int c = 0; c < k; c++) {
                        margins[r + c] = (float) (w * (shifted[c] / sum - (c == label ? 1 : 0)));
                    }
                }
                default -> throw new IllegalArgumentException("loss: " + loss.id()
                        + " (expected: mse, binary-cross-entropy or cross-entropy)");
            }
        }
        blockLoss = lossSum;
        blockHits = hits;
    }

    /**
     * The least-squares system of a linear model ({@code outputs == 1}): {@code (X'WX / sum w + l2 I) theta =
     * X'Wy / sum w} over the features and an intercept column, the intercept unpenalised. Returns the parameters,
     * or null when the system is singular to working precision.
     */
    public double[] solveNormalEquations() {
        if (loss != Loss.MSE || outputs != 1) {
            throw new IllegalStateException("the normal equations solve least squares with one output");
        }
        int m = features + 1;
        int slot = m * m + m;
        double[] buffer = new double[slot * blockCount];
        for (Block b : local) {
            gram(b, buffer, b.index() * slot, m);
        }
        exchange.sum(buffer);
        double[] a = new double[m * m];
        double[] rhs = new double[m];
        for (int k = 0; k < blockCount; k++) {
            int off = k * slot;
            for (int i = 0; i < m * m; i++) {
                a[i] += buffer[off + i];
            }
            for (int i = 0; i < m; i++) {
                rhs[i] += buffer[off + m * m + i];
            }
        }
        // The blocks filled the upper triangle; the factorisation reads the lower one.
        for (int i = 0; i < m; i++) {
            for (int j = i; j < m; j++) {
                double v = a[i * m + j] / weightSum + (i == j && i < features ? l2 : 0);
                a[i * m + j] = v;
                a[j * m + i] = v;
            }
            rhs[i] /= weightSum;
        }
        return Cholesky.solve(a, rhs, m);
    }

    /** Rows of a block whose Gram contributions are made together (each Gram row then stays in cache). */
    private static final int GRAM_ROWS = 64;

    /**
     * A block's upper-triangular {@code A'WA} (A = [X 1]) and {@code A'Wy} from {@code out[off]} on. Every entry is
     * summed over the block's rows in row order, {@link #GRAM_ROWS} rows at a time so that a row of the d x d
     * matrix is read once per chunk rather than once per row.
     */
    private static void gram(Block b, double[] out, int off, int m) {
        int d = m - 1;
        int rhs = off + m * m;
        int n = b.x().rows();
        double[] chunk = new double[GRAM_ROWS * m];
        double[] weight = new double[GRAM_ROWS];
        for (int start = 0; start < n; start += GRAM_ROWS) {
            int rows = Math.min(GRAM_ROWS, n - start);
            java.util.Arrays.fill(chunk, 0);
            for (int t = 0; t < rows; t++) {
                int i = start + t;
                if (b.x() instanceof FloatMatrix dense) {
                    float[] data = dense.data();
                    for (int j = 0; j < d; j++) {
                        chunk[t * m + j] = data[i * d + j];
                    }
                } else {
                    CsrMatrix s = (CsrMatrix) b.x();
                    for (int q = s.rowStart(i), end = s.rowStart(i + 1); q < end; q++) {
                        chunk[t * m + s.columnAt(q)] = s.valueAt(q);
                    }
                }
                chunk[t * m + d] = 1;
                weight[t] = b.w() == null ? 1 : b.w()[i];
                double wy = weight[t] * b.y()[i];
                for (int j = 0; j < m; j++) {
                    out[rhs + j] += wy * chunk[t * m + j];
                }
            }
            int j = 0;
            for (; j + 4 <= m; j += 4) {
                gramRows4(chunk, weight, rows, m, j, out, off);
            }
            for (; j < m; j++) {
                int at = off + j * m;
                for (int t = 0; t < rows; t++) {
                    double v = weight[t] * chunk[t * m + j];
                    int row = t * m;
                    for (int q = j; q < m; q++) {
                        out[at + q] += v * chunk[row + q];
                    }
                }
            }
        }
    }

    /**
     * Rows {@code j..j+3} of the Gram matrix's upper triangle over a chunk: each chunk row's value is loaded once
     * for four products (the loop a single row would take, four times over), each entry still summed in row order.
     */
    private static void gramRows4(double[] chunk, double[] weight, int rows, int m, int j, double[] out, int off) {
        int a0 = off + j * m;
        int a1 = a0 + m;
        int a2 = a1 + m;
        int a3 = a2 + m;
        for (int t = 0; t < rows; t++) {
            int row = t * m;
            double v0 = weight[t] * chunk[row + j];
            double v1 = weight[t] * chunk[row + j + 1];
            double v2 = weight[t] * chunk[row + j + 2];
            double v3 = weight[t] * chunk[row + j + 3];
            if (v0 == 0 && v1 == 0 && v2 == 0 && v3 == 0) {
                continue;
            }
            // The triangle's corner: row j + i starts at column j + i.
            out[a0 + j] += v0 * chunk[row + j];
            out[a0 + j + 1] += v0 * chunk[row + j + 1];
            out[a0 + j + 2] += v0 * chunk[row + j + 2];
            out[a1 + j + 1] += v1 * chunk[row + j + 1];
            out[a1 + j + 2] += v1 * chunk[row + j + 2];
            out[a2 + j + 2] += v2 * chunk[row + j + 2];
            for (int q = j + 3; q < m; q++) {
                double c = chunk[row + q];
                out[a0 + q] += v0 * c;
                out[a1 + q] += v1 * c;
                out[a2 + q] += v2 * c;
                out[a3 + q] += v3 * c;
            }
        }
    }

    private static double weightSum(Block b) {
        if (b.w() == null) {
            return b.x().rows();
        }
        double s = 0;
        for (float v : b.w()) {
            s += v;
        }
        return s;
    }
}
