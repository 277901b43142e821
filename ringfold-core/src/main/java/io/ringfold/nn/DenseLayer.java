package io.ringfold.nn;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.tensor.PackedMatrix;

/**
 * {@code y = x W + b} with W {@code fanIn x units} row-major then b, at the layer's offset. As the first layer
 * its input may be sparse ({@link InputKernels}). The same products and the same order of additions as the
 * dense networks Ringfold trained before layers existed, so their models predict and train to the same bits.
 */
final class DenseLayer extends Layer {

    private final int units;

    DenseLayer(Network.Node node) {
        super(node);
        this.units = node.spec().intValue("units");
    }

    private int weights() {
        return node.paramOffset();
    }

    private int bias() {
        return node.paramOffset() + in() * units;
    }

    @Override
    boolean acceptsSparse() {
        return true;
    }

    @Override
    void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        InputKernels.multiply(run.blas(), x, rows, params, weights(), units, y);
        addBias(y, rows, params);
    }

    @Override
    void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy, float[] dx,
                  float[] grad) {
        if (run.measuresNorms()) {
            addExampleNormSquares(x, rows, dy, run.normSquares());
        } else {
            InputKernels.transposeMultiply(run.blas(), x, rows, dy, units, grad, weights());
            columnSums(dy, rows, grad, bias());
        }
        if (dx != null) {
            // dx = dy · Wᵀ
            run.blas().sgemm(false, true, rows, in(), units, 1f, dy, 0, units, params, weights(), units, 0f, dx, 0, in());
        }
    }

    /**
     * Example r's weight gradient is the outer product {@code x_r ⊗ dy_r} and its bias gradient {@code dy_r}, so
     * its squared norm is {@code (||x_r||² + 1) ||dy_r||²} without forming either: the "ghost norm" of a layer
     * whose input has one position per example (Goodfellow 2015; Li et al. 2022).
     */
    private void addExampleNormSquares(Matrix x, int rows, float[] dy, double[] normSquares) {
        for (int r = 0; r < rows; r++) {
            double g = 0;
            int base = r * units;
            for (int c = 0; c < units; c++) {
                g += (double) dy[base + c] * dy[base + c];
            }
            normSquares[r] += (InputKernels.rowNormSquare(x, r) + 1) * g;
        }
    }

    @Override
    Object prepare(float[] params) {
        return PackedMatrix.of(in(), units, params, weights(), units);
    }

    @Override
    void predict(Run run, Object prepared, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        PackedMatrix w = (PackedMatrix) prepared;
        if (x instanceof FloatMatrix d && d.cols() == in()) {
            run.blas().sgemmRowInvariant(rows, d.data(), 0, in(), w, y, 0, units);
        } else {
            x.multiplyRowInvariant(run.blas(), rows, w, y);
        }
        addBias(y, rows, params);
    }

    @Override
    void initialize(float[] params, SplitMix64 rng, InitRule rule) {
        if (rule == InitRule.ZERO) {
            return;
        }
        int fanIn = in();
        double limit = rule == InitRule.HE ? Math.sqrt(6.0 / fanIn) : Math.sqrt(6.0 / (fanIn + units));
        int off = weights();
        for (int i = 0; i < fanIn * units; i++) {
            params[off + i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
        }
    }

    private void addBias(float[] y, int rows, float[] params) {
        int off = bias();
        for (int r = 0; r < rows; r++) {
            int base = r * units;
            for (int c = 0; c < units; c++) {
                y[base + c] += params[off + c];
            }
        }
    }

    private void columnSums(float[] x, int rows, float[] out, int off) {
        java.util.Arrays.fill(out, off, off + units, 0f);
        for (int r = 0; r < rows; r++) {
            int base = r * units;
            for (int c = 0; c < units; c++) {
                out[off + c] += x[base + c];
            }
        }
    }
}
