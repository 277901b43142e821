package io.ringfold.nn;

import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.tensor.conv.AvgPool;
import io.ringfold.tensor.conv.GlobalAvgPool;
import io.ringfold.tensor.conv.MaxPool;
import io.ringfold.tensor.conv.PoolGeometry;

/**
 * {@code maxpool2d(size, stride)}, {@code avgpool2d(size, stride)} and {@code globalavgpool}, per channel of an
 * image, through the pooling kernels of ringfold-tensor. Each example is pooled on its own, so the pass is
 * batch invariant as it is; max pooling keeps where each maximum came from for its backward pass.
 */
final class PoolLayer extends Layer {

    private final LayerKind kind;
    private final PoolGeometry window;

    PoolLayer(Network.Node node) {
        super(node);
        this.kind = node.spec().kind();
        Shape in = node.in();
        this.window = kind == LayerKind.GLOBALAVGPOOL ? null : new PoolGeometry(in.dim(0), in.dim(1), in.dim(2),
                node.spec().intValue("size"), node.spec().intValue("stride"));
    }

    @Override
    Object scratch(int maxRows) {
        return switch (kind) {
            case MAXPOOL2D -> new MaxPool(window, maxRows);
            case AVGPOOL2D -> new AvgPool(window);
            default -> new GlobalAvgPool(node.in().dim(0), node.in().dim(1), node.in().dim(2));
        };
    }

    @Override
    void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        float[] in = ((FloatMatrix) x).data();
        if (scratch instanceof MaxPool p) {
            p.forward(rows, in, 0, y, 0);
        } else if (scratch instanceof AvgPool p) {
            p.forward(rows, in, 0, y, 0);
        } else {
            ((GlobalAvgPool) scratch).forward(rows, in, 0, y, 0);
        }
    }

    @Override
    void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy, float[] dx,
                  float[] grad) {
        if (dx == null) {
            return;
        }
        if (scratch instanceof MaxPool p) {
            p.backward(rows, dy, 0, dx, 0);
        } else if (scratch instanceof AvgPool p) {
            p.backward(rows, dy, 0, dx, 0);
        } else {
            ((GlobalAvgPool) scratch).backward(rows, dy, 0, dx, 0);
        }
    }
}
