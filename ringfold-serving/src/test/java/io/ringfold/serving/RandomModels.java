package io.ringfold.serving;

import io.ringfold.data.Preprocessor;
import io.ringfold.model.Architecture;
import io.ringfold.model.Model;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Models of the shapes that are served (wide inputs, hidden layers) with seeded random parameters, for
 * tests where the summation order of a product matters: {@link TestModels}' outputs are single products,
 * the same bits in any order.
 */
public final class RandomModels {

    private RandomModels() {
    }

    /** The fashion-MNIST MLP shape: 784 inputs, 64 ReLU units, 10 softmax outputs. */
    public static Model classifier(SplittableRandom random) {
        return model(random, new Architecture(ModelType.MLP, 784, new int[] {64}, Activation.RELU, 10,
                Loss.CROSS_ENTROPY));
    }

    /** A regressor with two tanh layers over 300 inputs. */
    public static Model regressor(SplittableRandom random) {
        return model(random, new Architecture(ModelType.MLP, 300, new int[] {48, 17}, Activation.TANH, 1, Loss.MSE));
    }

    /** Parameters uniform in ±1/√inputs, so that activations stay in a useful range. */
    private static Model model(SplittableRandom random, Architecture arch) {
        float[] p = new float[(int) arch.parameterCount()];
        double scale = 1 / Math.sqrt(arch.inputs());
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) random.nextDouble(-scale, scale);
        }
        return new Model(arch, p, Preprocessor.identity(arch.inputs()), List.of(), TestModels.provenance());
    }

    /** {@code rows × width} values uniform in [-1, 1), row-major. */
    public static float[] rows(SplittableRandom random, int rows, int width) {
        float[] x = new float[rows * width];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }
}
