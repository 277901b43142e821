package io.ringfold.tensor.conv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int L = FLOATS.length();

    private final PoolGeometry g;
    private final int maxRows;
    /**
     * For 2x2 windows of stride 2: each output of an example (in output order, across its channels), the index
     * of its window's first element in the example's input; null for other windows.
     */
    private final int[] windowStart;
    /** The winners' offsets in their windows, one vector of outputs' worth. */
    private final float[] winners = new float[L];
    /** For each output of the last forward pass, the index of its maximum within its example's input. */
    private final int[] argmax;
    private int forwardRows = -1;

    public MaxPool(PoolGeometry geometry, int maxRows) {
        ConvArguments.requirePositive("maxRows", maxRows);
        this.g = geometry;
        this.maxRows = maxRows;
        this.argmax = new int[Convolution.checkedSize("argmax", (long) geometry.outputSize() * maxRows)];
        this.windowStart = geometry.kernel() == 2 && geometry.stride() == 2 ? windowStarts(geometry) : null;
    }

    private static int[] windowStarts(PoolGeometry g) {
        int[] starts = new int[g.outputSize()];
        int o = 0;
        for (int c = 0; c < g.channels(); c++) {
            for (int r = 0; r < g.outHeight(); r++) {
                for (int q = 0; q < g.outWidth(); q++) {
                    starts[o++] = (c * g.height() + 2 * r) * g.width() + 2 * q;
                }
            }
        }
        return starts;
    }

    public PoolGeometry geometry() {
        return g;
    }

    /** {@code y = max over each window of x}, y overwritten; keeps the argmax for {@link #backward}. */
    public void forward(int rows, float[] x, int xOff, float[] y, int yOff) {
        ConvArguments.checkRows("forward", rows, maxRows);
        ConvArguments.check("x", x, xOff, rows, g.inputSize());
        ConvArguments.check("y", y, yOff, rows, g.outputSize());
        if (windowStart != null) {
            for (int r = 0; r < rows; r++) {
                example2x2(x, xOff + r * g.inputSize(), y, yOff, r * g.outputSize());
            }
            forwardRows = rows;
            return;
        }
        int out = 0;
        for (int plane = 0; plane < rows * g.channels(); plane++) {
            int example = plane / g.channels();
            int planeIdx = (plane - example * g.channels()) * g.height() * g.width();
            out = plane(x, xOff + example * g.inputSize(), planeIdx, y, yOff, out);
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
     * One example's 2x2 windows of stride 2 (maxpool2d(2), the usual case), a vector of outputs at a time:
     * the four elements of each window gathered, then the definition's comparisons as lane masks (a later
     * element takes the place when strictly greater or NaN), so real data's coin-toss branches are gone. The
     * last outputs that do not fill a vector take the definition one by one.
     */
    private void example2x2(float[] x, int exampleOff, float[] y, int yOff, int outOff) {
        int n = g.outputSize();
        int w = g.width();
        int vectors = n - n % L;
        // The winner's offset in its window (0, 1, w or w + 1, exact as floats) leaves the vector through a
        // float array: int vectors (a second species, or a conversion) made C2 (JDK 17) leave this loop's
        // vector operations as calls in the training JVM.
        float right = 1;
        float below = w;
        float diagonal = w + 1;
        for (int o = 0; o < vectors; o += L) {
            FloatVector max = FloatVector.fromArray(FLOATS, x, exampleOff, windowStart, o);
            FloatVector offset = FloatVector.zero(FLOATS);
            FloatVector b = FloatVector.fromArray(FLOATS, x, exampleOff + 1, windowStart, o);
            VectorMask<Float> takes = b.compare(VectorOperators.GT, max).or(b.test(VectorOperators.IS_NAN));
            max = max.blend(b, takes);
            offset = offset.blend(right, takes);
            FloatVector c = FloatVector.fromArray(FLOATS, x, exampleOff + w, windowStart, o);
            takes = c.compare(VectorOperators.GT, max).or(c.test(VectorOperators.IS_NAN));
            max = max.blend(c, takes);
            offset = offset.blend(below, takes);
            FloatVector d = FloatVector.fromArray(FLOATS, x, exampleOff + w + 1, windowStart, o);
            takes = d.compare(VectorOperators.GT, max).or(d.test(VectorOperators.IS_NAN));
            max = max.blend(d, takes);
            offset = offset.blend(diagonal, takes);
            max.intoArray(y, yOff + outOff + o);
            offset.intoArray(winners, 0);
            for (int i = 0; i < L; i++) {
                argmax[outOff + o + i] = windowStart[o + i] + (int) winners[i];
            }
        }
        for (int o = vectors; o < n; o++) {
            window(x, exampleOff, windowStart[o], y, yOff, outOff + o);
        }
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
