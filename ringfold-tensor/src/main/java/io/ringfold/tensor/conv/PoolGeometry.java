package io.ringfold.tensor.conv;

/**
 * The shape of a 2-D pooling over one example {@code [channels, height, width]}: square windows of
 * {@code kernel × kernel}, {@code stride} apart, no padding (PyTorch's {@code MaxPool2d} and
 * {@code AvgPool2d} with {@code padding = 0, ceil_mode = False}: a last partial window is dropped). The
 * output is {@code [channels, outHeight, outWidth]}.
 */
public record PoolGeometry(int channels, int height, int width, int kernel, int stride) {

    public PoolGeometry {
        ConvArguments.requirePositive("channels", channels);
        ConvArguments.requirePositive("height", height);
        ConvArguments.requirePositive("width", width);
        ConvArguments.requirePositive("kernel", kernel);
        ConvArguments.requirePositive("stride", stride);
        if (height < kernel || width < kernel) {
            throw new IllegalArgumentException("input " + channels + "x" + height + "x" + width
                    + " is smaller than the pooling window " + kernel + "x" + kernel);
        }
        if ((long) channels * height * width > ConvGeometry.MAX_ELEMENTS) {
            throw new IllegalArgumentException("input: " + (long) channels * height * width
                    + " elements per example (expected: at most " + ConvGeometry.MAX_ELEMENTS + ")");
        }
    }

    public int outHeight() {
        return (height - kernel) / stride + 1;
    }

    public int outWidth() {
        return (width - kernel) / stride + 1;
    }

    /** Elements of one example's input, {@code channels · height · width}. */
    public int inputSize() {
        return channels * height * width;
    }

    /** Elements of one example's output, {@code channels · outHeight · outWidth}. */
    public int outputSize() {
        return channels * outHeight() * outWidth();
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width + " -> " + channels + "x" + outHeight() + "x" + outWidth()
                + " (window " + kernel + "x" + kernel + ", stride " + stride + ")";
    }
}
