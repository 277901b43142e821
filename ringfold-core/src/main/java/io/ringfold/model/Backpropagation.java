package io.ringfold.model;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.Kernels;
import io.ringfold.tensor.Matrix;

import java.util.Arrays;

/**
 * Loss and gradient of a dense network on one batch: forward pass, loss from the logits in a stable
 * form, then backpropagation into a flat gradient laid out like the parameters. The gradient is that
 * of the SUM of per-example losses, so gradients of disjoint batches (or shards) add up exactly to the
 * gradient of their union; the trainer divides by the batch size. Not thread-safe: one per worker.
 */
public final class Backpropagation {

    private final Architecture arch;
    private final ForwardPass forward;
    private final float[][] deltas;
    private double lossSum;
    private int correct;

    public Backpropagation(Architecture arch, int maxRows) {
        this.arch = arch;
        this.forward = new ForwardPass(arch, maxRows);
        this.deltas = new float[arch.layerCount()][];
        for (int l = 0; l < deltas.length; l++) {
            deltas[l] = new float[maxRows * arch.fanOut(l)];
        }
    }

    /** Summed loss of the last {@link #compute} call. */
    public double lossSum() {
        return lossSum;
    }

    /** Correctly classified rows in the last {@link #compute} call (0 for regression). */
    public int correct() {
        return correct;
    }

    /** The forward buffers: after {@link #compute}, the output holds probabilities or values. */
    public ForwardPass forwardPass() {
        return forward;
    }

    /**
     * Overwrites {@code grad} with the gradient of the summed loss over rows {@code [0, rows)} of
     * {@code x}, whose targets are {@code targets[0..rows)} (class indices for classification, already
     * validated by the caller). Returns the summed loss.
     */
    public double compute(Blas blas, float[] params, Matrix x, int rows, float[] targets, float[] grad) {
        forward.forward(blas, params, x, rows);
        int last = arch.layerCount() - 1;
        outputDelta(forward.output(), rows, targets, deltas[last]);
        for (int l = last; l >= 0; l--) {
            int n = arch.fanOut(l);
            float[] delta = deltas[l];
            if (l == 0) {
                InputKernels.transposeMultiply(blas, x, rows, delta, n, grad, arch.weightOffset(0));
            } else {
                int k = arch.fanIn(l);
                blas.sgemm(true, false, k, n, rows, 1f, forward.layerOutput(l - 1), 0, k, delta, 0, n,
                        0f, grad, arch.weightOffset(l), n);
                // delta_{l-1} = delta_l · W_lᵀ, then times the activation's derivative.
                float[] prev = deltas[l - 1];
                blas.sgemm(false, true, rows, k, n, 1f, delta, 0, n, params, arch.weightOffset(l), n,
                        0f, prev, 0, k);
                arch.activation().backward(forward.layerOutput(l - 1), prev, rows * k);
            }
            columnSums(delta, rows, n, grad, arch.biasOffset(l));
        }
        return lossSum;
    }

    /**
     * Forward pass and loss only (no gradient), for validation and evaluation; afterwards the output
     * buffer holds probabilities or values and {@link #correct} counts the hits. Returns the summed loss.
     */
    public double loss(Blas blas, float[] params, Matrix x, int rows, float[] targets) {
        forward.forward(blas, params, x, rows);
        outputDelta(forward.output(), rows, targets, deltas[arch.layerCount() - 1]);
        return lossSum;
    }

    /** Loss from the logits, logits turned into outputs in place, and delta = dLoss/dLogits. */
    private void outputDelta(float[] out, int rows, float[] targets, float[] delta) {
        int k = arch.outputs();
        double loss = 0;
        int hits = 0;
        switch (arch.loss()) {
            case CROSS_ENTROPY -> {
                for (int r = 0; r < rows; r++) {
                    int base = r * k;
                    int t = (int) targets[r];
                    int best = Kernels.argmax(out, base, k);
                    if (best == t) {
                        hits++;
                    }
                    // Max-shifted: exp never overflows, and log(sum) + max - z_t is the stable
                    // cross-entropy. One exp per logit, summed in double.
                    float max = out[base + best];
                    double sum = 0;
                    for (int c = 0; c < k; c++) {
                        float e = (float) Math.exp(out[base + c] - max);
                        delta[base + c] = e;
                        sum += e;
                    }
                    loss += Math.log(sum) + max - out[base + t];
                    float inv = (float) (1.0 / sum);
                    for (int c = 0; c < k; c++) {
                        float p = delta[base + c] * inv;
                        out[base + c] = p;
                        delta[base + c] = c == t ? p - 1f : p;
                    }
                }
            }
            case BINARY_CROSS_ENTROPY -> {
                for (int r = 0; r < rows; r++) {
                    float z = out[r];
                    float t = targets[r];
                    loss += Kernels.softplus(z) - (double) t * z;
                    float p = Kernels.sigmoid(z);
                    if ((p >= 0.5f) == (t >= 0.5f)) {
                        hits++;
                    }
                    out[r] = p;
                    delta[r] = p - t;
                }
            }
            case MSE -> {
                // Mean over outputs per example, as PyTorch's MSELoss averages over all elements.
                float scale = 2f / k;
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < k; c++) {
                        int i = r * k + c;
                        float diff = out[i] - targets[r];
                        loss += (double) diff * diff / k;
                        delta[i] = scale * diff;
                    }
                }
            }
        }
        lossSum = loss;
        correct = hits;
    }

    private static void columnSums(float[] x, int rows, int cols, float[] out, int off) {
        Arrays.fill(out, off, off + cols, 0f);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                out[off + c] += x[base + c];
            }
        }
    }
}
