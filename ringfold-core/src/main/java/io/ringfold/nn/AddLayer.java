package io.ringfold.nn;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

import java.util.List;

/**
 * A residual block (He et al. 2016): {@code y = x + block(x)}, the block's output the same shape as its input.
 * Backward sends {@code dy} both ways: straight to the input and through the block, and adds the two.
 */
final class AddLayer extends Layer {

    private final Layer[] block;

    AddLayer(Network.Node node, List<Layer> block) {
        super(node);
        this.block = block.toArray(Layer[]::new);
    }

    Layer[] block() {
        return block;
    }

    /** The block's own buffers: each inner layer's output and gradient, and its scratch. */
    private record Scratch(FloatMatrix[] outputs, float[][] deltas, Object[] inner, float[] through) {
    }

    @Override
    Object scratch(int maxRows) {
        FloatMatrix[] outputs = new FloatMatrix[block.length];
        float[][] deltas = new float[block.length][];
        Object[] inner = new Object[block.length];
        for (int i = 0; i < block.length; i++) {
            outputs[i] = new FloatMatrix(maxRows, block[i].out());
            deltas[i] = new float[Math.multiplyExact(maxRows, block[i].out())];
            inner[i] = block[i].scratch(maxRows);
        }
        return new Scratch(outputs, deltas, inner, new float[Math.multiplyExact(maxRows, in())]);
    }

    @Override
    void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        Scratch s = (Scratch) scratch;
        Matrix in = x;
        for (int i = 0; i < block.length; i++) {
            block[i].forward(run, s.inner()[i], params, in, rows, s.outputs()[i].data());
            in = s.outputs()[i];
        }
        sum(((FloatMatrix) x).data(), s.outputs()[block.length - 1].data(), rows * out(), y);
    }

    @Override
    void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy, float[] dx,
                  float[] grad) {
        Scratch s = (Scratch) scratch;
        float[] d = dy;
        for (int i = block.length - 1; i >= 0; i--) {
            Matrix in = i == 0 ? x : s.outputs()[i - 1];
            float[] dIn = i == 0 ? s.through() : s.deltas()[i - 1];
            block[i].backward(run, s.inner()[i], params, in, s.outputs()[i].data(), rows, d, dIn, grad);
            d = dIn;
        }
        if (dx != null) {
            sum(dy, s.through(), rows * in(), dx);
        }
    }

    @Override
    Object prepare(float[] params) {
        Object[] prepared = new Object[block.length];
        for (int i = 0; i < block.length; i++) {
            prepared[i] = block[i].prepare(params);
        }
        return prepared;
    }

    @Override
    void predict(Run run, Object prepared, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        Scratch s = (Scratch) scratch;
        Object[] p = (Object[]) prepared;
        Matrix in = x;
        for (int i = 0; i < block.length; i++) {
            block[i].predict(run, p[i], s.inner()[i], params, in, rows, s.outputs()[i].data());
            in = s.outputs()[i];
        }
        sum(((FloatMatrix) x).data(), s.outputs()[block.length - 1].data(), rows * out(), y);
    }

    private static void sum(float[] a, float[] b, int n, float[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = a[i] + b[i];
        }
    }

    @Override
    void initialize(float[] params, SplitMix64 rng, InitRule rule) {
        // Each inner layer is initialised by the pass that walks the network (it has its own stream).
    }
}
