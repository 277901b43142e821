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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EvaluationTest {

    private static final ReferenceBlas BLAS = new ReferenceBlas();

    /** 103 rows of 4 features: not a multiple of the batch sizes used below. */
    private static FloatMatrix features(long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        FloatMatrix x = new FloatMatrix(103, 4);
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < x.cols(); j++) {
                x.set(i, j, (float) rng.nextGaussian());
            }
        }
        return x;
    }

    /**
     * The totals of batch blocks computed separately (as workers do, each into its own zeroed array) and
     * added slot by slot give the bits of the one-pass evaluation, for any split.
     */
    @Test
    void batchesSplitInBlocksGiveTheBitsOfOnePass() {
        FloatMatrix x = features(1);
        float[] labels = new float[x.rows()];
        float[] targets = new float[x.rows()];
        SplitMix64 rng = new SplitMix64(2);
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rng.nextInt(3);
            targets[i] = (float) (3 * rng.nextGaussian());
        }
        Network mlp = new Architecture(ModelType.MLP, 4, new int[] {6}, Activation.RELU, 3, Loss.CROSS_ENTROPY).toNetwork();
        Network linear = new Architecture(ModelType.LINEAR, 4, new int[0], Activation.IDENTITY, 1, Loss.MSE).toNetwork();
        for (Network arch : new Network[] {mlp, linear}) {
            float[] y = arch == mlp ? labels : targets;
            float[] params = arch.initialParameters(5);
            for (int batch : new int[] {10, 32, 103, 500}) {
                Evaluation whole = Evaluation.of(BLAS, arch, params, x, y, batch);
                int batches = Evaluation.batches(x.rows(), batch);
                for (int workers = 1; workers <= Math.min(4, batches); workers++) {
                    double[] sum = new double[Evaluation.PER_BATCH * batches];
                    for (int w = 0; w < workers; w++) {
                        double[] mine = new double[sum.length];
                        Evaluation.batchTotals(BLAS, arch, params, x, y, batch, batches * w / workers,
                                batches * (w + 1) / workers, mine);
                        for (int i = 0; i < sum.length; i++) {
                            sum[i] += mine[i];
                        }
                    }
                    assertThat(Evaluation.combine(arch, sum, y)).as("%s, batch %d, %d blocks", arch.describe(),
                            batch, workers).isEqualTo(whole);
                }
            }
        }
    }

    /** RMSE and R² against a direct computation from the linear model's predictions. */
    @Test
    void regressionMetricsMatchTheirDefinitions() {
        FloatMatrix x = features(3);
        Network arch = new Architecture(ModelType.LINEAR, 4, new int[0], Activation.IDENTITY, 1, Loss.MSE).toNetwork();
        float[] params = {0.5f, -1f, 2f, 0.25f, 0.75f}; // four weights, then the bias
        float[] y = new float[x.rows()];
        SplitMix64 rng = new SplitMix64(4);
        double sse = 0;
        double mean = 0;
        for (int i = 0; i < y.length; i++) {
            double prediction = params[4];
            for (int j = 0; j < 4; j++) {
                prediction += params[j] * x.get(i, j);
            }
            y[i] = (float) (prediction + rng.nextGaussian());
            sse += (prediction - y[i]) * (prediction - y[i]);
            mean += y[i];
        }
        mean /= y.length;
        double sst = 0;
        for (float t : y) {
            sst += (t - mean) * (t - mean);
        }
        Evaluation e = Evaluation.of(BLAS, arch, params, x, y, 16);
        assertThat(e.rmse()).isCloseTo(Math.sqrt(sse / y.length), within(1e-5));
        assertThat(e.r2()).isCloseTo(1 - sse / sst, within(1e-5));
        assertThat(e.r2()).isBetween(0.5, 1.0);
    }

    @Test
    void badArgumentsAreNamed() {
        FloatMatrix x = features(5);
        float[] y = new float[x.rows()];
        Network arch = new Architecture(ModelType.LINEAR, 4, new int[0], Activation.IDENTITY, 1, Loss.MSE).toNetwork();
        float[] params = arch.initialParameters(1);
        double[] totals = new double[Evaluation.PER_BATCH * 11];
        assertThatThrownBy(() -> Evaluation.batchTotals(BLAS, arch, params, x, y, 10, 3, 12, totals))
                .hasMessage("batches: [3, 12) (expected: within [0, 11))");
        assertThatThrownBy(() -> Evaluation.batchTotals(BLAS, arch, params, x, y, 10, 0, 11, new double[30]))
                .hasMessage("batch totals: 30 values (expected: 3 per batch, 33)");
        assertThatThrownBy(() -> Evaluation.batchTotals(BLAS, arch, params, x, new float[5], 10, 0, 11, totals))
                .hasMessage("targets: 5 (expected: one per row, 103)");
        assertThatThrownBy(() -> Evaluation.batches(103, 0)).hasMessage("batch: 0 (expected: > 0)");
    }
}
