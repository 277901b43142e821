package io.ringfold.tensor.conv;

/**
 * Max pooling over a batch ({@link PoolGeometry}; layout {@code [rows, C, H, W]} to
 * {@code [rows, C, OH, OW]}). The forward pass keeps, for every output, where its maximum came from, and
 * the backward pass sends each output's gradient there. As PyTorch: ties go to the first element in
 * row-major order of the window, and a NaN wins (the window's last NaN), so NaN propagates.
 *
 * <p>Sized for {@code maxRows} rows at construction; no call allocates. Not thread-safe: one instance per
 * layer and worker thread.
 */
public final class MaxPool {

    private final PoolGeometry g;
    private final int maxRows;
    /** For each output of the last forward pass, the index of its maximum within its example's input. */
    private final int[] argmax;
    private int forwardRows = -1;

    public MaxPool(PoolGeometry geometry, int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows: " + maxRows + " (expected: > 0)");
        }
        this.g = geometry;
        this.maxRows = maxRows;
        this.argmax = new int[Convolution.checkedSize("argmax", (long) geometry.outputSize() * maxRows)];
    }

    public PoolGeometry geometry() {
        return g;
    }

    /** {@code y = max over each window of x}, y overwritten; keeps the argmax for {@link #backward}. */
    public void forward(int rows, float[] x, int xOff, float[] y, int yOff) {
        ConvArguments.checkRows("forward", rows, maxRows);
        ConvArguments.check("x", x, xOff, rows, g.inputSize());
        ConvArguments.check("y", y, yOff, rows, g.outputSize());
        int h = g.height();
        int w = g.width();
        int k = g.kernel();
        int s = g.stride();
        int oh = g.outHeight();
        int ow = g.outWidth();
        int out = 0;
        for (int plane = 0; plane < rows * g.channels(); plane++) {
            int example = plane / g.channels();
            int exampleOff = xOff + example * g.inputSize();
            int planeIdx = (plane - example * g.channels()) * h * w;
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++, out++) {
                    int first = planeIdx + r * s * w + q * s;
                    int best = first;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int i = 0; i < k; i++) {
                        int rowIdx = first + i * w;
                        for (int j = 0; j < k; j++) {
                            float v = x[exampleOff + rowIdx + j];
                            // PyTorch's test: a strictly greater value or a NaN takes the place.
                            if (v > max || v != v) {
                                max = v;
                                best = rowIdx + j;
                            }
                        }
                    }
                    y[yOff + out] = max;
                    argmax[out] = best;
                }
            }
        }
        forwardRows = rows;
    }

    /**
     * {@code dx} overwritten with the gradient of the last forward pass's input: each output's gradient
     * added at its maximum (outputs in order, so overlapping windows sum in a fixed order), zero elsewhere.
     *
     * @throws IllegalStateException when no forward pass of {@code rows} rows preceded
     */
    public void backward(int rows, float[] dy, int dyOff, float[] dx, int dxOff) {
        ConvArguments.checkForwardRows(rows, forwardRows);
        ConvArguments.check("dy", dy, dyOff, rows, g.outputSize());
        ConvArguments.check("dx", dx, dxOff, rows, g.inputSize());
        java.util.Arrays.fill(dx, dxOff, dxOff + rows * g.inputSize(), 0f);
        int perExample = g.outputSize();
        for (int r = 0; r < rows; r++) {
            int in = dxOff + r * g.inputSize();
            int out = r * perExample;
            for (int o = 0; o < perExample; o++) {
                dx[in + argmax[out + o]] += dy[dyOff + out + o];
            }
        }
    }
}
