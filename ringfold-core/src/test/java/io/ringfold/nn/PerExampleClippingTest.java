package io.ringfold.nn;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.tensor.ReferenceBlas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * DP-SGD's clipped sum ({@link Backpropagation#computeClipped}): the per-example norms each layer computes from
 * its inputs and output gradients agree with one backward pass per example, for every layer a private run may
 * hold; the clipped sum is {@code Σ min(1, C/||g_r||) g_r} of those per-example gradients; hand-computed
 * gradients of known norm come out clipped as derived; and removing any one example changes the sum by at
 * most C.
 */
class PerExampleClippingTest {

    private static final long SEED = 23;

    /** A network of each layer family and data for it: 11 rows. */
    record Case(Network net, Matrix x, float[] y) {
    }

    static Case of(String name) {
        return switch (name) {
            case "dense" -> dense("dense(6),tanh,dense(4),sigmoid", Shape.vector(5), 3, Loss.CROSS_ENTROPY);
            case "convolution" -> dense("conv2d(3,3,padding=1),relu,maxpool2d(2),conv2d(2,2),leakyrelu(0.1),"
                    + "avgpool2d(2,stride=1),flatten,dense(4),gelu", Shape.of(1, 6, 6), 3, Loss.CROSS_ENTROPY);
            case "strided" -> dense("conv2d(4,3,stride=2,padding=1),relu,globalavgpool", Shape.of(2, 7, 7), 3,
                    Loss.CROSS_ENTROPY);
            case "normalisation" -> dense("flatten,dense(8),layernorm,relu,dropout(0.3),dense(5),layernorm,tanh",
                    Shape.of(1, 3, 3), 1, Loss.BINARY_CROSS_ENTROPY);
            case "residual" -> dense("conv2d(2,3,padding=1),relu,add(conv2d(2,3,padding=1),layernorm,relu),"
                    + "globalavgpool,add(dense(2),sigmoid)", Shape.of(2, 4, 4), 3, Loss.CROSS_ENTROPY);
            case "regression" -> dense("", Shape.vector(4), 2, Loss.MSE);
            case "embedding-mean" -> text("embeddingbag(4),relu,dense(3)");
            case "embedding-sum" -> text("embeddingbag(4,sum),dropout(0.2)");
            case "sparse-logistic" -> new Case(Network.of(Shape.vector(30), List.of(), 1, Loss.BINARY_CROSS_ENTROPY),
                    counts(31, 30).x(), binary(counts(31, 30).y()));
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static Case dense(String layers, Shape in, int outputs, Loss loss) {
        SplitMix64 rng = new SplitMix64(SEED);
        int rows = 11;
        FloatMatrix x = new FloatMatrix(rows, in.size());
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = loss == Loss.MSE ? (float) rng.nextGaussian() : rng.nextInt(Math.max(2, outputs));
            for (int j = 0; j < in.size(); j++) {
                // Rows of very different scales, so that some are clipped and some not.
                x.set(r, j, (float) (rng.nextGaussian() * (1 + r % 4)));
            }
        }
        List<LayerSpec> specs = layers.isEmpty() ? List.of() : LayerList.parse(layers);
        return new Case(Network.of(in, specs, outputs, loss), x, y);
    }

    private static Case text(String layers) {
        Case c = counts(29, 25);
        return new Case(Network.of(Shape.vector(25), LayerList.parse(layers), 3, Loss.CROSS_ENTROPY), c.x(), c.y());
    }

    /** 11 rows of token counts (1 to 3) over a vocabulary; one row empty. */
    private static Case counts(long seed, int vocabulary) {
        SplitMix64 rng = new SplitMix64(seed);
        int rows = 11;
        int[] ptr = new int[rows + 1];
        List<Integer> cols = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = rng.nextInt(3);
            for (int t = 0; t < vocabulary && r != 4; t++) {
                if (rng.nextDouble() < 0.3) {
                    cols.add(t);
                    values.add((float) (1 + rng.nextInt(3)));
                }
            }
            ptr[r + 1] = cols.size();
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return new Case(null, new CsrMatrix(rows, vocabulary, ptr, cols.stream().mapToInt(Integer::intValue).toArray(),
                v), y);
    }

    private static float[] binary(float[] y) {
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = y[i] > 0 ? 1 : 0;
        }
        return out;
    }

