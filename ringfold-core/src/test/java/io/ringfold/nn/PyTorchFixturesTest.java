package io.ringfold.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.ReferenceBlas;
import io.ringfold.tensor.VectorBlas;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every layer's forward and backward against PyTorch's, on the fixed inputs of the committed fixtures
 * (src/test/python/make_layer_fixtures.py, PyTorch 1.13, README beside it): the output, and the gradients of
 * {@code sum(output * r)} for the input and the parameters, each within 1e-5 of its array's largest value (the
 * fixtures' rule, from float32 arithmetic; PyTorch itself is within 7e-7 of a float64 recomputation). Batch
 * normalisation's training cases also check the running statistics after the step. Run on the scalar reference
 * BLAS and on the Vector API's.
 */
class PyTorchFixturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode fixtures(String kind) throws IOException {
        try (InputStream in = PyTorchFixturesTest.class.getResourceAsStream("/nn/fixtures/" + kind + ".json")) {
            assertThat(in).as("fixture file of " + kind).isNotNull();
            JsonNode f = JSON.readTree(in);
            assertThat(f.path("format").asText()).isEqualTo("ringfold-layer-fixtures");
            assertThat(f.path("version").asInt()).isEqualTo(1);
            return f;
        }
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).floatValue();
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    /** The fixtures' comparison: every value within {@code tolerance * max |expected|}. */
    static void assertClose(String what, float[] actual, int actualOff, float[] expected, int off, int n, double tolerance) {
        double scale = 0;
        for (int i = 0; i < n; i++) {
            scale = Math.max(scale, Math.abs(expected[off + i]));
        }
        double bound = tolerance * Math.max(scale, Float.MIN_NORMAL);
        for (int i = 0; i < n; i++) {
            double d = Math.abs(actual[actualOff + i] - expected[off + i]);
            if (!(d <= bound)) {
                throw new AssertionError(what + "[" + i + "]: " + actual[actualOff + i] + " (expected: " + expected[off + i]
                        + " within " + bound + ", " + tolerance + " of the array's largest value " + scale + ")");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dense", "conv2d", "maxpool2d", "avgpool2d", "globalavgpool", "relu", "leakyrelu", "gelu",
            "tanh", "sigmoid", "flatten", "dropout", "layernorm", "batchnorm", "embeddingbag", "add"})
    void layerMatchesPyTorch(String kind) throws IOException {
        JsonNode file = fixtures(kind);
        double tolerance = file.path("tolerance").asDouble();
        assertThat(tolerance).isEqualTo(1e-5);
        assertThat(file.path("cases").size()).as("cases of " + kind).isGreaterThan(0);
        for (Blas blas : List.of(new ReferenceBlas(), new VectorBlas(1))) {
            for (JsonNode c : file.path("cases")) {
                check(kind, c, blas, tolerance);
            }
        }
    }

    private static void check(String kind, JsonNode c, Blas blas, double tolerance) {
        String name = kind + "/" + c.path("name").asText() + " on " + blas.name();
        LayerSpec spec = LayerList.parse(c.path("spec").asText()).get(0);
        Shape in = Shape.of(ints(c.path("input_shape")));
        // The layer alone: a network with it first (its parameters first in the vector), flattened, and any output.
        Network net = Network.of(in, List.of(spec, LayerSpec.of(LayerKind.FLATTEN)), 1, Loss.MSE);
        Network.Node node = net.nodes().get(0);
        assertThat(node.out()).as(name + " output shape").isEqualTo(Shape.of(ints(c.path("output_shape"))));
        int rows = c.path("batch_size").asInt();
        float[] params = new float[net.parameterCount()];
        float[] given = floats(c.path("params"));
        System.arraycopy(given, 0, params, node.paramOffset(), given.length);
        boolean batchnorm = kind.equals("batchnorm");
        int channels = batchnorm ? in.dim(0) : 0;
        if (batchnorm) {
            System.arraycopy(floats(c.path("running_mean")), 0, params, 2 * channels, channels);
            System.arraycopy(floats(c.path("running_var")), 0, params, 3 * channels, channels);
        } else {
            assertThat(node.paramCount()).as(name + " parameters").isEqualTo(given.length);
        }
        boolean training = !"eval".equals(c.path("mode").asText());
        Run run = new Run(blas, training ? Run.Mode.TRAIN : Run.Mode.EVALUATE,
                new TrainingContext(1, 0, new int[rows]));
        Layer layer = Layers.build(node);
        Object scratch = layer.scratch(rows);
        FloatMatrix x = new FloatMatrix(rows, in.size(), floats(c.path("input")));
        float[] y = new float[rows * node.out().size()];
        layer.forward(run, scratch, params, x, rows, y);
        float[] expectedOut = floats(c.path("output"));
        assertClose(name + " output", y, 0, expectedOut, 0, expectedOut.length, tolerance);

        float[] r = floats(c.path("r"));
        float[] dx = new float[rows * in.size()];
        float[] grad = new float[net.parameterCount()];
        layer.backward(run, scratch, params, x, y, rows, r, kind.equals("embeddingbag") ? null : dx, grad);
        if (c.has("grad_input")) {
            float[] expectedDx = floats(c.path("grad_input"));
            assertClose(name + " grad_input", dx, 0, expectedDx, 0, expectedDx.length, tolerance);
        }
        float[] expectedGrad = floats(c.path("grad_params"));
        int off = 0;
        for (JsonNode t : c.path("param_layout")) {
            int n = 1;
            for (JsonNode d : t.path("shape")) {
                n *= d.asInt();
            }
            assertClose(name + " grad " + t.path("name").asText(), grad, node.paramOffset() + off, expectedGrad, off, n,
                    tolerance);
            off += n;
        }
        assertThat(off).isEqualTo(expectedGrad.length);
        if (batchnorm && training) {
            float[] mean = new float[rows == 0 ? 0 : grad.length];
            for (int i = 0; i < grad.length; i++) {
                mean[i] = grad[i] / rows;
            }
            RunningStatistics.apply(net.bufferMask(), net.bufferMomentum(), params, mean, 0, params.length);
            assertClose(name + " running_mean after", params, 2 * channels, floats(c.path("running_mean_after")), 0,
                    channels, tolerance);
            assertClose(name + " running_var after", params, 3 * channels, floats(c.path("running_var_after")), 0,
                    channels, tolerance);
        }
    }

    /** The tests can fail: a gradient off by one part in ten thousand is caught. */
    @ParameterizedTest
    @ValueSource(strings = {"dense", "layernorm"})
    void aSlightlyWrongGradientIsCaught(String kind) throws IOException {
        JsonNode c = fixtures(kind).path("cases").get(1);
        float[] expected = floats(c.path("grad_params"));
        float[] wrong = expected.clone();
        List<Integer> nonZero = new ArrayList<>();
        for (int i = 0; i < wrong.length; i++) {
            if (wrong[i] != 0) {
                nonZero.add(i);
            }
        }
        int worst = nonZero.stream().max((a, b) -> Float.compare(Math.abs(expected[a]), Math.abs(expected[b]))).orElseThrow();
        wrong[worst] *= 1.0001f;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertClose("grad", wrong, 0, expected, 0,
                expected.length, 1e-5)).isInstanceOf(AssertionError.class);
    }
}
