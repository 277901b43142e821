package io.ringfold.tensor.conv;

/**
 * The shape of a 2-D convolution over one example: the input {@code [channels, height, width]}, the
 * {@code filters} kernels of {@code kernelH × kernelW} taps over every channel, the stride and the zero
 * padding on each side (PyTorch's {@code Conv2d} with {@code dilation = 1, groups = 1}). The output is
 * {@code [filters, outHeight, outWidth]}. The compact constructor rejects what cannot be computed, naming
 * the value and the expectation, so that a bad network fails before any training.
 *
 * <p>Sizes per example: the input and output element counts, the im2col patch size
 * ({@code channels · kernelH · kernelW}, the depth of the products) and the multiply-adds of one forward
 * pass; the parameters are {@link #weightCount()} weights {@code [filters, channels, kernelH, kernelW]}
 * followed by {@link #filters()} biases.
 */
public record ConvGeometry(int channels, int height, int width, int filters, int kernelH, int kernelW, int stride,
                           int padding) {

    /** Largest element count of one buffer: a Java array's limit, with the JVM's header margin. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    public ConvGeometry {
        ConvArguments.requirePositive("channels", channels);
        ConvArguments.requirePositive("height", height);
        ConvArguments.requirePositive("width", width);
        ConvArguments.requirePositive("filters", filters);
        ConvArguments.requirePositive("kernelH", kernelH);
        ConvArguments.requirePositive("kernelW", kernelW);
        ConvArguments.requirePositive("stride", stride);
        if (padding < 0) {
            throw new IllegalArgumentException("padding: " + padding + " (expected: >= 0)");
        }
        if (height + 2L * padding < kernelH || width + 2L * padding < kernelW) {
            throw new IllegalArgumentException("input " + channels + "x" + height + "x" + width
                    + (padding == 0 ? "" : " with padding " + padding) + " is smaller than the kernel "
                    + kernelH + "x" + kernelW);
        }
        long outPositions = ((height + 2L * padding - kernelH) / stride + 1) * ((width + 2L * padding - kernelW) / stride + 1);
        long patch = (long) channels * kernelH * kernelW;
        requireFits("input", (long) channels * height * width);
        requireFits("output", filters * outPositions);
        requireFits("weights", filters * patch + filters);
        // One example's im2col matrix, with the row of ones the weight gradient's product appends.
        requireFits("im2col columns", (patch + 1) * outPositions);
    }

    /** A square kernel, as {@code conv2d(filters, kernel)} with a stride and padding writes it. */
    public static ConvGeometry square(int channels, int height, int width, int filters, int kernel, int stride,
                                      int padding) {
        return new ConvGeometry(channels, height, width, filters, kernel, kernel, stride, padding);
    }

    public int outHeight() {
        return (int) ((height + 2L * padding - kernelH) / stride + 1);
    }

    public int outWidth() {
        return (int) ((width + 2L * padding - kernelW) / stride + 1);
    }

    /** Output positions per filter, {@code outHeight · outWidth}: the width of one example's im2col matrix. */
    public int outPositions() {
        return outHeight() * outWidth();
    }

    /** Elements of one example's input, {@code channels · height · width}. */
    public int inputSize() {
        return channels * height * width;
    }

    /** Elements of one example's output, {@code filters · outHeight · outWidth}. */
    public int outputSize() {
        return filters * outPositions();
    }

    /** Taps of one filter, {@code channels · kernelH · kernelW}: the depth of every product (im2col's K). */
    public int patchSize() {
        return channels * kernelH * kernelW;
    }

    /** Weights {@code [filters, channels, kernelH, kernelW]}, without the biases. */
    public int weightCount() {
        return filters * patchSize();
    }

    /** Weights then one bias per filter: the layer's range of the flat parameter array. */
    public int parameterCount() {
        return weightCount() + filters;
    }

    /** Multiply-adds of one example's forward pass, {@code filters · patchSize · outPositions} (the backward pass is twice that with dx). */
    public long multiplyAddsPerExample() {
        return (long) filters * patchSize() * outPositions();
    }

    /** {@code 1x28x28 -> 20x24x24 (kernel 5x5, stride 1, padding 0)}: how logs and tables show it. */
    @Override
    public String toString() {
        return channels + "x" + height + "x" + width + " -> " + filters + "x" + outHeight() + "x" + outWidth()
                + " (kernel " + kernelH + "x" + kernelW + ", stride " + stride + ", padding " + padding + ")";
    }

    private static void requireFits(String what, long elements) {
        if (elements > MAX_ELEMENTS) {
            throw new IllegalArgumentException(what + ": " + elements + " elements per example (expected: at most "
                    + MAX_ELEMENTS + ")");
        }
    }
}
