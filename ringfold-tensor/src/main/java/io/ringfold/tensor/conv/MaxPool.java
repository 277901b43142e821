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
        int k = g.kernel();
        int s = g.stride();
        int out = 0;
        for (int plane = 0; plane < rows * g.channels(); plane++) {
            int example = plane / g.channels();
            int planeIdx = (plane - example * g.channels()) * g.height() * g.width();
            int exampleOff = xOff + example * g.inputSize();
            out = k == 2 && s == 2
                    ? plane2x2(x, exampleOff, planeIdx, y, yOff, out)
                    : plane(x, exampleOff, planeIdx, y, yOff, out);
        }
        forwardRows = rows;
    }

    /** One plane, any window: the definition, a branch per element. Returns the next output index. */
    private int plane(float[] x, int exampleOff, int planeIdx, float[] y, int yOff, int out) {
        int w = g.width();
        int s = g.stride();
        for (int r = 0; r < g.outHeight(); r++) {
            for (int q = 0; q < g.outWidth(); q++, out++) {
                window(x, exampleOff, planeIdx + r * s * w + q * s, y, yOff, out);
            }
        }
        return out;
    }

    /** The window from {@code first}: as PyTorch, from -inf, a strictly greater value or a NaN takes the place. */
    private void window(float[] x, int exampleOff, int first, float[] y, int yOff, int out) {
        int w = g.width();
        int k = g.kernel();
        int best = first;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            int rowIdx = first + i * w;
            for (int j = 0; j < k; j++) {
                float v = x[exampleOff + rowIdx + j];
                if (v > max || v != v) {
                    max = v;
                    best = rowIdx + j;
                }
            }
        }
        y[yOff + out] = max;
        argmax[out] = best;
    }

    /**
     * One plane of 2x2 windows, stride 2 (maxpool2d(2), the usual case) without branches on the data: on
     * real data the definition's branch is a coin toss, and mispredicting it cost about 2.5 times this
     * (bench/RESULTS.md). Floats compare as their sortable-integer keys ({@link #key}), the later element
     * taking the place only when strictly greater, which is the definition's order; a window holding a NaN
     * goes to {@link #window}.
     */
    private int plane2x2(float[] x, int exampleOff, int planeIdx, float[] y, int yOff, int out) {
        int w = g.width();
        for (int r = 0; r < g.outHeight(); r++) {
            int row = planeIdx + 2 * r * w;
            for (int q = 0; q < g.outWidth(); q++, out++) {
                int i0 = row + 2 * q;
                int a = Float.floatToRawIntBits(x[exampleOff + i0] + 0f);
                int b = Float.floatToRawIntBits(x[exampleOff + i0 + 1] + 0f);
                int c = Float.floatToRawIntBits(x[exampleOff + i0 + w] + 0f);
                int d = Float.floatToRawIntBits(x[exampleOff + i0 + w + 1] + 0f);
                if ((isNan(a) | isNan(b) | isNan(c) | isNan(d)) != 0) {
                    window(x, exampleOff, i0, y, yOff, out);
                    continue;
                }
                int bestKey = key(a);
                int best = i0;
                int kb = key(b);
                int gt = greater(kb, bestKey);
                bestKey += gt * (kb - bestKey);
                best += gt;
                int kc = key(c);
                gt = greater(kc, bestKey);
                bestKey += gt * (kc - bestKey);
                best += gt * (i0 + w - best);
                gt = greater(key(d), bestKey);
                best += gt * (i0 + w + 1 - best);
                y[yOff + out] = x[exampleOff + best];
                argmax[out] = best;
            }
        }
        return out;
    }

    /** 1 for the bits of a NaN, else 0. */
    private static int isNan(int bits) {
        return ((bits & 0x7fffffff) - 0x7f800001) >>> 31 ^ 1;
    }

    /**
     * The bits of a float (not NaN, -0 made +0 by adding +0 first) as an int that orders as the floats do:
     * negative floats' magnitude bits reversed.
     */
    private static int key(int bits) {
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** 1 when {@code a > b}, else 0, without a branch. */
    private static int greater(int a, int b) {
        return (int) (((long) b - a) >>> 63);
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
