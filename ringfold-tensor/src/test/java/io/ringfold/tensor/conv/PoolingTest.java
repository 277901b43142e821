package io.ringfold.tensor.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Max, average and global average pooling against loops written from the definition (in double for the
 * averages), over windows that overlap (stride below the kernel), tile and skip, for batches of 1 and 7 at
 * offsets; ties and NaN as PyTorch has them; and the backward passes against finite differences.
 */
class PoolingTest {

    private static final long SEED = ConvolutionContractTest.SEED + 40;
    private static final int X_OFF = 3;
    private static final int Y_OFF = 2;
    private static final PoolGeometry[] GEOMETRIES = {
        new PoolGeometry(20, 24, 24, 2, 2),
        new PoolGeometry(3, 7, 9, 3, 2),
        new PoolGeometry(1, 5, 5, 3, 1),
        new PoolGeometry(2, 9, 7, 2, 3),
        new PoolGeometry(1, 4, 4, 4, 1),
        new PoolGeometry(50, 8, 8, 2, 2),
        new PoolGeometry(3, 5, 7, 2, 2),
    };

    @Test
    void maxPoolForwardAndBackwardMatchTheDefinition() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (PoolGeometry g : GEOMETRIES) {
            for (int rows : new int[] {1, 7}) {
                String label = "seed " + SEED + ", " + g + ", rows " + rows;
                // Few distinct values, so that windows hold ties.
                float[] x = new float[X_OFF + rows * g.inputSize()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = random.nextInt(5) - 2;
                }
                MaxPool pool = new MaxPool(g, 7);
                float[] y = ConvolutionContractTest.output(Y_OFF, rows * g.outputSize(), 2);
                pool.forward(rows, x, X_OFF, y, Y_OFF);
                int[] argmax = new int[rows * g.outputSize()];
                double[] expected = new double[rows * g.outputSize()];
                int o = 0;
                for (int plane = 0; plane < rows * g.channels(); plane++) {
                    for (int r = 0; r < g.outHeight(); r++) {
                        for (int q = 0; q < g.outWidth(); q++, o++) {
                            int best = -1;
                            for (int i = 0; i < g.kernel(); i++) {
                                for (int j = 0; j < g.kernel(); j++) {
                                    int idx = plane * g.height() * g.width() + (r * g.stride() + i) * g.width()
                                            + q * g.stride() + j;
                                    if (best < 0 || x[X_OFF + idx] > x[X_OFF + best]) {
                                        best = idx;
                                    }
                                }
                            }
                            argmax[o] = best;
                            expected[o] = x[X_OFF + best];
                        }
                    }
                }
                ConvolutionContractTest.checkClose(label + " max", y, Y_OFF, expected, new double[expected.length], 0);

                float[] dy = ConvReference.randomArray(random, Y_OFF + rows * g.outputSize());
                float[] dx = ConvolutionContractTest.output(X_OFF, rows * g.inputSize(), 1);
                pool.backward(rows, dy, Y_OFF, dx, X_OFF);
                double[] expectedDx = new double[rows * g.inputSize()];
                double[] magnitude = new double[expectedDx.length];
                for (int i = 0; i < argmax.length; i++) {
                    expectedDx[argmax[i]] += dy[Y_OFF + i];
                    magnitude[argmax[i]] += Math.abs(dy[Y_OFF + i]);
                }
                ConvolutionContractTest.checkClose(label + " max dx", dx, X_OFF, expectedDx, magnitude, g.kernel() * g.kernel());
            }
        }
    }

    @Test
    void maxPoolTiesGoToTheFirstAndNanWinsAsInPyTorch() {
        // Windows: {1, 1, 1, 1}; {NaN, 5, 5, NaN}; {-inf x4}; {-0, +0, +0, -0}; {1, 1, 1, a negative NaN, as x86
        // makes them}. The 2x2 stride-2 path and the definition (stride 1 over the same windows) must agree.
        float n = Float.NaN;
        float inf = Float.NEGATIVE_INFINITY;
        float negativeNan = Float.intBitsToFloat(0xffc00000);
        float[] pattern = {1, 1, n, 5, inf, inf, -0f, 0f, 1, 1, 1, 1, 5, n, inf, inf, 0f, -0f, 1, negativeNan};
        // The pattern's 2x10 input side by side 8 times: 40 windows, so that the 2x2 path's whole vectors of
        // outputs (4 to 16 lanes) see every case, and its last outputs one by one.
        int copies = 8;
        int width = 10 * copies;
        float[] x = new float[2 * width];
        for (int copy = 0; copy < copies; copy++) {
            System.arraycopy(pattern, 0, x, copy * 10, 10);
            System.arraycopy(pattern, 10, x, width + copy * 10, 10);
        }
        for (PoolGeometry g : new PoolGeometry[] {new PoolGeometry(1, 2, width, 2, 2),
                                                  new PoolGeometry(1, 2, width, 2, 1)}) {
            MaxPool pool = new MaxPool(g, 1);
            float[] y = new float[g.outputSize()];
            pool.forward(1, x, 0, y, 0);
            int step = 2 / g.stride();
            float[] dy = new float[g.outputSize()];
            for (int copy = 0; copy < copies; copy++) {
                int o = copy * 5 * step;
                String label = g + ", copy " + copy;
                assertThat(y[o]).as(label).isEqualTo(1f);
                assertThat(y[o + step]).as(label).isNaN();
                assertThat(y[o + 2 * step]).as(label).isEqualTo(inf);
                assertThat(Float.floatToRawIntBits(y[o + 3 * step])).as("%s: the first zero, -0", label)
                        .isEqualTo(Float.floatToRawIntBits(-0f));
                assertThat(y[o + 4 * step]).as(label).isNaN();
                for (int k = 0; k < 5; k++) {
                    dy[o + k * step] = 10 * (k + 1) + copy;
                }
            }
            float[] dx = new float[2 * width];
            pool.backward(1, dy, 0, dx, 0);
            for (int copy = 0; copy < copies; copy++) {
                float[] top = java.util.Arrays.copyOfRange(dx, copy * 10, copy * 10 + 10);
                float[] bottom = java.util.Arrays.copyOfRange(dx, width + copy * 10, width + copy * 10 + 10);
                // First of the tied ones; the window's last NaN (row 1, column 3); the first of an all -inf
                // window; the first of the zeros; the NaN.
                assertThat(top).as("%s, copy %d, row 0", g, copy).containsExactly(10 + copy, 0, 0, 0, 30 + copy, 0,
                        40 + copy, 0, 0, 0);
                assertThat(bottom).as("%s, copy %d, row 1", g, copy).containsExactly(0, 0, 0, 20 + copy, 0, 0, 0, 0,
                        0, 50 + copy);
            }
        }
    }

    @Test
    void maxPoolBackwardNeedsItsForwardPass() {
        MaxPool pool = new MaxPool(new PoolGeometry(1, 4, 4, 2, 2), 2);
        assertThatThrownBy(() -> pool.backward(1, new float[4], 0, new float[16], 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the last forward pass had none");
        assertThatThrownBy(() -> pool.forward(3, new float[48], 0, new float[12], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("forward: rows: 3 (expected: 0 to maxRows 2)");
    }

    @Test
    void avgPoolForwardAndBackwardMatchTheDefinition() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (PoolGeometry g : GEOMETRIES) {
            for (int rows : new int[] {1, 7}) {
                String label = "seed " + (SEED + 1) + ", " + g + ", rows " + rows;
                float[] x = ConvReference.randomArray(random, X_OFF + rows * g.inputSize());
                AvgPool pool = new AvgPool(g);
                float[] y = ConvolutionContractTest.output(Y_OFF, rows * g.outputSize(), 2);
                pool.forward(rows, x, X_OFF, y, Y_OFF);
                float[] dy = ConvReference.randomArray(random, Y_OFF + rows * g.outputSize());
                float[] dx = ConvolutionContractTest.output(X_OFF, rows * g.inputSize(), 1);
                pool.backward(rows, dy, Y_OFF, dx, X_OFF);

                int area = g.kernel() * g.kernel();
                double[] expected = new double[rows * g.outputSize()];
                double[] magnitude = new double[expected.length];
                double[] expectedDx = new double[rows * g.inputSize()];
                double[] magnitudeDx = new double[expectedDx.length];
                int o = 0;
                for (int plane = 0; plane < rows * g.channels(); plane++) {
                    for (int r = 0; r < g.outHeight(); r++) {
                        for (int q = 0; q < g.outWidth(); q++, o++) {
                            for (int i = 0; i < g.kernel(); i++) {
                                for (int j = 0; j < g.kernel(); j++) {
                                    int idx = plane * g.height() * g.width() + (r * g.stride() + i) * g.width()
                                            + q * g.stride() + j;
                                    expected[o] += x[X_OFF + idx] / (double) area;
                                    magnitude[o] += Math.abs(x[X_OFF + idx]) / area;
                                    expectedDx[idx] += dy[Y_OFF + o] / (double) area;
                                    magnitudeDx[idx] += Math.abs(dy[Y_OFF + o]) / area;
                                }
                            }
                        }
                    }
                }
                ConvolutionContractTest.checkClose(label + " avg", y, Y_OFF, expected, magnitude, area);
                ConvolutionContractTest.checkClose(label + " avg dx", dx, X_OFF, expectedDx, magnitudeDx, area);
            }
        }
    }

    @Test
    void globalAvgPoolIsTheMeanOfEachPlane() {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        int channels = 5;
        int h = 7;
        int w = 9;
        GlobalAvgPool pool = new GlobalAvgPool(channels, h, w);
        for (int rows : new int[] {1, 7}) {
            float[] x = ConvReference.randomArray(random, X_OFF + rows * channels * h * w);
            float[] y = ConvolutionContractTest.output(Y_OFF, rows * channels, 2);
            pool.forward(rows, x, X_OFF, y, Y_OFF);
            float[] dy = ConvReference.randomArray(random, Y_OFF + rows * channels);
            float[] dx = ConvolutionContractTest.output(X_OFF, rows * channels * h * w, 1);
            pool.backward(rows, dy, Y_OFF, dx, X_OFF);
            double[] expected = new double[rows * channels];
            double[] expectedDx = new double[rows * channels * h * w];
            for (int p = 0; p < rows * channels; p++) {
                for (int i = 0; i < h * w; i++) {
                    expected[p] += x[X_OFF + p * h * w + i] / (double) (h * w);
                    expectedDx[p * h * w + i] = dy[Y_OFF + p] / (double) (h * w);
                }
            }
            String label = "seed " + (SEED + 2) + ", rows " + rows;
            // Summed in double, then rounded once: within half an ulp of the mean (the bound of no terms: 4u|mean|).
            ConvolutionContractTest.checkClose(label + " global avg", y, Y_OFF, expected, abs(expected), 0);
            ConvolutionContractTest.checkClose(label + " global avg dx", dx, X_OFF, expectedDx, abs(expectedDx), 0);
        }
        assertThat(pool.outputSize()).isEqualTo(channels);
        assertThatThrownBy(() -> new GlobalAvgPool(0, 2, 2)).hasMessage("channels: 0 (expected: > 0)");
    }

    @Test
    void backwardPassesMatchFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(SEED + 3);
        PoolGeometry g = new PoolGeometry(2, 7, 6, 3, 2);
        int rows = 2;
        // Distinct values at least 0.1 apart, so that a step of 0.01 moves no maximum.
        float[] x = new float[rows * g.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.1f * i;
        }
        for (int i = x.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
        float[] weightsOfLoss = ConvReference.randomArray(random, rows * g.outputSize());
        MaxPool max = new MaxPool(g, rows);
        AvgPool avg = new AvgPool(g);
        float[] y = new float[rows * g.outputSize()];
        max.forward(rows, x, 0, y, 0);
        float[] maxDx = new float[x.length];
        max.backward(rows, weightsOfLoss, 0, maxDx, 0);
        float[] avgDx = new float[x.length];
        avg.backward(rows, weightsOfLoss, 0, avgDx, 0);
        float step = 0.01f;
        for (int i = 0; i < x.length; i++) {
            float saved = x[i];
            x[i] = saved + step;
            double maxUp = loss(max, null, rows, x, weightsOfLoss);
            double avgUp = loss(null, avg, rows, x, weightsOfLoss);
            x[i] = saved - step;
            double maxDown = loss(max, null, rows, x, weightsOfLoss);
            double avgDown = loss(null, avg, rows, x, weightsOfLoss);
            x[i] = saved;
            double perturbation = (double) (saved + step) - (saved - step);
            assertThat((double) maxDx[i]).as("seed %d: max dL/dx[%d]", SEED + 3, i)
                    .isCloseTo((maxUp - maxDown) / perturbation, Offset.offset(1e-3));
            assertThat((double) avgDx[i]).as("seed %d: avg dL/dx[%d]", SEED + 3, i)
                    .isCloseTo((avgUp - avgDown) / perturbation, Offset.offset(1e-3));
        }
    }

    private static double[] abs(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.abs(a[i]);
        }
        return out;
    }

    private static double loss(MaxPool max, AvgPool avg, int rows, float[] x, float[] weightsOfLoss) {
        float[] y = new float[weightsOfLoss.length];
        if (max != null) {
            max.forward(rows, x, 0, y, 0);
        } else {
            avg.forward(rows, x, 0, y, 0);
        }
        double sum = 0;
        for (int o = 0; o < y.length; o++) {
            sum += (double) y[o] * weightsOfLoss[o];
        }
        return sum;
    }
}
