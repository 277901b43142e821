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
        for (int i = last; i >= 0; i--) {
            Matrix in = i == 0 ? forward.input : forward.outputs[i - 1];
            float[] dx = i == 0 ? null : deltas[i - 1];
            forward.layers[i].backward(run, forward.scratch[i], params, in, forward.outputs[i].data(), rows, deltas[i],
                    dx, grad);
        }
        return lossSum;
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
