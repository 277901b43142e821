package io.ringfold.tensor.conv;

import java.util.Arrays;

/**
 * The rearrangements that turn a convolution into a matrix product (Chellapilla, Puri and Simard, "High
 * Performance Convolutional Neural Networks for Document Processing", 2006): im2col copies every receptive
 * field of one example into a column, col2im adds columns back onto the input positions they came from.
 *
 * <p>Column layout ({@link #columns}): row {@code (c·kernelH + i)·kernelW + j} (the tap, in the weights'
 * order) and column {@code oh·outWidth + ow} (the output position) holds input
 * {@code (c, oh·stride + i − padding, ow·stride + j − padding)}, zero where that falls in the padding.
 * A row is one run per output row, contiguous in the input for stride 1, which keeps the copy cheap.
 * Patch-row layout ({@link #patchRows}) is its transpose: one output position per row.
 */
final class Im2col {

    private Im2col() {
    }

    /**
     * Example {@code x[xOff..)} into {@code cols[colOff + tap·ld + position]}, every element written. The runs
     * are short (an output row: 24 and 8 floats in LeNet), and {@link System#arraycopy} measured faster on them
     * than Vector API copies of whole vectors; 256-bit ones, faster in isolation, made C2 (JDK 17) stop
     * intrinsifying vector stores once 512-bit code ran in the same JVM (bench/RESULTS.md).
     */
    static void columns(ConvGeometry g, float[] x, int xOff, float[] cols, int colOff, int ld) {
        int h = g.height();
        int w = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int s = g.stride();
        int p = g.padding();
        int oh = g.outHeight();
        int ow = g.outWidth();
        for (int c = 0; c < g.channels(); c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int row = colOff + ((c * kh + i) * kw + j) * ld;
                    int lo = firstInside(j, p, s);
                    int hi = Math.max(lo, endInside(j, p, s, w, ow));
                    for (int r = 0; r < oh; r++) {
                        int d = row + r * ow;
                        int ih = r * s + i - p;
                        if (ih < 0 || ih >= h) {
                            Arrays.fill(cols, d, d + ow, 0f);
                            continue;
                        }
                        if (lo > 0) {
                            Arrays.fill(cols, d, d + lo, 0f);
                        }
                        int src = xOff + (c * h + ih) * w + lo * s + j - p;
                        if (s == 1) {
                            System.arraycopy(x, src, cols, d + lo, hi - lo);
                        } else {
                            for (int q = lo; q < hi; q++, src += s) {
                                cols[d + q] = x[src];
                            }
                        }
                        if (hi < ow) {
                            Arrays.fill(cols, d + hi, d + ow, 0f);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code dx[dxOff..) = col2im(cols)}, overwritten: each column element added onto the input position it
     * was copied from, taps in order, then positions in order, so the sums have a fixed order.
     */
    static void addColumns(ConvGeometry g, float[] cols, int colOff, int ld, float[] dx, int dxOff) {
        int h = g.height();
        int w = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int s = g.stride();
        int p = g.padding();
        int oh = g.outHeight();
        int ow = g.outWidth();
        Arrays.fill(dx, dxOff, dxOff + g.inputSize(), 0f);
        for (int c = 0; c < g.channels(); c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int row = colOff + ((c * kh + i) * kw + j) * ld;
                    int lo = firstInside(j, p, s);
                    int hi = endInside(j, p, s, w, ow);
                    for (int r = 0; r < oh; r++) {
                        int ih = r * s + i - p;
                        if (ih < 0 || ih >= h) {
                            continue;
                        }
                        int src = row + r * ow;
                        int dst = dxOff + (c * h + ih) * w + j - p;
                        if (s == 1) {
                            for (int q = lo; q < hi; q++) {
                                dx[dst + q] += cols[src + q];
                            }
                        } else {
                            for (int q = lo; q < hi; q++) {
                                dx[dst + q * s] += cols[src + q];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Example {@code x[xOff..)} as patch rows: position {@code oh·outWidth + ow} is row
     * {@code patches[pOff + position·ldp ..]}, its {@code patchSize} taps in the weights' order, zero in the
     * padding; {@code ldp} may exceed the patch size (the extra columns are left alone).
     */
    static void patchRows(ConvGeometry g, float[] x, int xOff, float[] patches, int pOff, int ldp) {
        int h = g.height();
        int w = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int s = g.stride();
        int p = g.padding();
        int ow = g.outWidth();
        int plane = h * w;
        for (int r = 0; r < g.outHeight(); r++) {
            for (int q = 0; q < ow; q++) {
                int d = pOff + (r * ow + q) * ldp;
                int iw0 = q * s - p;
                // Taps j in [jLo, jHi) fall inside the input's width.
                int jLo = Math.max(0, -iw0);
                int jHi = Math.max(jLo, Math.min(kw, w - iw0));
                for (int c = 0; c < g.channels(); c++) {
                    for (int i = 0; i < kh; i++, d += kw) {
                        int ih = r * s + i - p;
                        if (ih < 0 || ih >= h) {
                            Arrays.fill(patches, d, d + kw, 0f);
                            continue;
                        }
                        int src = xOff + c * plane + ih * w + iw0;
                        for (int j = 0; j < jLo; j++) {
                            patches[d + j] = 0f;
                        }
                        for (int j = jLo; j < jHi; j++) {
                            patches[d + j] = x[src + j];
                        }
                        for (int j = jHi; j < kw; j++) {
                            patches[d + j] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** The first output column whose tap j lands inside the input: {@code q·s + j − p >= 0}. */
    private static int firstInside(int j, int p, int s) {
        return p <= j ? 0 : (p - j + s - 1) / s;
    }

    /** One past the last output column whose tap j lands inside a width-w input: {@code q·s + j − p < w}. */
    private static int endInside(int j, int p, int s, int w, int ow) {
        int limit = w - 1 + p - j;
        return limit < 0 ? 0 : Math.min(ow, limit / s + 1);
    }
}
