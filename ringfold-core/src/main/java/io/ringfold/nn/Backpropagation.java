package io.ringfold.nn;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.Matrix;

/**
 * Loss and gradient of a network on one batch: the training forward pass, the loss from the logits in a
 * stable form, then backpropagation through every layer into a flat gradient laid out like the parameters.
 * The gradient is that of the SUM of per-example losses, so gradients of disjoint batches (or logical shards)
 * add up exactly to the gradient of their union; the trainer divides by the batch size. Batch normalisation's
 * running statistics get their shard's contribution in their entries instead of a gradient (see
 * {@link Network#bufferMask()}). Not thread-safe: one per worker.
 */
public final class Backpropagation {

    private final Network net;
    private final ForwardPass forward;
    private final float[][] deltas;
    private final OutputLoss outputLoss = new OutputLoss();
    private double lossSum;
    private int correct;
    /** Per-example squared gradient norms of the last {@link #computeClipped}; null until then. */
    private double[] normSquares;

    public Backpropagation(Network net, int maxRows) {
        this.net = net;
        this.forward = new ForwardPass(net, maxRows);
        this.deltas = new float[forward.layers.length][];
        for (int i = 0; i < deltas.length; i++) {
            deltas[i] = new float[Math.multiplyExact(maxRows, forward.layers[i].out())];
        }
    }

    public Network network() {
        return net;
    }

    /** Summed loss of the last {@link #compute} or {@link #loss} call. */
    public double lossSum() {
        return lossSum;
    }

    /** Correctly classified rows in the last call (0 for regression). */
    public int correct() {
        return correct;
    }

    /** The forward buffers: after a call, the output holds probabilities or values. */
    public ForwardPass forwardPass() {
        return forward;
    }

    /**
     * {@link #compute(Blas, float[], Matrix, int, float[], float[], TrainingContext)} for networks that draw no
     * random numbers in training (no dropout).
     */
    public double compute(Blas blas, float[] params, Matrix x, int rows, float[] targets, float[] grad) {
        return compute(blas, params, x, rows, targets, grad, null);
    }

    /**
     * Overwrites {@code grad[0, parameterCount)} with the gradient of the summed loss over rows {@code [0, rows)} of {@code x},
     * whose targets are {@code targets[0..rows)} (class indices for classification, already validated by the
     * caller). {@code context} gives dropout its seed, step and example indices. Returns the summed loss.
     */
    public double compute(Blas blas, float[] params, Matrix x, int rows, float[] targets, float[] grad,
                          TrainingContext context) {
        if (grad.length < net.parameterCount()) {
            throw new IllegalArgumentException("grad: " + grad.length + " (expected: at least " + net.parameterCount()
                    + ", the parameters)");
        }
        Run run = new Run(blas, Run.Mode.TRAIN, context);
        forward.run(run, params, null, x, rows);
        int last = deltas.length - 1;
        outputDelta(forward.output(), rows, targets, deltas[last]);
        backward(run, params, rows, grad);
        return lossSum;
    }

    /**
     * DP-SGD's clipped sum: overwrites {@code grad[0, parameterCount)} with {@code Σ_r c_r g_r} over rows
     * {@code [0, rows)}, where {@code g_r} is example r's gradient of its loss over the whole parameter vector and
     * {@code c_r = min(1, clip / ||g_r||)}, so every example adds at most {@code clip} in L2 norm. Returns the
     * summed (unclipped) loss.
     *
     * <p>Not one backward pass per example: one forward pass, then a backward pass in which each layer with
     * parameters adds its part of {@code ||g_r||²} from its input and its output's gradient ({@link Run#normSquares};
     * the dense layer's "ghost norm", the convolution's per-example product) instead of its batch gradient, then
     * the ordinary batched backward pass with each example's output gradient scaled by {@code c_r}. Every layer
     * that may appear in a private run computes example r's backward from example r's values alone, and
     * linearly in its output's gradient, so the second pass gives {@code Σ_r c_r g_r}. Batch normalisation mixes
     * the examples and is refused before training.
     */
    public double computeClipped(Blas blas, float[] params, Matrix x, int rows, float[] targets, float[] grad,
                                 TrainingContext context, double clip) {
        if (!(clip > 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("clip: " + clip + " (expected: > 0 and finite)");
        }
        if (grad.length < net.parameterCount()) {
            throw new IllegalArgumentException("grad: " + grad.length + " (expected: at least " + net.parameterCount()
                    + ", the parameters)");
        }
        if (normSquares == null) {
            normSquares = new double[forward.maxRows()];
        }
        java.util.Arrays.fill(normSquares, 0, rows, 0);
        Run train = new Run(blas, Run.Mode.TRAIN, context);
        forward.run(train, params, null, x, rows);
        int last = deltas.length - 1;
        outputDelta(forward.output(), rows, targets, deltas[last]);
        backward(new Run(blas, Run.Mode.TRAIN, context, normSquares), params, rows, grad);
        float[] delta = deltas[last];
        int outs = forward.layers[last].out();
        for (int r = 0; r < rows; r++) {
            float c = clipFactor(normSquares[r], clip);
            if (c != 1f) {
                for (int i = r * outs, end = i + outs; i < end; i++) {
                    delta[i] *= c;
                }
            }
        }
        backward(train, params, rows, grad);
        return lossSum;
    }

    /**
     * {@code min(1, clip / norm)} in float, the factor of an example of squared gradient norm {@code normSquare};
     * 1 for a zero gradient. Opacus divides by {@code norm + 1e-6}; dividing by the norm itself keeps the clipped
     * norm at most {@code clip} up to float rounding, which is what the privacy analysis assumes.
     */
    public static float clipFactor(double normSquare, double clip) {
        double norm = Math.sqrt(normSquare);
        return norm > clip ? (float) (clip / norm) : 1f;
    }

    /** Example r's gradient norm (before clipping) in the last {@link #computeClipped} call. */
    public double exampleNorm(int r) {
        return Math.sqrt(normSquares[r]);
    }

    private void backward(Run run, float[] params, int rows, float[] grad) {
        for (int i = deltas.length - 1; i >= 0; i--) {
            Matrix in = i == 0 ? forward.input : forward.outputs[i - 1];
            float[] dx = i == 0 ? null : deltas[i - 1];
            forward.layers[i].backward(run, forward.scratch[i], params, in, forward.outputs[i].data(), rows, deltas[i],
                    dx, grad);
        }
    }

    /**
     * The evaluation forward pass and loss only (no gradient), for validation and evaluation; afterwards the
     * output buffer holds probabilities or values and {@link #correct} counts the hits. Returns the summed loss.
     */
    public double loss(Blas blas, float[] params, Matrix x, int rows, float[] targets) {
        forward.forward(blas, params, x, rows);
        outputDelta(forward.output(), rows, targets, deltas[deltas.length - 1]);
        return lossSum;
    }

    private void outputDelta(float[] out, int rows, float[] targets, float[] delta) {
        outputLoss.apply(net, out, rows, targets, delta);
        lossSum = outputLoss.loss;
        correct = outputLoss.hits;
    }
}
