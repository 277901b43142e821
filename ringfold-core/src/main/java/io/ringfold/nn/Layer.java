package io.ringfold.nn;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Matrix;

/**
 * The computation of one placed layer ({@link Network.Node}): forward, backward, its batch-invariant
 * prediction, initialisation. Inputs arrive as a {@link Matrix} whose first {@code rows} rows are the batch
 * (the first layer may receive the data's sparse rows); outputs and gradients go into buffers of at least
 * {@code rows * size} values. A layer holds no state between calls but what its {@link #scratch} holds, which
 * belongs to one pass (one thread).
 */
abstract class Layer {

    final Network.Node node;

    Layer(Network.Node node) {
        this.node = node;
    }

    /** Whether the layer reads a sparse first input itself; others get the rows dense. */
    boolean acceptsSparse() {
        return false;
    }

    /** Per-pass memory for up to {@code maxRows} rows (masks, indices, statistics, inner buffers), or null. */
    Object scratch(int maxRows) {
        return null;
    }

    /** {@code y[0, rows)} from {@code x[0, rows)}. */
    abstract void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y);

    /**
     * Given {@code dy}, the gradient of the summed loss for the layer's output: the layer's parameter gradients
     * into {@code grad} (its range overwritten) and, unless {@code dx} is null, the gradient for its input.
     * Called after {@link #forward} on the same rows with the same scratch; {@code y} is that forward's output.
     */
    abstract void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy,
                           float[] dx, float[] grad);

    /** What the prediction path keeps for this layer (weights packed once), or null. */
    Object prepare(float[] params) {
        return null;
    }

    /**
     * The prediction forward: the model's function, an example's outputs the same bits whatever rows are
     * computed with it. Element-wise and per-example layers are that already.
     */
    void predict(Run run, Object prepared, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        forward(run, scratch, params, x, rows, y);
    }

    /** Initial parameters into the layer's range; {@code rng} is the layer's own stream. */
    void initialize(float[] params, SplitMix64 rng, InitRule rule) {
    }

    /** How weights start: He uniform before a ReLU-like activation, Glorot uniform otherwise, or zero (convex models). */
    enum InitRule { HE, GLOROT, ZERO }

    int in() {
        return node.in().size();
    }

    int out() {
        return node.out().size();
    }
}
