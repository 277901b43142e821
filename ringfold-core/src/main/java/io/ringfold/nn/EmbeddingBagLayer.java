package io.ringfold.nn;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.tensor.PackedMatrix;

/**
 * The sum or mean of a text's token embeddings, PyTorch's {@code EmbeddingBag}. Its input is the text's token
 * counts over the vocabulary (a sparse row; see the text columns of io.ringfold.data), so the sum is the
 * counts times the table (vocabulary x dim) and the mean divides it by the number of tokens; a text with no
 * token gives zeros. The table's gradient touches only the rows of tokens present. First layer only.
 */
final class EmbeddingBagLayer extends Layer {

    private final int dim;
    private final boolean mean;

    EmbeddingBagLayer(Network.Node node) {
        super(node);
        this.dim = node.spec().intValue("dim");
        this.mean = node.spec().word("mode").equals("mean");
    }

    /** Per row: 1/tokens for the mean (0 for an empty text), 1 for the sum. */
    @Override
    Object scratch(int maxRows) {
        return new float[maxRows];
    }

    @Override
    boolean acceptsSparse() {
        return true;
    }

    @Override
    void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        InputKernels.multiply(run.blas(), x, rows, params, node.paramOffset(), dim, y);
        scaleRows(x, rows, y, (float[]) scratch);
    }

    @Override
    void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy, float[] dx,
                  float[] grad) {
        float[] scale = (float[]) scratch;
        if (mean) {
            // dTable = xᵀ · (dy / tokens); dy is the caller's, so scale it in place and restore nothing: the
            // layer is first, its dy is not read again.
            for (int r = 0; r < rows; r++) {
                float s = scale[r];
                int base = r * dim;
                for (int c = 0; c < dim; c++) {
                    dy[base + c] *= s;
                }
            }
        }
        if (run.measuresNorms()) {
            // Example r's table gradient has row v = x_rv · dy_r (dy already divided by the tokens): its
            // squared norm is ||x_r||² ||dy_r||², each token's row counted once.
            double[] sq = run.normSquares();
            for (int r = 0; r < rows; r++) {
                double g = 0;
                int base = r * dim;
                for (int c = 0; c < dim; c++) {
                    g += (double) dy[base + c] * dy[base + c];
                }
                sq[r] += InputKernels.rowNormSquare(x, r) * g;
            }
            return;
        }
        InputKernels.transposeMultiply(run.blas(), x, rows, dy, dim, grad, node.paramOffset());
    }

    @Override
    Object prepare(float[] params) {
        return PackedMatrix.of(in(), dim, params, node.paramOffset(), dim);
    }

    @Override
    void predict(Run run, Object prepared, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        x.multiplyRowInvariant(run.blas(), rows, (PackedMatrix) prepared, y);
        scaleRows(x, rows, y, (float[]) scratch);
    }

    private void scaleRows(Matrix x, int rows, float[] y, float[] scale) {
        for (int r = 0; r < rows; r++) {
            float s = 1f;
            if (mean) {
                double tokens = tokens(x, r);
                s = tokens > 0 ? (float) (1.0 / tokens) : 0f;
                int base = r * dim;
                for (int c = 0; c < dim; c++) {
                    y[base + c] *= s;
                }
            }
            scale[r] = s;
        }
    }

    /** The row's token count: the sum of its counts. */
    private static double tokens(Matrix x, int r) {
        double sum = 0;
        if (x instanceof CsrMatrix s) {
            for (int p = s.rowStart(r), end = s.rowStart(r + 1); p < end; p++) {
                sum += s.valueAt(p);
            }
        } else {
            FloatMatrix d = (FloatMatrix) x;
            float[] data = d.data();
            int cols = d.cols();
            for (int c = 0; c < cols; c++) {
                sum += data[r * cols + c];
            }
        }
        return sum;
    }

    @Override
    void initialize(float[] params, SplitMix64 rng, InitRule rule) {
        initialRows(rng, dim, 0, in(), params, node.paramOffset());
    }

    /**
     * Rows {@code [from, to)} of a {@code dim}-wide table as {@link #initialize} draws them from {@code rng}
     * (positioned at the table's start), into {@code out[at..]}: N(0, 1), as PyTorch's nn.EmbeddingBag. The
     * rows before {@code from} are skipped, not drawn, so a worker holding part of the table makes only its rows.
     */
    static void initialRows(SplitMix64 rng, int dim, int from, int to, float[] out, int at) {
        rng.skip(2L * from * dim); // two draws per Gaussian
        int n = (to - from) * dim;
        for (int i = 0; i < n; i++) {
            out[at + i] = (float) rng.nextGaussian();
        }
    }
}
