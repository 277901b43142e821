package io.ringfold.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Architecture;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.ReferenceBlas;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TrainerTest {

    private static TrainingConfig config(String json) {
        ObjectNode n = TrainingConfig.defaults().toJson();
        try {
            n.setAll((ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
        return TrainingConfig.fromJson(n);
    }

    /** y = X w + b + noise; the trained linear model must match ordinary least squares solved in double. */
    @Test
    void linearRegressionMatchesClosedFormLeastSquares() {
        int n = 200;
        int d = 3;
        SplitMix64 rng = new SplitMix64(7);
        FloatMatrix x = new FloatMatrix(n, d);
        float[] y = new float[n];
        double[] w = {1.5, -2.0, 0.5};
        for (int i = 0; i < n; i++) {
            double t = 0.25;
            for (int j = 0; j < d; j++) {
                float v = (float) rng.nextGaussian();
                x.set(i, j, v);
                t += w[j] * v;
            }
            y[i] = (float) (t + 0.1 * rng.nextGaussian());
        }
        double[] ols = leastSquaresWithIntercept(x, y);

        TrainingConfig cfg = config("{\"model\":\"linear\",\"solver\":\"adam\",\"hidden\":[],\"epochs\":3000,\"batchSize\":200,"
                + "\"learningRate\":0.02,\"seed\":3}");
        Network arch = new Architecture(ModelType.LINEAR, d, new int[0], Activation.IDENTITY, 1, Loss.MSE).toNetwork();
        TrainingResult r = new Trainer(cfg, new ReferenceBlas()).fit(arch, x, y, null, null, TrainingListener.NONE);
        float[] p = r.parameters();
        for (int j = 0; j < d; j++) {
            assertThat((double) p[j]).as("weight %d", j).isCloseTo(ols[j], within(1e-3));
        }
        assertThat((double) p[d]).as("bias").isCloseTo(ols[d], within(1e-3));
        assertThat(r.epochs()).hasSize(3000);
    }

    @Test
    void sameSeedGivesBitIdenticalParametersAndOtherSeedsDiffer() {
        FloatMatrix x = blobs(300, 4, 3, 5);
        float[] y = blobLabels(300, 3);
        Network arch = new Architecture(ModelType.MLP, 4, new int[] {8}, Activation.TANH, 3, Loss.CROSS_ENTROPY).toNetwork();
        TrainingConfig a = config("{\"epochs\":3,\"batchSize\":32,\"hidden\":[8],\"activation\":\"tanh\",\"seed\":9}");
        TrainingConfig b = config("{\"epochs\":3,\"batchSize\":32,\"hidden\":[8],\"activation\":\"tanh\",\"seed\":10}");
        Trainer trainer = new Trainer(a, new ReferenceBlas());
        float[] first = trainer.fit(arch, x, y, null, null, TrainingListener.NONE).parameters();
        float[] again = trainer.fit(arch, x, y, null, null, TrainingListener.NONE).parameters();
        float[] other = new Trainer(b, new ReferenceBlas()).fit(arch, x, y, null, null, TrainingListener.NONE).parameters();
        assertThat(again).containsExactly(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void classifiesSeparableBlobsAndStopsEarlyRestoringTheBestEpoch() {
        FloatMatrix x = blobs(600, 2, 3, 1);
        float[] y = blobLabels(600, 3);
        FloatMatrix xv = blobs(150, 2, 3, 2);
        // Validation labels rotated by one class: the better the fit, the worse the validation loss,
        // so early stopping must trigger and hand back an early epoch's parameters.
        float[] yv = blobLabels(150, 3);
        for (int i = 0; i < yv.length; i++) {
            yv[i] = (yv[i] + 1) % 3;
        }
        Network arch = new Architecture(ModelType.SOFTMAX, 2, new int[0], Activation.IDENTITY, 3, Loss.CROSS_ENTROPY).toNetwork();
        TrainingConfig cfg = config("{\"model\":\"softmax\",\"solver\":\"adam\",\"hidden\":[],\"epochs\":200,\"batchSize\":50,"
                + "\"learningRate\":0.05,\"validationSplit\":0.2,\"patience\":3}");
        TrainingResult r = new Trainer(cfg, new ReferenceBlas()).fit(arch, x, y, xv, yv, TrainingListener.NONE);
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(r.epochs().size()).isLessThan(200);
        assertThat(r.bestEpoch()).isEqualTo(r.epochs().size() - 3);
        assertThat(Evaluation.of(new ReferenceBlas(), arch, r.parameters(), xv, yv, 50).meanLoss())
                .isEqualTo(r.epochs().get(r.bestEpoch() - 1).validationLoss());
    }

    @Test
    void softmaxRegressionSeparatesBlobs() {
        Network arch = new Architecture(ModelType.SOFTMAX, 2, new int[0], Activation.IDENTITY, 3, Loss.CROSS_ENTROPY).toNetwork();
        TrainingConfig cfg = config("{\"model\":\"softmax\",\"solver\":\"adam\",\"hidden\":[],\"epochs\":20,\"batchSize\":50,"
                + "\"learningRate\":0.05}");
        TrainingResult r = new Trainer(cfg, new ReferenceBlas()).fit(arch, blobs(600, 2, 3, 1), blobLabels(600, 3),
                blobs(150, 2, 3, 2), blobLabels(150, 3), TrainingListener.NONE);
        EpochMetrics last = r.epochs().get(r.epochs().size() - 1);
        assertThat(last.validationAccuracy()).isGreaterThan(0.95);
        assertThat(last.loss()).isLessThan(r.epochs().get(0).loss());
    }

    @Test
    void invalidHyperparametersNameFieldValueAndExpectation() {
        assertThatThrownBy(() -> config("{\"learningRate\":-0.1}"))
                .hasMessage("learningRate: -0.1 (expected: > 0)");
        assertThatThrownBy(() -> config("{\"batchSize\":0}")).hasMessage("batchSize: 0 (expected: > 0)");
        assertThatThrownBy(() -> config("{\"patience\":2}"))
                .hasMessageStartingWith("patience: 2 (expected: 0 unless validationSplit > 0");
        assertThatThrownBy(() -> config("{\"model\":\"softmax\",\"hidden\":[4]}"))
                .hasMessageStartingWith("hidden: 4 (expected: no hidden layers for model softmax");
        assertThatThrownBy(() -> config("{\"learnigRate\":0.1}"))
                .hasMessageStartingWith("hyperparameter: learnigRate (expected: one of [");
    }

    @Test
    void configRoundTripsThroughJson() {
        TrainingConfig c = config("{\"model\":\"mlp\",\"hidden\":[16,8],\"optimizer\":\"momentum\",\"nesterov\":true,"
                + "\"learningRate\":0.0123,\"lrSchedule\":\"cosine\",\"lrMinFraction\":0.05,\"seed\":-5,\"weightDecay\":1e-4}");
        TrainingConfig back = TrainingConfig.fromJson(c.toJson());
        assertThat(back).isEqualTo(c);
        assertThat(back.learningRate()).isEqualTo(0.0123f);
        assertThat(back.hidden()).containsExactly(16, 8);
    }

    /** Three well-separated Gaussian blobs in the first two dimensions (class i centred at 4i). */
    static FloatMatrix blobs(int n, int d, int classes, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        FloatMatrix x = new FloatMatrix(n, d);
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            for (int j = 0; j < d; j++) {
                x.set(i, j, (float) ((j < 2 ? 4.0 * c : 0) + 0.5 * rng.nextGaussian()));
            }
        }
        return x;
    }

    static float[] blobLabels(int n, int classes) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
        }
        return y;
    }

    /** Solves the normal equations [X 1]ᵀ[X 1] b = [X 1]ᵀ y in double by Gaussian elimination. */
    static double[] leastSquaresWithIntercept(FloatMatrix x, float[] y) {
        int d = x.cols() + 1;
        double[][] a = new double[d][d + 1];
        for (int i = 0; i < x.rows(); i++) {
            double[] row = new double[d];
            for (int j = 0; j < d - 1; j++) {
                row[j] = x.get(i, j);
            }
            row[d - 1] = 1;
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    a[p][q] += row[p] * row[q];
                }
                a[p][d] += row[p] * y[i];
            }
        }
        for (int c = 0; c < d; c++) {
            for (int r = c + 1; r < d; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k <= d; k++) {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
        double[] b = new double[d];
        for (int r = d - 1; r >= 0; r--) {
            double s = a[r][d];
            for (int k = r + 1; k < d; k++) {
                s -= a[r][k] * b[k];
            }
            b[r] = s / a[r][r];
        }
        return b;
    }
}
