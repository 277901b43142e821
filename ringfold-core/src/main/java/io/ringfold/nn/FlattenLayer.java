package io.ringfold.nn;

import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/** The example's tensor as a vector: the same values in the same row-major order. */
final class FlattenLayer extends Layer {

    FlattenLayer(Network.Node node) {
        super(node);
    }

    @Override
    void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        System.arraycopy(((FloatMatrix) x).data(), 0, y, 0, rows * out());
    }

    @Override
    void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy, float[] dx,
                  float[] grad) {
        if (dx != null) {
            System.arraycopy(dy, 0, dx, 0, rows * out());
        }
    }
}
