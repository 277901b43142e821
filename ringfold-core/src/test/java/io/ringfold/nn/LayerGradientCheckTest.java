package io.ringfold.nn;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.ReferenceBlas;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every layer's backward pass against finite differences: for {@code L = sum(y * r)} with fixed random r, the
 * analytic gradients for the input and the parameters must match the central difference
 * {@code (L(v + h) - L(v - h)) / 2h}, with L summed in double from the float32 outputs, to within
 * {@code 2e-3 * (1 + |difference|)} (h = 1e-2: the truncation error is O(h^2), the float32 rounding of the
 * outputs over 2h stays below 1e-4 at these sizes). Where a step crosses a kink (relu, leakyrelu and max
 * pooling: the two one-sided differences disagree) the coordinate is skipped; at most a quarter may be.
 * Batch normalisation runs in training mode (the batch's own statistics, every row coupled) and evaluation
 * mode; dropout in training mode with its mask fixed by the context.
 */
class LayerGradientCheckTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                c("dense(5)", 7),
                c("conv2d(3,3)", 2, 5, 5),
                c("conv2d(2,3,stride=2,padding=1)", 2, 6, 6),
                c("maxpool2d(2)", 2, 4, 4),
                c("maxpool2d(3,stride=2)", 1, 7, 7),
                c("avgpool2d(2)", 2, 4, 4),
                c("avgpool2d(3,stride=2)", 1, 7, 7),
                c("globalavgpool", 3, 3, 3),
                c("flatten", 2, 3, 3),
                c("dropout(0.3)", 10),
                c("batchnorm", 6),
                c("batchnorm", 3, 4, 4),
                c("batchnorm(momentum=0.2)", 5).with(Run.Mode.EVALUATE),
                c("layernorm", 8),
                c("layernorm(epsilon=0.001)", 2, 3, 3),
                c("embeddingbag(4)", 12),
                c("embeddingbag(3,sum)", 12),
                c("relu", 10),
                c("leakyrelu(0.1)", 10),
                c("gelu", 10),
                c("tanh", 10),
                c("sigmoid", 10),
                c("add(dense(6),tanh)", 6),
                c("add(conv2d(2,3,padding=1),relu)", 2, 4, 4),
                c("add(batchnorm,dense(5))", 5)
        ).map(k -> Arguments.of(k.spec, k));
    }

    record Case(String spec, int[] shape, Run.Mode mode) {
        Case with(Run.Mode m) {
            return new Case(spec, shape, m);
        }

        @Override
        public String toString() {
            return Shape.of(shape) + " " + mode.name().toLowerCase();
        }
    }

    static Case c(String spec, int... shape) {
        return new Case(spec, shape, Run.Mode.TRAIN);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(String specText, Case k) {
        LayerSpec spec = LayerList.parse(specText).get(0);
        Shape in = Shape.of(k.shape);
        Network net = Network.of(in, List.of(spec, LayerSpec.of(LayerKind.FLATTEN)), 1, Loss.MSE);
        Network.Node node = net.nodes().get(0);
        boolean tokens = spec.kind() == LayerKind.EMBEDDINGBAG;
        int rows = 4;
        SplitMix64 rng = new SplitMix64(specText.hashCode() * 31L + in.size());
        float[] params = net.initialParameters(3);
        boolean[] buffers = net.bufferMask();
        for (int i = node.paramOffset(); i < node.paramOffset() + node.paramCount(); i++) {
            if (buffers[i]) {
                // Running statistics: a mean near 0, a variance near 1, used by evaluation mode.
                boolean variance = i >= node.paramOffset() + node.paramCount() - node.paramCount() / 4;
                params[i] = variance ? (float) (0.5 + rng.nextDouble()) : (float) (rng.nextGaussian() * 0.3);
            } else {
                params[i] = (float) (rng.nextGaussian() * 0.5 + (params[i] == 1f ? 1 : 0));
            }
        }
        float[] x = new float[rows * in.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = tokens ? rng.nextInt(3) : (float) rng.nextGaussian();
        }
        float[] r = new float[rows * node.out().size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) rng.nextGaussian();
        }
        Run run = new Run(new ReferenceBlas(), k.mode, new TrainingContext(5, 2, new int[] {3, 1, 4, 1}));
        Layer layer = Layers.build(node);
        Object scratch = layer.scratch(rows);
        float[] y = new float[r.length];
        FloatMatrix xm = new FloatMatrix(rows, in.size(), x);
        layer.forward(run, scratch, params, xm, rows, y);
        float[] dx = new float[x.length];
        float[] grad = new float[params.length];
        layer.backward(run, scratch, params, xm, y, rows, r.clone(), tokens ? null : dx, grad);

        float h = 1e-2f;
        int checked = 0;
        int skipped = 0;
        // Parameters (not the running statistics, which get statistics rather than a gradient), then inputs.
        for (int i = node.paramOffset(); i < node.paramOffset() + node.paramCount(); i++) {
            if (buffers[i]) {
                continue;
            }
            Double numeric = difference(layer, run, params, i, x, -1, rows, r, h);
            if (numeric == null) {
                skipped++;
                continue;
            }
            assertClose("d L / d param[" + (i - node.paramOffset()) + "]", grad[i], numeric);
            checked++;
        }
        for (int i = 0; !tokens && i < x.length; i++) {
            Double numeric = difference(layer, run, params, -1, x, i, rows, r, h);
            if (numeric == null) {
                skipped++;
                continue;
            }
            assertClose("d L / d x[" + i + "]", dx[i], numeric);
            checked++;
        }
        assertThat(checked).as("coordinates checked").isGreaterThan(0);
        assertThat(skipped).as("coordinates skipped at kinks").isLessThanOrEqualTo((checked + skipped) / 4);
    }

    private static void assertClose(String what, float analytic, double numeric) {
        assertThat((double) analytic).as(what).isCloseTo(numeric,
                org.assertj.core.data.Offset.offset(2e-3 * (1 + Math.abs(numeric))));
    }

    /**
     * The central difference in parameter {@code p} or input {@code xi}; null across a kink, which shows as
     * one-sided differences that disagree, or as central differences at h and h/2 that do (a smooth function's
     * agree to O(h^2)).
     */
    private static Double difference(Layer layer, Run run, float[] params, int p, float[] x, int xi, int rows,
                                     float[] r, float h) {
        float[] v = p >= 0 ? params : x;
        int i = p >= 0 ? p : xi;
        float saved = v[i];
        double at = objective(layer, run, params, x, rows, r);
        double[] at4 = new double[4];
        float[] steps = {h, -h, h / 2, -h / 2};
        for (int s = 0; s < 4; s++) {
            v[i] = saved + steps[s];
            at4[s] = objective(layer, run, params, x, rows, r);
        }
        v[i] = saved;
        double right = (at4[0] - at) / h;
        double left = (at - at4[1]) / h;
        double central = (at4[0] - at4[1]) / (2.0 * h);
        double half = (at4[2] - at4[3]) / h;
        if (Math.abs(right - left) > 0.05 * (1 + Math.abs(right) + Math.abs(left))
                || Math.abs(central - half) > 1e-3 * (1 + Math.abs(central))) {
            return null;
        }
        return central;
    }

    /** {@code sum(y * r)} in double over a fresh forward pass. */
    private static double objective(Layer layer, Run run, float[] params, float[] x, int rows, float[] r) {
        float[] y = new float[r.length];
        layer.forward(run, layer.scratch(rows), params, new FloatMatrix(rows, x.length / rows, x.clone()), rows, y);
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += (double) y[i] * r[i];
        }
        return sum;
    }
}
