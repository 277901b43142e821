package io.ringfold.tensor.conv;

/**
 * Global average pooling over a batch: each example's {@code [channels, height, width]} to
 * {@code [channels]}, the mean of each channel's plane. The plane is summed in order in double (it can
 * hold thousands of elements, where a float sum would lose digits) and the mean rounded once to float.
 * Stateless and immutable: one instance can serve every thread.
 */
public final class GlobalAvgPool {

    private final int channels;
    private final int plane;

    public GlobalAvgPool(int channels, int height, int width) {
        ConvArguments.requirePositive("channels", channels);
        ConvArguments.requirePositive("height", height);
        ConvArguments.requirePositive("width", width);
        if ((long) channels * height * width > ConvGeometry.MAX_ELEMENTS) {
            throw new IllegalArgumentException("input: " + (long) channels * height * width
                    + " elements per example (expected: at most " + ConvGeometry.MAX_ELEMENTS + ")");
        }
        this.channels = channels;
        this.plane = height * width;
    }

    /** Elements of one example's input, {@code channels · height · width}. */
    public int inputSize() {
        return channels * plane;
    }

    /** Elements of one example's output: one per channel. */
    public int outputSize() {
        return channels;
    }

    /** {@code y[r, c] = mean of x[r, c, :, :]}, y overwritten. */
    public void forward(int rows, float[] x, int xOff, float[] y, int yOff) {
        ConvArguments.checkRows(rows);
        ConvArguments.check("x", x, xOff, rows, inputSize());
        ConvArguments.check("y", y, yOff, rows, channels);
        for (int p = 0; p < rows * channels; p++) {
            int base = xOff + p * plane;
            double sum = 0;
            for (int i = 0; i < plane; i++) {
                sum += x[base + i];
            }
            y[yOff + p] = (float) (sum / plane);
        }
    }

    /** {@code dx[r, c, :, :] = dy[r, c] / (height · width)}, dx overwritten. */
    public void backward(int rows, float[] dy, int dyOff, float[] dx, int dxOff) {
        ConvArguments.checkRows(rows);
        ConvArguments.check("dy", dy, dyOff, rows, channels);
        ConvArguments.check("dx", dx, dxOff, rows, inputSize());
        for (int p = 0; p < rows * channels; p++) {
            float share = dy[dyOff + p] / plane;
            java.util.Arrays.fill(dx, dxOff + p * plane, dxOff + (p + 1) * plane, share);
        }
    }
}
