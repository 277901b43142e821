package io.ringfold.model;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.Kernels;
import io.ringfold.tensor.Matrix;
import io.ringfold.tensor.PackedMatrix;

/**
 * Reusable buffers for the forward pass of one {@link Architecture} over batches of up to
 * {@code maxRows} rows. After {@link #forward}, hidden layers hold their activated outputs and the
 * last layer holds raw outputs (logits), from which losses are computed stably; call
 * {@link #applyOutputActivation} to turn them into probabilities or values. Not thread-safe: one per
 * worker thread.
 */
public final class ForwardPass {

    private final Architecture arch;
    private final int maxRows;
    private final float[][] outputs;

    public ForwardPass(Architecture arch, int maxRows) {
        if (maxRows <= 0) {
            throw new IllegalArgumentException("maxRows: " + maxRows + " (expected: > 0)");
        }
        this.arch = arch;
        this.maxRows = maxRows;
        this.outputs = new float[arch.layerCount()][];
        for (int l = 0; l < outputs.length; l++) {
            outputs[l] = new float[Math.multiplyExact(maxRows, arch.fanOut(l))];
        }
    }

    public Architecture architecture() {
        return arch;
    }

    public int maxRows() {
        return maxRows;
    }

    /** Output buffer of layer l (rows × fanOut(l), row-major), valid after {@link #forward}. */
    public float[] layerOutput(int layer) {
        return outputs[layer];
    }

    /** The last layer's buffer: logits after {@link #forward}, probabilities/values after activation. */
    public float[] output() {
        return outputs[outputs.length - 1];
    }

    public void forward(Blas blas, float[] params, Matrix x, int rows) {
        layers(blas, params, null, x, rows);
    }

    /**
     * The prediction path: as {@link #forward}, but every product is {@link Blas#sgemmRowInvariant} on
     * {@code weights}, the layers' weights packed once ({@link Model} keeps them). The bias, the activations
     * and {@link #applyOutputActivation} work element by element or row by row, so a row's outputs have the
     * same bits whatever batch it is in, whatever its position there, and whichever {@code blas}.
     */
    public void forwardRowInvariant(Blas blas, float[] params, PackedMatrix[] weights, Matrix x, int rows) {
        if (weights.length != arch.layerCount()) {
            throw new IllegalArgumentException("weights: " + weights.length + " packed layers (expected: "
                    + arch.layerCount() + ")");
        }
        for (int l = 0; l < weights.length; l++) {
            if (weights[l].rows() != arch.fanIn(l) || weights[l].cols() != arch.fanOut(l)) {
                throw new IllegalArgumentException("weights of layer " + l + ": " + weights[l].rows() + "x"
                        + weights[l].cols() + " (expected: " + arch.fanIn(l) + "x" + arch.fanOut(l) + ")");
            }
        }
        layers(blas, params, weights, x, rows);
    }

    /** The layers with {@code blas.sgemm} on {@code params}, or with the row-invariant product on {@code packed}. */
    private void layers(Blas blas, float[] params, PackedMatrix[] packed, Matrix x, int rows) {
        if (rows > maxRows || rows > x.rows()) {
            throw new IllegalArgumentException("rows: " + rows + " (expected: <= " + Math.min(maxRows, x.rows()) + ")");
        }
        if (x.cols() != arch.inputs()) {
            throw new IllegalArgumentException("input width: " + x.cols() + " (expected: " + arch.inputs() + ")");
        }
        int last = arch.layerCount() - 1;
        for (int l = 0; l <= last; l++) {
            int n = arch.fanOut(l);
            float[] out = outputs[l];
            if (packed != null) {
                if (l == 0) {
                    x.multiplyRowInvariant(blas, rows, packed[0], out);
                } else {
                    blas.sgemmRowInvariant(rows, outputs[l - 1], 0, arch.fanIn(l), packed[l], out, 0, n);
                }
            } else if (l == 0) {
                InputKernels.multiply(blas, x, rows, params, arch.weightOffset(0), n, out);
            } else {
                int k = arch.fanIn(l);
                blas.sgemm(false, false, rows, n, k, 1f, outputs[l - 1], 0, k, params, arch.weightOffset(l), n,
                        0f, out, 0, n);
            }
            addBias(out, rows, n, params, arch.biasOffset(l));
            if (l < last) {
                arch.activation().apply(out, rows * n);
            }
        }
    }

    /** Softmax, sigmoid or identity on the last layer's rows, in place. */
    public void applyOutputActivation(int rows) {
        float[] out = output();
        switch (arch.loss()) {
            case CROSS_ENTROPY -> Kernels.softmaxRows(out, rows, arch.outputs());
            case BINARY_CROSS_ENTROPY -> Kernels.sigmoid(out, rows);
            case MSE -> { }
        }
    }

    private static void addBias(float[] x, int rows, int cols, float[] params, int off) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                x[base + c] += params[off + c];
            }
        }
    }
}