    /** Initial parameters moved off their starting values (zero biases, unit scales), so every entry matters. */
    private static float[] parameters(Network net) {
        float[] p = net.initialParameters(SEED);
        SplitMix64 rng = new SplitMix64(SEED + 1);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.2 * rng.nextGaussian());
        }
        return p;
    }

    private static int[] examples(int rows) {
        int[] e = new int[rows];
        for (int r = 0; r < rows; r++) {
            e[r] = 100 + 7 * r; // data set indices, for dropout's masks
        }
        return e;
    }

    /** Row r's own gradient, from a backward pass over that row alone. */
    private static float[] alone(Case c, float[] params, int r) {
        Backpropagation bp = new Backpropagation(c.net(), 1);
        float[] g = new float[params.length];
        Matrix row = c.x().gatherRows(new int[] {r}, 0, 1);
        bp.compute(new ReferenceBlas(), params, row, 1, new float[] {c.y()[r]}, g,
                new TrainingContext(SEED, 3, new int[] {examples(c.x().rows())[r]}));
        return g;
    }

    private static double norm(float[] g) {
        double s = 0;
        for (float v : g) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dense", "convolution", "strided", "normalisation", "residual", "regression",
            "embedding-mean", "embedding-sum", "sparse-logistic"})
    void perExampleNormsAndTheClippedSumAgreeWithOneBackwardPassPerExample(String name) {
        Case c = of(name);
        float[] params = parameters(c.net());
        int rows = c.x().rows();
        float[][] each = new float[rows][];
        double[] norms = new double[rows];
        for (int r = 0; r < rows; r++) {
            each[r] = alone(c, params, r);
            norms[r] = norm(each[r]);
        }
        double[] sorted = norms.clone();
        java.util.Arrays.sort(sorted);
        double clip = sorted[rows / 2]; // about half the rows clipped
        assertThat(sorted[0]).as("%s: rows below the clip norm", name).isLessThan(clip);

        Backpropagation bp = new Backpropagation(c.net(), rows);
        float[] clipped = new float[params.length];
        bp.computeClipped(new ReferenceBlas(), params, c.x(), rows, c.y(), clipped,
                new TrainingContext(SEED, 3, examples(rows)), clip);
        float[] expected = new float[params.length];
        double largest = 0;
        for (int r = 0; r < rows; r++) {
            assertThat(bp.exampleNorm(r)).as("%s: row %d's norm", name, r).isCloseTo(norms[r], within(1e-5 * norms[r] + 1e-9));
            double factor = Math.min(1, clip / norms[r]);
            for (int i = 0; i < params.length; i++) {
                expected[i] += (float) (factor * each[r][i]);
                largest = Math.max(largest, Math.abs(expected[i]));
            }
        }
        for (int i = 0; i < params.length; i++) {
            assertThat(clipped[i]).as("%s: entry %d of the clipped sum", name, i)
                    .isCloseTo(expected[i], within((float) (2e-5 * largest)));
        }
    }

    /**
     * Logistic regression at zero weights predicts 0.5, so example (x, t) has the gradient (0.5 - t) (x, 1) over
     * (weights, bias): norms 1.5, 0.5 and sqrt(41)/2 for the three rows below. Clipped to 1 the sum is
     * (2, 2, 1)/3 + (0, 0, -1/2) + (6, -2, 1)/sqrt(41).
     */
    @Test
    void gradientsOfKnownNormAreClippedAsDerivedByHand() {
        Network net = Network.of(Shape.vector(2), List.of(), 1, Loss.BINARY_CROSS_ENTROPY);
        FloatMatrix x = new FloatMatrix(3, 2);
        x.set(0, 0, 2);
        x.set(0, 1, 2);
        x.set(2, 0, 6);
        x.set(2, 1, -2);
        float[] y = {0, 1, 0};
        Backpropagation bp = new Backpropagation(net, 3);
        float[] grad = new float[3];
        bp.computeClipped(new ReferenceBlas(), new float[3], x, 3, y, grad, new TrainingContext(1, 0, new int[] {0, 1, 2}),
                1.0);
        assertThat(bp.exampleNorm(0)).isCloseTo(1.5, within(1e-7));
        assertThat(bp.exampleNorm(1)).isCloseTo(0.5, within(1e-7));
        assertThat(bp.exampleNorm(2)).isCloseTo(Math.sqrt(41) / 2, within(1e-7));
        double s = Math.sqrt(41);
        assertThat(grad[0]).isCloseTo((float) (2.0 / 3 + 6 / s), within(1e-6f));
        assertThat(grad[1]).isCloseTo((float) (2.0 / 3 - 2 / s), within(1e-6f));
        assertThat(grad[2]).isCloseTo((float) (1.0 / 3 - 0.5 + 1 / s), within(1e-6f));
    }

    /** The guarantee's premise: the clipped sums of neighbouring batches (one example less) differ by at most C. */
    @ParameterizedTest
    @ValueSource(strings = {"convolution", "residual", "embedding-mean"})
    void removingAnyOneExampleChangesTheSumByAtMostTheClipNorm(String name) {
        Case c = of(name);
        float[] params = parameters(c.net());
        int rows = c.x().rows();
        double clip = 0.05;
        Backpropagation bp = new Backpropagation(c.net(), rows);
        float[] all = new float[params.length];
        int[] ex = examples(rows);
        bp.computeClipped(new ReferenceBlas(), params, c.x(), rows, c.y(), all, new TrainingContext(SEED, 3, ex), clip);
        double largest = 0;
        for (int k = 0; k < rows; k++) {
            int[] keep = new int[rows - 1];
            int[] keepExamples = new int[rows - 1];
            float[] keepY = new float[rows - 1];
            for (int r = 0, i = 0; r < rows; r++) {
                if (r != k) {
                    keep[i] = r;
                    keepExamples[i] = ex[r];
                    keepY[i++] = c.y()[r];
                }
            }
            float[] without = new float[params.length];
            bp.computeClipped(new ReferenceBlas(), params, c.x().gatherRows(keep, 0, rows - 1), rows - 1, keepY, without,
                    new TrainingContext(SEED, 3, keepExamples), clip);
            double diff = 0;
            for (int i = 0; i < params.length; i++) {
                double d = (double) all[i] - without[i];
                diff += d * d;
            }
            diff = Math.sqrt(diff);
            largest = Math.max(largest, diff);
            assertThat(diff).as("%s: without row %d", name, k).isLessThanOrEqualTo(clip * (1 + 1e-4));
        }
        // Every row's gradient is larger than this clip norm, so some removal reaches it.
        assertThat(largest).as(name).isGreaterThan(clip * 0.99);
    }

    @Test
    void batchNormalisationHasNoPerExampleGradient() {
        Network net = Network.of(Shape.vector(3), LayerList.parse("dense(4),batchnorm"), 2, Loss.CROSS_ENTROPY);
        FloatMatrix x = new FloatMatrix(2, 3);
        Backpropagation bp = new Backpropagation(net, 2);
        assertThatThrownBy(() -> bp.computeClipped(new ReferenceBlas(), net.initialParameters(1), x, 2,
                new float[] {0, 1}, new float[net.parameterCount()], new TrainingContext(1, 0, new int[] {0, 1}), 1.0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("layers[1] batchnorm");
    }

    @Test
    void clipNormMustBePositiveAndFinite() {
        Network net = Network.of(Shape.vector(2), List.of(), 1, Loss.BINARY_CROSS_ENTROPY);
        Backpropagation bp = new Backpropagation(net, 1);
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> bp.computeClipped(new ReferenceBlas(), new float[3], new FloatMatrix(1, 2), 1,
                    new float[] {0}, new float[3], null, bad)).hasMessageStartingWith("clip: " + bad);
        }
    }
}
