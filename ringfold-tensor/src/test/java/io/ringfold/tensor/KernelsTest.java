package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vectorised kernels against their definitions written as scalar loops: same bits expected, with
 * NaN, -0 and +0 among the inputs and widths on both sides of the vector length.
 */
class KernelsTest {

    private static final long SEED = 5L;
    private static final int[] WIDTHS = {0, 1, 7, 15, 16, 17, 33, 130};

    @Test
    void reluIsMathMaxWithZero() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int n : WIDTHS) {
            float[] x = specialValues(random, n);
            float[] expected = x.clone();
            for (int i = 0; i < n; i++) {
                expected[i] = Math.max(expected[i], 0f);
            }
            Kernels.relu(x, n);
            assertThat(bits(x)).as("seed %d, n=%d", SEED, n).isEqualTo(bits(expected));
        }
    }

    /** Enough calls for the JIT to compile the vector intrinsics, whose NaN and -0 handling must agree. */
    @Test
    void reluAndReluBackwardKeepTheirSemanticsOnceCompiled() {
        float[] input = {Float.NaN, -0f, 0f, -1f, 2f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 1e-45f};
        float[] x = new float[64];
        float[] grad = new float[64];
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = input[i % input.length];
                grad[i] = 3f;
            }
            Kernels.reluBackward(x, grad, x.length);
            Kernels.relu(x, x.length);
        }
        for (int i = 0; i < x.length; i++) {
            float in = input[i % input.length];
            assertThat(Float.floatToRawIntBits(x[i])).as("relu(%s)", in)
                    .isEqualTo(Float.floatToRawIntBits(Math.max(in, 0f)));
            assertThat(grad[i]).as("reluBackward at activation %s", in).isEqualTo(in <= 0f ? 0f : 3f);
        }
    }

    @Test
    void reluBackwardZeroesGradientWhereActivationIsNotPositive() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int n : WIDTHS) {
            float[] activated = specialValues(random, n);
            float[] grad = specialValues(random, n);
            float[] expected = grad.clone();
            for (int i = 0; i < n; i++) {
                if (activated[i] <= 0f) {
                    expected[i] = 0f;
                }
            }
            Kernels.reluBackward(activated, grad, n);
            assertThat(bits(grad)).as("seed %d, n=%d", SEED + 1, n).isEqualTo(bits(expected));
        }
    }

    @Test
    void addRowVectorAndSumColumnsMatchRowByRowLoops() {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        for (int cols : WIDTHS) {
            int rows = 5;
            float[] x = specialValues(random, rows * cols);
            float[] bias = specialValues(random, cols);
            float[] expected = x.clone();
            float[] expectedSums = new float[cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    expected[r * cols + c] += bias[c];
                    expectedSums[c] += expected[r * cols + c];
                }
            }
            Kernels.addRowVector(x, rows, cols, bias);
            assertThat(bits(x)).as("seed %d, addRowVector cols=%d", SEED + 2, cols).isEqualTo(bits(expected));
            float[] sums = new float[cols + 1];
            sums[cols] = 42f;
            java.util.Arrays.fill(sums, 0, cols, Float.NaN);
            Kernels.sumColumns(x, rows, cols, sums);
            assertThat(bits(java.util.Arrays.copyOf(sums, cols))).as("seed %d, sumColumns cols=%d", SEED + 2, cols)
                    .isEqualTo(bits(expectedSums));
            assertThat(sums[cols]).as("element past cols untouched").isEqualTo(42f);
        }
    }

    /** Mostly uniform values, with NaN, -0 and +0 sprinkled in. */
    private static float[] specialValues(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int pick = random.nextInt(10);
            x[i] = pick == 0 ? Float.NaN : pick == 1 ? -0f : pick == 2 ? 0f : (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    private static int[] bits(float[] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Float.floatToRawIntBits(x[i]);
        }
        return out;
    }

    /**
     * The largest magnitude equals the scalar loop's for lengths around every loop's bounds (the four
     * accumulators, the one-vector loop, the tail), and a NaN anywhere comes out.
     */
    @Test
    void maxAbsIsTheScalarMaximumAndANaNAnywhereComesOut() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int n : new int[] {0, 1, 7, 8, 31, 32, 33, 40, 1000, 1003, 101_770}) {
            float[] g = new float[n];
            float max = 0;
            for (int i = 0; i < n; i++) {
                g[i] = (float) (random.nextDouble(-1, 1) * Math.pow(10, random.nextInt(8) - 4));
                max = Math.max(max, Math.abs(g[i]));
            }
            assertThat(Kernels.maxAbs(g)).as("n=%d", n).isEqualTo(max);
            if (n > 0) {
                for (int at : new int[] {0, n / 2, n - 1}) {
                    float[] withNaN = g.clone();
                    withNaN[at] = Float.NaN;
                    assertThat(Kernels.maxAbs(withNaN)).as("n=%d, NaN at %d", n, at).isNaN();
                }
            }
        }
    }
}
