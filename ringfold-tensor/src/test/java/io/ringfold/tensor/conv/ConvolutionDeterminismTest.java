package io.ringfold.tensor.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.PackedMatrix;
import io.ringfold.tensor.VectorBlas;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What exact data-parallel training and batch-invariant serving need of the convolution on the pure-Java
 * BLAS: the same bits for 1 to 4 BLAS threads (LeNet's second convolution is past the threshold at which
 * {@link VectorBlas} splits a product), and the prediction forward pass equal to the training one.
 */
class ConvolutionDeterminismTest {

    private static final long SEED = ConvolutionContractTest.SEED + 20;

    @Test
    void forwardAndBackwardAreBitIdenticalForOneToFourThreads() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.square(1, 28, 28, 20, 5, 1, 0),
                ConvGeometry.square(20, 12, 12, 50, 5, 1, 0), ConvGeometry.square(3, 30, 30, 16, 3, 2, 1)}) {
            int rows = 8;
            float[] x = ConvReference.randomArray(random, rows * g.inputSize());
            float[] params = ConvReference.randomArray(random, g.parameterCount());
            float[] dy = ConvReference.randomArray(random, rows * g.outputSize());
            PackedMatrix packed = InvariantConvolution.packWeights(g, params, 0);
            float[][] expected = null;
            for (int threads = 1; threads <= 4; threads++) {
                Blas blas = new VectorBlas(threads);
                Convolution conv = new Convolution(g, rows);
                float[] y = new float[rows * g.outputSize()];
                conv.forward(blas, rows, x, 0, params, 0, y, 0);
                float[] grad = new float[g.parameterCount()];
                float[] dx = new float[rows * g.inputSize()];
                conv.backward(blas, rows, dy, 0, params, 0, grad, 0, dx, 0);
                float[] predicted = new float[rows * g.outputSize()];
                new InvariantConvolution(g).forward(blas, rows, x, 0, packed, params, 0, predicted, 0);
                float[][] results = {y, grad, dx, predicted};
                if (expected == null) {
                    expected = results;
                    // On VectorBlas the prediction's products have the training products' arithmetic.
                    assertThat(predicted).as("seed %d, %s: prediction against training forward", SEED, g).isEqualTo(y);
                    continue;
                }
                String[] names = {"y", "gradient", "dx", "prediction"};
                for (int i = 0; i < results.length; i++) {
                    assertThat(results[i]).as("seed %d, %s: %s with %d threads against 1", SEED, g, names[i], threads)
                            .isEqualTo(expected[i]);
                }
            }
        }
    }
}
