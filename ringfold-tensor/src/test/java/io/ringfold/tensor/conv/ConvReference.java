package io.ringfold.tensor.conv;

import java.util.SplittableRandom;

/**
 * Convolution and its gradients written from the definition, one output at a time, in double: the
 * independent oracle of the kernels' tests. With {@code abs = true} every operand is replaced by its
 * absolute value, which gives the magnitudes {@code Σ|a·b|} that the float error bounds scale with.
 */
final class ConvReference {

    /** Unit roundoff of float32. */
    static final double U = 0x1p-24;

    private ConvReference() {
    }

    /** The input element (c, ih, iw) of example r, or 0 in the padding. */
    private static double input(ConvGeometry g, float[] x, int r, int c, int ih, int iw, boolean abs) {
        if (ih < 0 || ih >= g.height() || iw < 0 || iw >= g.width()) {
            return 0;
        }
        double v = x[r * g.inputSize() + (c * g.height() + ih) * g.width() + iw];
        return abs ? Math.abs(v) : v;
    }

    private static double weight(ConvGeometry g, float[] params, int f, int c, int i, int j, boolean abs) {
        double v = params[((f * g.channels() + c) * g.kernelH() + i) * g.kernelW() + j];
        return abs ? Math.abs(v) : v;
    }

    /** {@code y[r, f, oh, ow] = b[f] + Σ_{c,i,j} W[f,c,i,j] · x[r, c, oh·s+i−p, ow·s+j−p]}. */
    static double[] forward(ConvGeometry g, int rows, float[] x, float[] params, boolean abs) {
        double[] y = new double[rows * g.outputSize()];
        int idx = 0;
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < g.filters(); f++) {
                double b = params[g.weightCount() + f];
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    for (int ow = 0; ow < g.outWidth(); ow++) {
                        double s = abs ? Math.abs(b) : b;
                        for (int c = 0; c < g.channels(); c++) {
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    s += weight(g, params, f, c, i, j, abs) * input(g, x, r, c,
                                            oh * g.stride() + i - g.padding(), ow * g.stride() + j - g.padding(), abs);
                                }
                            }
                        }
                        y[idx++] = s;
                    }
                }
            }
        }
        return y;
    }

    /** The gradient of {@code Σ dy·y} over the rows: weights then biases, in the parameters' layout. */
    static double[] parameterGradient(ConvGeometry g, int rows, float[] x, float[] dy, boolean abs) {
        double[] grad = new double[g.parameterCount()];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < g.filters(); f++) {
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    for (int ow = 0; ow < g.outWidth(); ow++) {
                        double d = dy[r * g.outputSize() + (f * g.outHeight() + oh) * g.outWidth() + ow];
                        d = abs ? Math.abs(d) : d;
                        grad[g.weightCount() + f] += d;
                        for (int c = 0; c < g.channels(); c++) {
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    grad[((f * g.channels() + c) * g.kernelH() + i) * g.kernelW() + j] += d * input(g, x, r,
                                            c, oh * g.stride() + i - g.padding(), ow * g.stride() + j - g.padding(), abs);
                                }
                            }
                        }
                    }
                }
            }
        }
        return grad;
    }

    /** The gradient of {@code Σ dy·y} with respect to x. */
    static double[] inputGradient(ConvGeometry g, int rows, float[] params, float[] dy, boolean abs) {
        double[] dx = new double[rows * g.inputSize()];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < g.filters(); f++) {
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    for (int ow = 0; ow < g.outWidth(); ow++) {
                        double d = dy[r * g.outputSize() + (f * g.outHeight() + oh) * g.outWidth() + ow];
                        d = abs ? Math.abs(d) : d;
                        for (int c = 0; c < g.channels(); c++) {
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int ih = oh * g.stride() + i - g.padding();
                                    int iw = ow * g.stride() + j - g.padding();
                                    if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                                        dx[r * g.inputSize() + (c * g.height() + ih) * g.width() + iw] +=
                                                d * weight(g, params, f, c, i, j, abs);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    /** The float error bound of a sum of {@code terms} products whose magnitudes add up to {@code magnitude}. */
    static double bound(int terms, double magnitude) {
        return 2 * (terms + 2) * U * magnitude + Float.MIN_NORMAL;
    }

    static float[] randomArray(SplittableRandom random, int length) {
        float[] a = new float[length];
        for (int i = 0; i < length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        return a;
    }
}
