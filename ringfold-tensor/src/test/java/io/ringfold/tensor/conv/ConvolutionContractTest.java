package io.ringfold.tensor.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.PackedMatrix;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The convolution kernels against {@link ConvReference} (double precision, from the definition), run on
 * each {@link Blas} implementation: the training forward and backward passes and the prediction forward
 * pass, within the float error bound of each sum; the prediction's batch invariance; and the promise
 * behind exact data-parallel training, that a shard's results depend on its rows alone.
 */
abstract class ConvolutionContractTest {

    /** Fixed, and named in every failure message so that a failing case can be replayed. */
    static final long SEED = 20261207L;
    private static final float SENTINEL = -7777f;
    private static final int X_OFF = 3;
    private static final int Y_OFF = 5;
    private static final int PARAM_OFF = 2;
    private static final int GRAD_OFF = 4;
    private static final int DX_OFF = 6;

    /**
     * 1 and 3 channels (and LeNet's 20), kernels 1, 3 and 5 (and 3x2), strides 1 and 2, padding 0, 1 and 2,
     * odd sizes, and LeNet's two convolutions.
     */
    static final ConvGeometry[] GEOMETRIES = {
        ConvGeometry.square(1, 5, 5, 2, 1, 1, 0),
        ConvGeometry.square(1, 7, 9, 3, 3, 1, 1),
        ConvGeometry.square(3, 9, 7, 4, 3, 2, 0),
        ConvGeometry.square(3, 8, 11, 5, 5, 1, 2),
        ConvGeometry.square(3, 11, 9, 2, 5, 2, 1),
        ConvGeometry.square(1, 3, 4, 2, 1, 1, 2),
        ConvGeometry.square(3, 13, 13, 3, 3, 2, 2),
        new ConvGeometry(2, 6, 7, 3, 3, 2, 1, 1),
        ConvGeometry.square(1, 28, 28, 20, 5, 1, 0),
        ConvGeometry.square(20, 12, 12, 50, 5, 1, 0),
    };
    static final int[] BATCHES = {1, 7};

    abstract Blas blas();

