package io.ringfold.nn;

import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Kernels;
import io.ringfold.tensor.Matrix;

/**
 * An element-wise activation: relu, leakyrelu(slope), gelu (exact, with the error function), tanh, sigmoid.
 * relu, tanh and sigmoid take their derivative from the output (the kernels Ringfold's dense networks always
 * used, so they keep their bits); leakyrelu and gelu from the input.
 */
final class ActivationLayer extends Layer {

    private final LayerKind kind;
    private final float slope;

    ActivationLayer(Network.Node node) {
        super(node);
        this.kind = node.spec().kind();
        this.slope = kind == LayerKind.LEAKYRELU ? node.spec().floatValue("slope") : 0f;
    }

    @Override
    void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        int n = rows * out();
        float[] in = ((FloatMatrix) x).data();
        switch (kind) {
            case RELU -> {
                System.arraycopy(in, 0, y, 0, n);
                Kernels.relu(y, n);
            }
            case TANH -> {
                System.arraycopy(in, 0, y, 0, n);
                Kernels.tanh(y, n);
            }
            case SIGMOID -> {
                System.arraycopy(in, 0, y, 0, n);
                Kernels.sigmoid(y, n);
            }
            case LEAKYRELU -> {
                for (int i = 0; i < n; i++) {
                    float v = in[i];
                    y[i] = v > 0 ? v : slope * v;
                }
            }
            case GELU -> {
                for (int i = 0; i < n; i++) {
                    double v = in[i];
                    y[i] = (float) (v * Gaussian.cdf(v));
                }
            }
            default -> throw new IllegalStateException(kind + " is not an activation");
        }
    }

    @Override
    void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy, float[] dx,
                  float[] grad) {
        if (dx == null) {
            return;
        }
        int n = rows * out();
        float[] in = ((FloatMatrix) x).data();
        switch (kind) {
            case RELU -> {
                System.arraycopy(dy, 0, dx, 0, n);
                Kernels.reluBackward(y, dx, n);
            }
            case TANH -> {
                System.arraycopy(dy, 0, dx, 0, n);
                Kernels.tanhBackward(y, dx, n);
            }
            case SIGMOID -> {
                System.arraycopy(dy, 0, dx, 0, n);
                Kernels.sigmoidBackward(y, dx, n);
            }
            case LEAKYRELU -> {
                for (int i = 0; i < n; i++) {
                    dx[i] = in[i] > 0 ? dy[i] : slope * dy[i];
                }
            }
            case GELU -> {
                for (int i = 0; i < n; i++) {
                    double v = in[i];
                    dx[i] = (float) (dy[i] * (Gaussian.cdf(v) + v * Gaussian.pdf(v)));
                }
            }
            default -> throw new IllegalStateException(kind + " is not an activation");
        }
    }
}
