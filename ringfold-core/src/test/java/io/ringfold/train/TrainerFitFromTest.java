package io.ringfold.train;

import io.ringfold.model.Architecture;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.ReferenceBlas;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Trainer.fitFrom: a federated client's local training from given parameters, with FedProx's proximal term. */
class TrainerFitFromTest {

    private static final long SEED = 12;

    private static FloatMatrix x;
    private static float[] y;

    static {
        SplitMix64 r = new SplitMix64(SEED);
        x = new FloatMatrix(64, 4);
        y = new float[64];
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 4; j++) {
                x.set(i, j, (float) r.nextGaussian());
            }
            y[i] = x.get(i, 0) + x.get(i, 1) > 0 ? 1 : 0;
        }
    }

    private static TrainingConfig config() {
        return TrainingConfig.of(Map.of(Hyperparameters.HIDDEN, new int[] {8}, Hyperparameters.EPOCHS, 3,
                Hyperparameters.BATCH_SIZE, 16, Hyperparameters.SEED, SEED));
    }

    private static Network net() {
        return new Architecture(ModelType.MLP, 4, new int[] {8}, Activation.RELU, 2, Loss.CROSS_ENTROPY).toNetwork();
    }

    /** From the seeded initial parameters and mu 0, the same bits as fit: the start is the only difference. */
    @Test
    void fromTheInitialParametersItIsFit() {
        Trainer t = new Trainer(config(), new ReferenceBlas());
        float[] fit = t.fit(net(), x, y, null, null, TrainingListener.NONE).parameters();
        float[] from = t.fitFrom(net(), net().initialParameters(SEED), 0f, x, y, TrainingListener.NONE).parameters();
        assertThat(from).containsExactly(fit);
    }

    /**
     * The proximal term pulls the local parameters towards the start. With plain SGD at rate 0.05 and mu 10 each
     * step shrinks the distance to the start by half before the loss's gradient moves it, so it ends far closer.
     */
    @Test
    void proximalTermKeepsParametersNearTheStart() {
        Trainer t = new Trainer(config().with(Hyperparameters.OPTIMIZER, OptimizerKind.SGD)
                .with(Hyperparameters.LEARNING_RATE, 0.05f), new ReferenceBlas());
        float[] start = net().initialParameters(SEED + 1);
        double free = distance(t.fitFrom(net(), start, 0f, x, y, TrainingListener.NONE).parameters(), start);
        double held = distance(t.fitFrom(net(), start, 10f, x, y, TrainingListener.NONE).parameters(), start);
        assertThat(held).isGreaterThan(0).isLessThan(free / 2);
    }

    @Test
    void refusesAStartOfAnotherNetwork() {
        Trainer t = new Trainer(config(), new ReferenceBlas());
        assertThatThrownBy(() -> t.fitFrom(net(), new float[3], 0f, x, y, TrainingListener.NONE))
                .hasMessageStartingWith("start: 3 parameters (expected: ");
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }
}
