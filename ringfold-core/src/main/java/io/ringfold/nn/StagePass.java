package io.ringfold.nn;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/**
 * One shard's trip through a {@link NetworkStage}: the training forward pass, the loss (on the last stage),
 * and the backward pass, with the buffers they need kept between the two (a pipeline holds one per shard in
 * flight). What {@link Backpropagation} does for the whole network, restricted to the stage's layers: the
 * stage's input arrives in {@link #inputBuffer()} (the previous stage's output) unless the stage is first, the
 * gradient for its output in {@link #outputGradient()} unless it is last, and the gradient for its input is
 * left in {@link #inputGradient()} for the previous stage. Not thread-safe.
 */
public final class StagePass {

    private final NetworkStage stage;
    private final int maxRows;
    private final Layer[] layers;
    private final FloatMatrix[] outputs;
    private final Object[] scratch;
    private final float[][] deltas;
    /** The previous stage's output, for a stage that is not first; else null. */
    private final FloatMatrix received;
    /** The gradient for the stage's input, for a stage that is not first; else null. */
    private final float[] inputGradient;
    private final OutputLoss outputLoss = new OutputLoss();
    private FloatMatrix denseInput;
    private Matrix input;
    private Run run;
    private int rows = -1;

    StagePass(NetworkStage stage, int maxRows) {
        if (maxRows <= 0) {
            throw new IllegalArgumentException("maxRows: " + maxRows + " (expected: > 0)");
        }
        this.stage = stage;
        this.maxRows = maxRows;
        this.layers = Layers.build(stage.nodes());
        this.outputs = new FloatMatrix[layers.length];
        this.scratch = new Object[layers.length];
        this.deltas = new float[layers.length][];
        for (int i = 0; i < layers.length; i++) {
            outputs[i] = new FloatMatrix(maxRows, layers[i].out());
            scratch[i] = layers[i].scratch(maxRows);
            deltas[i] = new float[Math.multiplyExact(maxRows, layers[i].out())];
        }
        this.received = stage.isFirst() ? null : new FloatMatrix(maxRows, stage.inputWidth());
        this.inputGradient = stage.isFirst() ? null : new float[Math.multiplyExact(maxRows, stage.inputWidth())];
    }

    public NetworkStage stage() {
        return stage;
    }

    public int maxRows() {
        return maxRows;
    }

    /** Where the previous stage's output goes before {@link #forward} ({@code rows x inputWidth}, row-major). */
    public float[] inputBuffer() {
        if (received == null) {
            throw new IllegalStateException("the first stage reads the data (expected: forward(x) with the batch)");
        }
        return received.data();
    }

    /** The stage's output after {@link #forward}: the next stage's input, or the logits on the last stage. */
    public float[] output() {
        return outputs[outputs.length - 1].data();
    }

    /** Where the next stage's gradient for this stage's output goes before {@link #backward}. */
    public float[] outputGradient() {
        return deltas[deltas.length - 1];
    }

    /** The gradient for the stage's input after {@link #backward}, for the previous stage. */
    public float[] inputGradient() {
        if (inputGradient == null) {
            throw new IllegalStateException("the first stage has no input gradient to send");
        }
        return inputGradient;
    }

    /**
     * The training forward pass of {@code rows} rows: of {@code x} on the first stage, of {@link #inputBuffer()}
     * on the others ({@code x} null). {@code context} gives dropout the step and example indices.
     */
    public void forward(Blas blas, float[] params, Matrix x, int rows, TrainingContext context) {
        pass(new Run(blas, Run.Mode.TRAIN, context), params, x, rows);
    }

    /** The evaluation forward pass (no dropout, running statistics), as {@link #forward}. */
    public void evaluate(Blas blas, float[] params, Matrix x, int rows) {
        pass(new Run(blas, Run.Mode.EVALUATE, null), params, x, rows);
    }

    private void pass(Run run, float[] params, Matrix x, int rows) {
        if (params.length != stage.parameterCount()) {
            throw new IllegalArgumentException("parameters: " + params.length + " (expected: "
                    + stage.parameterCount() + " for " + stage.describe() + ")");
        }
        Matrix in;
        if (stage.isFirst()) {
            if (x == null) {
                throw new IllegalArgumentException("x: null (expected: the batch, for the first stage)");
            }
            if (x.cols() != stage.inputWidth()) {
                throw new IllegalArgumentException("input width: " + x.cols() + " (expected: " + stage.inputWidth() + ")");
            }
            in = layers[0].acceptsSparse() || x instanceof FloatMatrix ? x : dense((CsrMatrix) x, rows);
        } else {
            if (x != null) {
                throw new IllegalArgumentException("x: given (expected: null; a later stage reads inputBuffer())");
            }
            in = received;
        }
        if (rows > maxRows || rows > in.rows()) {
            throw new IllegalArgumentException("rows: " + rows + " (expected: <= " + Math.min(maxRows, in.rows()) + ")");
        }
        this.run = run;
        this.rows = rows;
        this.input = in;
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(run, scratch[i], params, in, rows, outputs[i].data());
            in = outputs[i];
        }
    }

    /**
     * On the last stage, after {@link #forward}: the summed loss of the rows for {@code targets}, the logits
     * turned into outputs and their gradient into {@link #outputGradient()}. Returns the summed loss.
     */
    public double loss(float[] targets) {
        if (!stage.isLast()) {
            throw new IllegalStateException("loss: " + stage.describe() + " is not the last stage");
        }
        outputLoss.apply(stage.network(), output(), rows, targets, outputGradient());
        return outputLoss.loss;
    }

    /** Correctly classified rows of the last {@link #loss} (0 for regression). */
    public int hits() {
        return outputLoss.hits;
    }

    /**
     * The backward pass of the last {@link #forward}: the stage's parameter gradients into {@code grad} (the
     * stage's whole vector overwritten) and, unless the stage is first, the gradient for its input into
     * {@link #inputGradient()}.
     */
    public void backward(float[] params, float[] grad) {
        if (rows < 0 || run == null || !run.training()) {
            throw new IllegalStateException("backward: no training forward pass to go back through");
        }
        if (grad.length < stage.parameterCount()) {
            throw new IllegalArgumentException("grad: " + grad.length + " (expected: at least "
                    + stage.parameterCount() + ")");
        }
        for (int i = layers.length - 1; i >= 0; i--) {
            Matrix in = i == 0 ? input : outputs[i - 1];
            float[] dx = i == 0 ? inputGradient : deltas[i - 1];
            layers[i].backward(run, scratch[i], params, in, outputs[i].data(), rows, deltas[i], dx, grad);
        }
    }

    /** Rows {@code [0, rows)} of a sparse input, dense, for a first layer that reads its input as a tensor. */
    private FloatMatrix dense(CsrMatrix x, int rows) {
        if (denseInput == null) {
            denseInput = new FloatMatrix(maxRows, stage.inputWidth());
        }
        return ForwardPass.denseRows(x, rows, denseInput);
    }
}
