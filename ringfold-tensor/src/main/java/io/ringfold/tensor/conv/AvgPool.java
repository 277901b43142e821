package io.ringfold.tensor.conv;

/**
 * Average pooling over a batch ({@link PoolGeometry}; layout {@code [rows, C, H, W]} to
 * {@code [rows, C, OH, OW]}): each output is the window's sum, in row-major order in float (at most
 * kernel² terms), divided by kernel². Stateless and immutable: one instance can serve every thread.
 */
public final class AvgPool {

    private final PoolGeometry g;

    public AvgPool(PoolGeometry geometry) {
        this.g = geometry;
    }

    public PoolGeometry geometry() {
        return g;
    }

    /** {@code y = mean over each window of x}, y overwritten. */
    public void forward(int rows, float[] x, int xOff, float[] y, int yOff) {
        ConvArguments.checkRows(rows);
        ConvArguments.check("x", x, xOff, rows, g.inputSize());
        ConvArguments.check("y", y, yOff, rows, g.outputSize());
        int w = g.width();
        int k = g.kernel();
        float count = k * k;
        int out = yOff;
        for (int plane = 0; plane < rows * g.channels(); plane++) {
            int base = xOff + plane * g.height() * w;
            for (int r = 0; r < g.outHeight(); r++) {
                for (int q = 0; q < g.outWidth(); q++, out++) {
                    int first = base + r * g.stride() * w + q * g.stride();
                    float sum = 0f;
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            sum += x[first + i * w + j];
                        }
                    }
                    y[out] = sum / count;
                }
            }
        }
    }

    /** {@code dx} overwritten: each output's gradient divided by kernel², added over its window (outputs in order). */
    public void backward(int rows, float[] dy, int dyOff, float[] dx, int dxOff) {
        ConvArguments.checkRows(rows);
        ConvArguments.check("dy", dy, dyOff, rows, g.outputSize());
        ConvArguments.check("dx", dx, dxOff, rows, g.inputSize());
        java.util.Arrays.fill(dx, dxOff, dxOff + rows * g.inputSize(), 0f);
        int w = g.width();
        int k = g.kernel();
        float count = k * k;
        int out = dyOff;
        for (int plane = 0; plane < rows * g.channels(); plane++) {
            int base = dxOff + plane * g.height() * w;
            for (int r = 0; r < g.outHeight(); r++) {
                for (int q = 0; q < g.outWidth(); q++, out++) {
                    int first = base + r * g.stride() * w + q * g.stride();
                    float share = dy[out] / count;
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            dx[first + i * w + j] += share;
                        }
                    }
                }
            }
        }
    }
}
