package io.ringfold.nn;

import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/**
 * Layer normalisation (Ba, Kiros and Hinton 2016): each example normalised over all its values by its own mean
 * and (biased) variance, then scaled and shifted by gamma and beta, one per value. Per example, so training and
 * evaluation compute the same function and no batch composition can change a row. Means and variances are
 * accumulated in double: a row may hold thousands of values.
 */
final class LayerNormLayer extends Layer {

    private final float epsilon;

    LayerNormLayer(Network.Node node) {
        super(node);
        this.epsilon = node.spec().floatValue("epsilon");
    }

    /** Per row: the normalised values and 1/std. */
    private record Scratch(float[] xhat, float[] invStd) {
    }

    @Override
    Object scratch(int maxRows) {
        return new Scratch(new float[Math.multiplyExact(maxRows, out())], new float[maxRows]);
    }

    @Override
    void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        Scratch s = (Scratch) scratch;
        float[] in = ((FloatMatrix) x).data();
        int n = out();
        int gamma = node.paramOffset();
        int beta = gamma + n;
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += in[base + i];
            }
            double mean = sum / n;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                double d = in[base + i] - mean;
                sq += d * d;
            }
            float invStd = (float) (1.0 / Math.sqrt(sq / n + epsilon));
            float m = (float) mean;
            s.invStd()[r] = invStd;
            for (int i = 0; i < n; i++) {
                float xh = (in[base + i] - m) * invStd;
                s.xhat()[base + i] = xh;
                y[base + i] = params[gamma + i] * xh + params[beta + i];
            }
        }
    }

    @Override
    void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy, float[] dx,
                  float[] grad) {
        Scratch s = (Scratch) scratch;
        int n = out();
        int gamma = node.paramOffset();
        int beta = gamma + n;
        double[] normSquares = run.normSquares();
        if (normSquares == null) {
            java.util.Arrays.fill(grad, gamma, gamma + 2 * n, 0f);
        }
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            double sumDxhat = 0;
            double sumDxhatXhat = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                float g = dy[base + i];
                float xh = s.xhat()[base + i];
                if (normSquares == null) {
                    grad[gamma + i] += g * xh;
                    grad[beta + i] += g;
                } else {
                    // Example r's gamma gradient is dy ⊙ xhat and its beta gradient dy.
                    double gx = (double) g * xh;
                    sq += gx * gx + (double) g * g;
                }
                double dxh = (double) g * params[gamma + i];
                sumDxhat += dxh;
                sumDxhatXhat += dxh * xh;
            }
            if (normSquares != null) {
                normSquares[r] += sq;
            }
            if (dx != null) {
                double invStd = s.invStd()[r];
                double meanDxhat = sumDxhat / n;
                double meanDxhatXhat = sumDxhatXhat / n;
                for (int i = 0; i < n; i++) {
                    double dxh = (double) dy[base + i] * params[gamma + i];
                    dx[base + i] = (float) (invStd * (dxh - meanDxhat - s.xhat()[base + i] * meanDxhatXhat));
                }
            }
        }
    }

    @Override
    void initialize(float[] params, io.ringfold.random.SplitMix64 rng, InitRule rule) {
        java.util.Arrays.fill(params, node.paramOffset(), node.paramOffset() + out(), 1f);
    }
}
