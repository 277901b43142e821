package io.ringfold.dpsgd;

import io.ringfold.nn.Backpropagation;
import io.ringfold.nn.Network;
import io.ringfold.nn.TrainingContext;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/**
 * The clipped gradient sum of a Poisson sample, whatever its size: the sample is taken in chunks of at most
 * the capacity's rows, each through {@link Backpropagation#computeClipped}, and the chunks' sums added in
 * order. Clipping is per example, so chunking changes what is summed by nothing but float rounding, and the
 * chunks depend only on the sample, never on the worker count. Not thread-safe: one per worker.
 */
public final class ClippedSum {

    private final Backpropagation bp;
    private final int capacity;
    private final float[] chunk;
    private final int[] examples;
    private final float[] labels;
    private FloatMatrix buffer;
    private int correct;

    /** For batches of {@code net} taken {@code capacity} rows at a time. */
    public ClippedSum(Network net, int capacity) {
        this.bp = new Backpropagation(net, capacity);
        this.capacity = capacity;
        this.chunk = new float[net.parameterCount()];
        this.examples = new int[capacity];
        this.labels = new float[capacity];
    }

    /** The rows a sample of {@code batch} expected examples is taken in at a time: its mean plus six deviations. */
    public static int capacityFor(double expectedRows) {
        return (int) Math.max(1, Math.ceil(expectedRows + 6 * Math.sqrt(expectedRows) + 1));
    }

    /**
     * Overwrites {@code grad} with the sum over rows {@code index[0, count)} of {@code x} (targets in {@code y})
     * of each row's gradient clipped to L2 norm {@code clip}; {@code global[i]} is row {@code index[i]}'s index in
     * the training data (for dropout's masks). Returns the summed loss; {@link #correct} the hits.
     */
    public double compute(Blas blas, float[] params, Matrix x, float[] y, int[] index, int[] global, int count,
                          long seed, long step, double clip, float[] grad) {
        int p = chunk.length;
        if (count == 0) {
            java.util.Arrays.fill(grad, 0, p, 0f);
            correct = 0;
            return 0;
        }
        if (buffer == null) {
            buffer = x.batchBuffer(capacity);
        }
        double loss = 0;
        int hits = 0;
        for (int from = 0; from < count; from += capacity) {
            int rows = Math.min(capacity, count - from);
            for (int i = 0; i < rows; i++) {
                labels[i] = y[index[from + i]];
                examples[i] = global[from + i];
            }
            Matrix xb = x.batch(index, from, from + rows, buffer);
            float[] target = from == 0 ? grad : chunk;
            loss += bp.computeClipped(blas, params, xb, rows, labels, target, new TrainingContext(seed, step, examples),
                    clip);
            hits += bp.correct();
            if (from > 0) {
                for (int i = 0; i < p; i++) {
                    grad[i] += chunk[i];
                }
            }
        }
        correct = hits;
        return loss;
    }

    /** Correct predictions in the last {@link #compute}. */
    public int correct() {
        return correct;
    }
}
