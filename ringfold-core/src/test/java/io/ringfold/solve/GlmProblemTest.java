package io.ringfold.solve;

import io.ringfold.nn.Loss;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.ReferenceBlas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GlmProblemTest {

    private static final int D = 4;

    private static List<GlmProblem.Block> blocks(Loss loss, int rows, int count, boolean weighted, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        List<GlmProblem.Block> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int n = rows / count + (b < rows % count ? 1 : 0);
            FloatMatrix x = new FloatMatrix(n, D);
            float[] y = new float[n];
            float[] w = weighted ? new float[n] : null;
            for (int i = 0; i < n; i++) {
                double t = 0;
                for (int j = 0; j < D; j++) {
                    float v = (float) rng.nextGaussian();
                    x.set(i, j, v);
                    t += (j + 1) * 0.5 * v;
                }
                y[i] = switch (loss) {
                    case MSE -> (float) (t + 0.3 * rng.nextGaussian());
                    case BINARY_CROSS_ENTROPY -> t + rng.nextGaussian() > 0 ? 1 : 0;
                    default -> (float) Math.floorMod((long) Math.floor(t + rng.nextGaussian()), 3);
                };
                if (w != null) {
                    w[i] = (float) (0.5 + rng.nextDouble() * 2);
                }
            }
            out.add(new GlmProblem.Block(b, x, y, w));
        }
        return out;
    }

    private static int outputs(Loss loss) {
        return loss == Loss.CROSS_ENTROPY ? 3 : 1;
    }

    /** The gradient equals central finite differences of the objective (the loss computed in double). */
    @ParameterizedTest
    @EnumSource(value = Loss.class, names = {"MSE", "BINARY_CROSS_ENTROPY", "CROSS_ENTROPY"})
    void gradientMatchesFiniteDifferences(Loss loss) {
        GlmProblem p = new GlmProblem(new ReferenceBlas(), loss, D, outputs(loss), 3, blocks(loss, 50, 3, true, 5),
                GlmProblem.Exchange.LOCAL, 0.1);
        SplitMix64 rng = new SplitMix64(11);
        double[] theta = new double[p.parameterCount()];
        for (int i = 0; i < theta.length; i++) {
            // Values a float holds exactly, so that the float parameters the kernels see are theta itself.
            theta[i] = Math.round(rng.nextGaussian() * 64) / 128.0;
        }
        double[] g = new double[theta.length];
        p.evaluate(theta, g);
        double h = 1.0 / 1024;
        for (int i = 0; i < theta.length; i++) {
            double[] up = theta.clone();
            double[] down = theta.clone();
            up[i] += h;
            down[i] -= h;
            double numeric = (p.evaluate(up, new double[theta.length]) - p.evaluate(down, new double[theta.length]))
                    / (2 * h);
            assertThat(g[i]).as("%s parameter %d", loss, i).isCloseTo(numeric, within(2e-4 + 1e-3 * Math.abs(numeric)));
        }
    }

    /**
     * Dense rows (the chunked {@code TallSkinnyGemm} path) give the objective and gradient of the same rows in CSR
     * form (the BLAS path), up to float rounding: blocks longer than a chunk with a short last chunk, features
     * that are not a multiple of the vector width, and classes that are not a multiple of the kernel's five.
     */
    @ParameterizedTest
    @EnumSource(value = Loss.class, names = {"MSE", "BINARY_CROSS_ENTROPY", "CROSS_ENTROPY"})
    void denseRowsGiveTheObjectiveOfTheSameRowsInCsrForm(Loss loss) {
        int features = 70;
        int outputs = loss == Loss.CROSS_ENTROPY ? 7 : 1;
        long seed = 23;
        SplitMix64 rng = new SplitMix64(seed);
        List<GlmProblem.Block> dense = new ArrayList<>();
        List<GlmProblem.Block> sparse = new ArrayList<>();
        for (int b = 0; b < 2; b++) {
            int n = 130 - 29 * b;
            FloatMatrix x = new FloatMatrix(n, features);
            int[] rowPtr = new int[n + 1];
            int[] cols = new int[n * features];
            float[] vals = new float[n * features];
            int nnz = 0;
            float[] y = new float[n];
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < features; j++) {
                    if (rng.nextDouble() < 0.7) {
                        float v = (float) rng.nextGaussian();
                        x.set(i, j, v);
                        cols[nnz] = j;
                        vals[nnz++] = v;
                    }
                }
                rowPtr[i + 1] = nnz;
                y[i] = switch (loss) {
                    case MSE -> (float) rng.nextGaussian();
                    case BINARY_CROSS_ENTROPY -> rng.nextDouble() < 0.5 ? 1 : 0;
                    default -> (float) Math.floor(rng.nextDouble() * outputs);
                };
                w[i] = (float) (0.5 + rng.nextDouble());
            }
            dense.add(new GlmProblem.Block(b, x, y, w));
            sparse.add(new GlmProblem.Block(b, new CsrMatrix(n, features, rowPtr, java.util.Arrays.copyOf(cols, nnz),
                    java.util.Arrays.copyOf(vals, nnz)), y, w));
        }
        GlmProblem pd = new GlmProblem(new ReferenceBlas(), loss, features, outputs, 2, dense,
                GlmProblem.Exchange.LOCAL, 0.01);
        GlmProblem ps = new GlmProblem(new ReferenceBlas(), loss, features, outputs, 2, sparse,
                GlmProblem.Exchange.LOCAL, 0.01);
        double[] theta = new double[pd.parameterCount()];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = rng.nextGaussian() * 0.2;
        }
        double[] gd = new double[theta.length];
        double[] gs = new double[theta.length];
        double fd = pd.evaluate(theta, gd);
        double fs = ps.evaluate(theta, gs);
        assertThat(fd).as("seed %d, %s objective", seed, loss).isCloseTo(fs, within(1e-5 * Math.abs(fs)));
        assertThat(pd.lastHits()).as("seed %d, %s hits", seed, loss).isEqualTo(ps.lastHits());
        for (int i = 0; i < theta.length; i++) {
            assertThat(gd[i]).as("seed %d, %s gradient %d", seed, loss, i).isCloseTo(gs[i],
                    within(1e-6 + 1e-4 * Math.abs(gs[i])));
        }
    }

    /** Weights count as repeated rows: a row of weight 2 is the same objective as the row twice. */
    @Test
    void aWeightOfTwoIsTheRowTwice() {
        FloatMatrix once = new FloatMatrix(2, D);
        FloatMatrix twice = new FloatMatrix(3, D);
        for (int j = 0; j < D; j++) {
            once.set(0, j, j + 1);
            once.set(1, j, -j);
            twice.set(0, j, j + 1);
            twice.set(1, j, j + 1);
            twice.set(2, j, -j);
        }
        GlmProblem weighted = new GlmProblem(new ReferenceBlas(), Loss.BINARY_CROSS_ENTROPY, D, 1, 1,
                List.of(new GlmProblem.Block(0, once, new float[] {1, 0}, new float[] {2, 1})),
                GlmProblem.Exchange.LOCAL, 0.5);
        GlmProblem repeated = new GlmProblem(new ReferenceBlas(), Loss.BINARY_CROSS_ENTROPY, D, 1, 1,
                List.of(new GlmProblem.Block(0, twice, new float[] {1, 1, 0}, null)), GlmProblem.Exchange.LOCAL, 0.5);
        double[] theta = {0.25, -0.5, 0.125, 1, 0.5};
        double[] g1 = new double[5];
        double[] g2 = new double[5];
        assertThat(weighted.evaluate(theta, g1)).isCloseTo(repeated.evaluate(theta, g2), within(1e-12));
        for (int i = 0; i < 5; i++) {
            assertThat(g1[i]).isCloseTo(g2[i], within(1e-6));
        }
    }

    /** The normal equations give the parameters at which the least-squares gradient vanishes, ridge included. */
    @Test
    void normalEquationsZeroTheGradientOfLeastSquaresAndRidge() {
        for (double l2 : new double[] {0, 0.3}) {
            GlmProblem p = new GlmProblem(new ReferenceBlas(), Loss.MSE, D, 1, 4, blocks(Loss.MSE, 203, 4, true, 9),
                    GlmProblem.Exchange.LOCAL, l2);
            double[] theta = p.solveNormalEquations();
            assertThat(theta).isNotNull();
            double[] g = new double[theta.length];
            p.evaluate(theta, g);
            for (int i = 0; i < g.length; i++) {
                assertThat(g[i]).as("l2 %s, gradient %d", l2, i).isCloseTo(0, within(1e-6));
            }
        }
    }

    @Test
    void aRepeatedColumnMakesTheNormalEquationsSingular() {
        FloatMatrix x = new FloatMatrix(10, 2);
        float[] y = new float[10];
        for (int i = 0; i < 10; i++) {
            x.set(i, 0, i);
            x.set(i, 1, i);
            y[i] = 2 * i + 1;
        }
        GlmProblem p = new GlmProblem(new ReferenceBlas(), Loss.MSE, 2, 1, 1,
                List.of(new GlmProblem.Block(0, x, y, null)), GlmProblem.Exchange.LOCAL, 0);
        assertThat(p.solveNormalEquations()).isNull();
    }

    @Test
    void weightsThatSumToZeroAreRefused() {
        FloatMatrix x = new FloatMatrix(2, D);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GlmProblem(new ReferenceBlas(), Loss.MSE, D, 1, 1,
                        List.of(new GlmProblem.Block(0, x, new float[2], new float[2])), GlmProblem.Exchange.LOCAL, 0))
                .hasMessage("weights: they sum to 0.0 (expected: > 0)");
    }
}
