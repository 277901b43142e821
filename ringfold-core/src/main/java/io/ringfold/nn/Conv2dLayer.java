package io.ringfold.nn;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.tensor.PackedMatrix;
import io.ringfold.tensor.conv.ConvGeometry;
import io.ringfold.tensor.conv.Convolution;
import io.ringfold.tensor.conv.InvariantConvolution;

/**
 * A 2-D convolution, {@code conv2d(filters, kernel, stride, padding)}: weights {@code [filters, channels, k, k]}
 * then one bias per filter (PyTorch's layout), through the im2col kernels of ringfold-tensor. Training and
 * evaluation use {@link Convolution}, whose per-shard result depends on the shard's rows alone; predictions use
 * {@link InvariantConvolution} on weights packed once, so an example gets the same bits in any batch.
 */
final class Conv2dLayer extends Layer {

    private final ConvGeometry g;

    Conv2dLayer(Network.Node node) {
        super(node);
        Shape in = node.in();
        LayerSpec s = node.spec();
        this.g = ConvGeometry.square(in.dim(0), in.dim(1), in.dim(2), s.intValue("filters"), s.intValue("kernel"),
                s.intValue("stride"), s.intValue("padding"));
    }

    /** The pass's kernels, made on first use: a prediction pass never allocates the training workspace. */
    private static final class Scratch {
        final int maxRows;
        Convolution training;
        InvariantConvolution prediction;

        Scratch(int maxRows) {
            this.maxRows = maxRows;
        }
    }

    @Override
    Object scratch(int maxRows) {
        return new Scratch(maxRows);
    }

    private Convolution training(Object scratch) {
        Scratch s = (Scratch) scratch;
        if (s.training == null) {
            s.training = new Convolution(g, s.maxRows);
        }
        return s.training;
    }

    @Override
    void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        training(scratch).forward(run.blas(), rows, ((FloatMatrix) x).data(), 0, params, node.paramOffset(), y, 0);
    }

    @Override
    void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy, float[] dx,
                  float[] grad) {
        Convolution c = training(scratch);
        if (run.measuresNorms()) {
            // Per-example products for the norms; the batch's weight gradient is the second pass's.
            c.exampleGradientNormSquares(run.blas(), rows, dy, 0, run.normSquares());
            c.backward(run.blas(), rows, dy, 0, params, node.paramOffset(), null, 0, dx, 0);
        } else {
            c.backward(run.blas(), rows, dy, 0, params, node.paramOffset(), grad, node.paramOffset(), dx, 0);
        }
    }

    @Override
    Object prepare(float[] params) {
        return InvariantConvolution.packWeights(g, params, node.paramOffset());
    }

    @Override
    void predict(Run run, Object prepared, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        Scratch s = (Scratch) scratch;
        if (s.prediction == null) {
            s.prediction = new InvariantConvolution(g);
        }
        s.prediction.forward(run.blas(), rows, ((FloatMatrix) x).data(), 0, (PackedMatrix) prepared, params,
                node.paramOffset(), y, 0);
    }

    /** He or Glorot uniform over the fan-in {@code channels·k·k} (and fan-out {@code filters·k·k}); biases zero. */
    @Override
    void initialize(float[] params, SplitMix64 rng, InitRule rule) {
        if (rule == InitRule.ZERO) {
            return;
        }
        int taps = g.kernelH() * g.kernelW();
        int fanIn = g.channels() * taps;
        int fanOut = g.filters() * taps;
        double limit = rule == InitRule.HE ? Math.sqrt(6.0 / fanIn) : Math.sqrt(6.0 / (fanIn + fanOut));
        int off = node.paramOffset();
        for (int i = 0; i < g.weightCount(); i++) {
            params[off + i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
        }
    }
}