    @Test
    void forwardMatchesTheDoubleReference() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (ConvGeometry g : GEOMETRIES) {
            for (int rows : BATCHES) {
                float[] x = input(random, g, rows);
                float[] params = parameters(random, g);
                float[] y = output(Y_OFF, rows * g.outputSize(), 3);
                new Convolution(g, rows).forward(blas(), rows, x, X_OFF, params, PARAM_OFF, y, Y_OFF);
                checkOutput(label(g, rows), g, rows, x, params, y);
            }
        }
    }

    @Test
    void predictionForwardMatchesTheDoubleReference() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (ConvGeometry g : GEOMETRIES) {
            for (int rows : BATCHES) {
                float[] x = input(random, g, rows);
                float[] params = parameters(random, g);
                float[] y = output(Y_OFF, rows * g.outputSize(), 3);
                PackedMatrix packed = InvariantConvolution.packWeights(g, params, PARAM_OFF);
                new InvariantConvolution(g).forward(blas(), rows, x, X_OFF, packed, params, PARAM_OFF, y, Y_OFF);
                checkOutput(label(g, rows) + " (prediction)", g, rows, x, params, y);
            }
        }
    }

    @Test
    void backwardMatchesTheDoubleReference() {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        for (ConvGeometry g : GEOMETRIES) {
            for (int rows : BATCHES) {
                String label = label(g, rows);
                float[] x = input(random, g, rows);
                float[] params = parameters(random, g);
                float[] dy = ConvReference.randomArray(random, rows * g.outputSize());
                float[] dyAtOffset = new float[Y_OFF + dy.length];
                System.arraycopy(dy, 0, dyAtOffset, Y_OFF, dy.length);
                Convolution conv = new Convolution(g, rows);
                conv.forward(blas(), rows, x, X_OFF, params, PARAM_OFF, new float[rows * g.outputSize()], 0);
                float[] grad = output(GRAD_OFF, g.parameterCount(), 3);
                float[] dx = output(DX_OFF, rows * g.inputSize(), 3);
                conv.backward(blas(), rows, dyAtOffset, Y_OFF, params, PARAM_OFF, grad, GRAD_OFF, dx, DX_OFF);

                float[] xs = Arrays.copyOfRange(x, X_OFF, X_OFF + rows * g.inputSize());
                float[] ws = Arrays.copyOfRange(params, PARAM_OFF, PARAM_OFF + g.parameterCount());
                double[] expected = ConvReference.parameterGradient(g, rows, xs, dy, false);
                double[] magnitude = ConvReference.parameterGradient(g, rows, xs, dy, true);
                int sumTerms = rows * g.outPositions();
                checkClose(label + " parameter gradient", grad, GRAD_OFF, expected, magnitude, sumTerms);
                double[] expectedDx = ConvReference.inputGradient(g, rows, ws, dy, false);
                double[] magnitudeDx = ConvReference.inputGradient(g, rows, ws, dy, true);
                checkClose(label + " dx", dx, DX_OFF, expectedDx, magnitudeDx, g.filters() * g.kernelH() * g.kernelW());

                // Without dx (a first layer) the parameter gradient is the same, and dx is not needed.
                float[] gradAlone = output(GRAD_OFF, g.parameterCount(), 3);
                conv.backward(blas(), rows, dyAtOffset, Y_OFF, params, PARAM_OFF, gradAlone, GRAD_OFF, null, 0);
                assertThat(gradAlone).as("%s: gradient without dx", label).isEqualTo(grad);
            }
        }
    }

    @Test
    void aRowOfThePredictionHasTheSameBitsAloneAndAnywhereInABatch() {
        SplittableRandom random = new SplittableRandom(SEED + 3);
        for (ConvGeometry g : new ConvGeometry[] {GEOMETRIES[3], GEOMETRIES[7], GEOMETRIES[9]}) {
            int m = 12;
            float[] x = ConvReference.randomArray(random, m * g.inputSize());
            float[] params = parameters(random, g);
            PackedMatrix packed = InvariantConvolution.packWeights(g, params, PARAM_OFF);
            InvariantConvolution conv = new InvariantConvolution(g);
            float[] alone = new float[m * g.outputSize()];
            for (int r = 0; r < m; r++) {
                conv.forward(blas(), 1, x, r * g.inputSize(), packed, params, PARAM_OFF, alone, r * g.outputSize());
            }
            for (int trial = 0; trial < 8; trial++) {
                int from = random.nextInt(m);
                int rows = 1 + random.nextInt(m - from);
                // The rows sit at a random position of a longer buffer, after other rows.
                int shift = random.nextInt(3);
                float[] batch = ConvReference.randomArray(random, (shift + rows) * g.inputSize());
                System.arraycopy(x, from * g.inputSize(), batch, shift * g.inputSize(), rows * g.inputSize());
                float[] y = new float[(shift + rows) * g.outputSize()];
                conv.forward(blas(), shift + rows, batch, 0, packed, params, PARAM_OFF, y, 0);
                assertThat(Arrays.copyOfRange(y, shift * g.outputSize(), y.length))
                        .as("seed %d, %s: rows [%d, %d) at position %d of a batch of %d against each alone", SEED + 3,
                                g, from, from + rows, shift, shift + rows)
                        .isEqualTo(Arrays.copyOfRange(alone, from * g.outputSize(), (from + rows) * g.outputSize()));
            }
        }
    }

    @Test
    void aShardsResultsDependOnItsRowsAlone() {
        SplittableRandom random = new SplittableRandom(SEED + 4);
        for (ConvGeometry g : new ConvGeometry[] {GEOMETRIES[4], GEOMETRIES[8], GEOMETRIES[9]}) {
            int rows = 3;
            float[] x = ConvReference.randomArray(random, rows * g.inputSize());
            float[] params = parameters(random, g);
            float[] dy = ConvReference.randomArray(random, rows * g.outputSize());
            Result fresh = trainStep(new Convolution(g, rows), g, rows, x, 0, params, dy);

            // Another instance, sized for more rows, that computed another batch first; the shard at an offset.
            Convolution used = new Convolution(g, 9);
            float[] other = ConvReference.randomArray(random, 9 * g.inputSize());
            trainStep(used, g, 9, other, 0, params, ConvReference.randomArray(random, 9 * g.outputSize()));
            float[] shifted = ConvReference.randomArray(random, 5 * g.inputSize());
            System.arraycopy(x, 0, shifted, 2 * g.inputSize(), rows * g.inputSize());
            Result again = trainStep(used, g, rows, shifted, 2 * g.inputSize(), params, dy);

            String label = "seed " + (SEED + 4) + ", " + g;
            assertThat(again.y).as("%s: y", label).isEqualTo(fresh.y);
            assertThat(again.grad).as("%s: gradient", label).isEqualTo(fresh.grad);
            assertThat(again.dx).as("%s: dx", label).isEqualTo(fresh.dx);
        }
    }

    @Test
    void backwardNeedsTheForwardPassOfTheSameRows() {
        ConvGeometry g = GEOMETRIES[1];
        Convolution conv = new Convolution(g, 4);
        float[] params = new float[g.parameterCount()];
        float[] dy = new float[4 * g.outputSize()];
        float[] grad = new float[g.parameterCount()];
        assertThatThrownBy(() -> conv.backward(blas(), 2, dy, 0, params, 0, grad, 0, null, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("backward: 2 rows, but the last forward pass had none (expected: backward after a forward pass of the same rows)");
        conv.forward(blas(), 3, new float[3 * g.inputSize()], 0, params, 0, new float[3 * g.outputSize()], 0);
        assertThatThrownBy(() -> conv.backward(blas(), 2, dy, 0, params, 0, grad, 0, null, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the last forward pass had 3 rows");
        assertThatThrownBy(() -> conv.forward(blas(), 5, new float[5 * g.inputSize()], 0, params, 0,
                new float[5 * g.outputSize()], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("forward: rows: 5 (expected: 0 to maxRows 4)");
        assertThatThrownBy(() -> conv.forward(blas(), 2, new float[2 * g.inputSize() - 1], 0, params, 0,
                new float[2 * g.outputSize()], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: 2 x " + g.inputSize() + " elements from offset 0 (expected: within an array of "
                        + (2 * g.inputSize() - 1) + " elements)");
    }

    private record Result(float[] y, float[] grad, float[] dx) {
    }

    private Result trainStep(Convolution conv, ConvGeometry g, int rows, float[] x, int xOff, float[] params, float[] dy) {
        float[] y = output(0, rows * g.outputSize(), 0);
        conv.forward(blas(), rows, x, xOff, params, PARAM_OFF, y, 0);
        float[] grad = output(0, g.parameterCount(), 0);
        float[] dx = output(0, rows * g.inputSize(), 0);
        conv.backward(blas(), rows, dy, 0, params, PARAM_OFF, grad, 0, dx, 0);
        return new Result(y, grad, dx);
    }

    /** y from {@code Y_OFF} against the reference; the elements around it untouched. */
    private static void checkOutput(String label, ConvGeometry g, int rows, float[] x, float[] params, float[] y) {
        float[] xs = Arrays.copyOfRange(x, X_OFF, X_OFF + rows * g.inputSize());
        float[] ws = Arrays.copyOfRange(params, PARAM_OFF, PARAM_OFF + g.parameterCount());
        double[] expected = ConvReference.forward(g, rows, xs, ws, false);
        double[] magnitude = ConvReference.forward(g, rows, xs, ws, true);
        checkClose(label + " y", y, Y_OFF, expected, magnitude, g.patchSize() + 1);
    }

    /**
     * {@code actual[off + i]} within the bound of a float sum of {@code terms} terms of {@code expected[i]};
     * the elements before {@code off} and after the range must still hold what the test put there.
     */
    static void checkClose(String label, float[] actual, int off, double[] expected, double[] magnitude, int terms) {
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[off + i]).as("%s[%d]", label, i)
                    .isCloseTo(expected[i], Offset.offset(ConvReference.bound(terms, magnitude[i])));
        }
        for (int i = 0; i < actual.length; i++) {
            if (i < off || i >= off + expected.length) {
                assertThat(actual[i]).as("%s: element %d outside the output changed", label, i).isEqualTo(SENTINEL);
            }
        }
    }

    private static float[] input(SplittableRandom random, ConvGeometry g, int rows) {
        float[] x = ConvReference.randomArray(random, X_OFF + rows * g.inputSize() + 2);
        return x;
    }

    private static float[] parameters(SplittableRandom random, ConvGeometry g) {
        return ConvReference.randomArray(random, PARAM_OFF + g.parameterCount() + 1);
    }

    /** An output array: NaN in {@code [off, off + count)}, which the kernel must overwrite, the sentinel around it. */
    static float[] output(int off, int count, int after) {
        float[] a = new float[off + count + after];
        Arrays.fill(a, SENTINEL);
        Arrays.fill(a, off, off + count, Float.NaN);
        return a;
    }

    private String label(ConvGeometry g, int rows) {
        return "seed " + SEED + ", " + blas().name() + ", " + g + ", rows " + rows;
    }
}
