package io.ringfold.nn;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Kernels;
import io.ringfold.tensor.Matrix;

/**
 * Reusable buffers for forward passes of one {@link Network} over batches of up to {@code maxRows} rows. After
 * a pass each layer's buffer holds its output and the last one the raw outputs (logits), from which losses are
 * computed stably; {@link #applyOutputActivation} turns them into probabilities or values. Three kinds of pass:
 * training ({@link Backpropagation} runs it: dropout, batch statistics), evaluation ({@link #forward}: the
 * model's function with the training products) and prediction ({@link #predict}: the model's function through
 * batch-invariant kernels). Not thread-safe: one per thread.
 */
public final class ForwardPass {

    private final Network net;
    private final int maxRows;
    final Layer[] layers;
    final FloatMatrix[] outputs;
    final Object[] scratch;
    /** The last pass's input as the first layer saw it: {@code x}, or its rows made dense in {@link #denseInput}. */
    Matrix input;
    private FloatMatrix denseInput;

    public ForwardPass(Network net, int maxRows) {
        if (maxRows <= 0) {
            throw new IllegalArgumentException("maxRows: " + maxRows + " (expected: > 0)");
        }
        this.net = net;
        this.maxRows = maxRows;
        this.layers = Layers.build(net.nodes());
        this.outputs = new FloatMatrix[layers.length];
        this.scratch = new Object[layers.length];
        for (int i = 0; i < layers.length; i++) {
            outputs[i] = new FloatMatrix(maxRows, layers[i].out());
            scratch[i] = layers[i].scratch(maxRows);
        }
    }

    public Network network() {
        return net;
    }

    public int maxRows() {
        return maxRows;
    }

    /** Output buffer of layer {@code i} (rows x its output size, row-major), valid after a pass. */
    public float[] layerOutput(int i) {
        return outputs[i].data();
    }

    /** The last layer's buffer: logits after a pass, probabilities or values after {@link #applyOutputActivation}. */
    public float[] output() {
        return outputs[outputs.length - 1].data();
    }

    /** The evaluation pass: the model's function (no dropout; batch normalisation by its running statistics). */
    public void forward(Blas blas, float[] params, Matrix x, int rows) {
        run(new Run(blas, Run.Mode.EVALUATE, null), params, null, x, rows);
    }

    /**
     * The prediction pass: the evaluation pass through kernels whose result for a row does not depend on the
     * other rows nor on its position ({@link Blas#sgemmRowInvariant} on {@code prepared}'s packed weights), so
     * an example gets the same bits alone or in any batch.
     */
    public void predict(Blas blas, float[] params, Prepared prepared, Matrix x, int rows) {
        if (!prepared.network().equals(net)) {
            throw new IllegalArgumentException("prepared: for " + prepared.network().describe() + " (expected: "
                    + net.describe() + ")");
        }
        run(new Run(blas, Run.Mode.PREDICT, null), params, prepared.layers(), x, rows);
    }

    void run(Run run, float[] params, Object[] prepared, Matrix x, int rows) {
        if (rows > maxRows || rows > x.rows()) {
            throw new IllegalArgumentException("rows: " + rows + " (expected: <= " + Math.min(maxRows, x.rows()) + ")");
        }
        if (x.cols() != net.inputSize()) {
            throw new IllegalArgumentException("input width: " + x.cols() + " (expected: " + net.inputSize()
                    + ", the network's input " + net.input() + ")");
        }
        if (params.length != net.parameterCount()) {
            throw new IllegalArgumentException("parameters: " + params.length + " (expected: " + net.parameterCount()
                    + " for " + net.describe() + ")");
        }
        Matrix in = layers[0].acceptsSparse() || x instanceof FloatMatrix ? x : dense((CsrMatrix) x, rows);
        input = in;
        for (int i = 0; i < layers.length; i++) {
            if (prepared != null) {
                layers[i].predict(run, prepared[i], scratch[i], params, in, rows, outputs[i].data());
            } else {
                layers[i].forward(run, scratch[i], params, in, rows, outputs[i].data());
            }
            in = outputs[i];
        }
    }

    /** Rows {@code [0, rows)} of a sparse input, dense, for a first layer that reads its input as a tensor. */
    private FloatMatrix dense(CsrMatrix x, int rows) {
        if (denseInput == null) {
            denseInput = new FloatMatrix(maxRows, net.inputSize());
        }
        return denseRows(x, rows, denseInput);
    }

    /** Rows {@code [0, rows)} of {@code x} written dense into {@code into}'s first rows; returns {@code into}. */
    static FloatMatrix denseRows(CsrMatrix x, int rows, FloatMatrix into) {
        float[] d = into.data();
        int width = into.cols();
        java.util.Arrays.fill(d, 0, rows * width, 0f);
        for (int r = 0; r < rows; r++) {
            for (int p = x.rowStart(r); p < x.rowStart(r + 1); p++) {
                d[r * width + x.columnAt(p)] = x.valueAt(p);
            }
        }
        return into;
    }

    /** Softmax, sigmoid or identity on the last layer's rows, in place. */
    public void applyOutputActivation(int rows) {
        float[] out = output();
        switch (net.loss()) {
            case CROSS_ENTROPY -> Kernels.softmaxRows(out, rows, net.outputs());
            case BINARY_CROSS_ENTROPY -> Kernels.sigmoid(out, rows);
            case MSE -> { }
        }
    }
}
