package io.ringfold.tensor.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.VectorBlas;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The backward pass against central finite differences of the forward pass itself, for the loss
 * {@code L = Σ y·R} (R fixed and random), evaluated in double from the float outputs. The convolution is
 * linear in each weight and each input, so the difference quotient is exact but for the outputs'
 * rounding, which a step of 0.5 makes negligible against the tolerance.
 */
class ConvolutionGradientTest {

    private static final long SEED = ConvolutionContractTest.SEED + 30;
    private static final float STEP = 0.5f;

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(SEED);
        Blas blas = new VectorBlas(1);
        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.square(1, 7, 6, 3, 3, 1, 1),
                ConvGeometry.square(3, 9, 8, 2, 5, 2, 2), new ConvGeometry(2, 6, 7, 3, 3, 2, 1, 1)}) {
            int rows = 3;
            float[] x = ConvReference.randomArray(random, rows * g.inputSize());
            float[] params = ConvReference.randomArray(random, g.parameterCount());
            float[] weightsOfLoss = ConvReference.randomArray(random, rows * g.outputSize());
            Convolution conv = new Convolution(g, rows);
            conv.forward(blas, rows, x, 0, params, 0, new float[rows * g.outputSize()], 0);
            float[] grad = new float[g.parameterCount()];
            float[] dx = new float[rows * g.inputSize()];
            conv.backward(blas, rows, weightsOfLoss, 0, params, 0, grad, 0, dx, 0);

            for (int trial = 0; trial < 25; trial++) {
                int p = random.nextInt(g.parameterCount());
                double numeric = difference(blas, g, rows, x, params, params, p, weightsOfLoss);
                assertThat((double) grad[p]).as("seed %d, %s: dL/dparam[%d]", SEED, g, p)
                        .isCloseTo(numeric, Offset.offset(1e-4 * (1 + Math.abs(numeric))));
                int i = random.nextInt(x.length);
                double numericX = difference(blas, g, rows, x, params, x, i, weightsOfLoss);
                assertThat((double) dx[i]).as("seed %d, %s: dL/dx[%d]", SEED, g, i)
                        .isCloseTo(numericX, Offset.offset(1e-4 * (1 + Math.abs(numericX))));
            }
        }
    }

    /** {@code (L(v[i] + STEP) − L(v[i] − STEP)) / (2·STEP)}, where v is x or the parameters; v restored. */
    private static double difference(Blas blas, ConvGeometry g, int rows, float[] x, float[] params, float[] v, int i,
                                     float[] weightsOfLoss) {
        float saved = v[i];
        v[i] = saved + STEP;
        double up = loss(blas, g, rows, x, params, weightsOfLoss);
        v[i] = saved - STEP;
        double down = loss(blas, g, rows, x, params, weightsOfLoss);
        v[i] = saved;
        return (up - down) / (2 * STEP);
    }

    private static double loss(Blas blas, ConvGeometry g, int rows, float[] x, float[] params, float[] weightsOfLoss) {
        float[] y = new float[rows * g.outputSize()];
        new Convolution(g, rows).forward(blas, rows, x, 0, params, 0, y, 0);
        double sum = 0;
        for (int o = 0; o < y.length; o++) {
            sum += (double) y[o] * weightsOfLoss[o];
        }
        return sum;
    }
}
