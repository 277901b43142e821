package io.ringfold.nn;

import io.ringfold.tensor.Kernels;

/**
 * The loss of a batch from its logits, in a stable form: the summed loss, the hits, the logits turned into
 * outputs (probabilities or values) in place and the gradient of the summed loss for the logits. Shared by
 * the whole network's backpropagation and the last stage of a pipeline, so both give the same bits.
 */
final class OutputLoss {

    /** The last {@link #apply}'s summed loss. */
    double loss;
    /** The last {@link #apply}'s correctly classified rows (0 for regression). */
    int hits;

    /** Loss from the logits, logits turned into outputs in place, and delta = dLoss/dLogits. */
    void apply(Network net, float[] out, int rows, float[] targets, float[] delta) {
        int k = net.outputs();
        double loss = 0;
        int hits = 0;
        switch (net.loss()) {
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
        this.loss = loss;
        this.hits = hits;
    }
}
