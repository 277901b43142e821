package io.ringfold.nn;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Writing a network: the command line's form, the JSON file's and the builder give the same specs, every
 * hyperparameter checked by its one declaration; a network that cannot work fails before training with one
 * line naming the layer's position and the problem.
 */
class NetworkSpecTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LENET = "conv2d(20,5),relu,maxpool2d(2),conv2d(50,5),relu,maxpool2d(2),flatten,dense(500),relu";

    @Test
    void theThreeFormsSayTheSame() throws Exception {
        List<LayerSpec> cli = LayerList.parse(LENET);
        Network fromCli = Network.of(Shape.of(1, 28, 28), cli, 10, Loss.CROSS_ENTROPY);
        Network built = Network.builder().input(1, 28, 28).conv2d(20, 5).relu().maxpool2d(2).conv2d(50, 5).relu()
                .maxpool2d(2).flatten().dense(500).relu().output(10, Loss.CROSS_ENTROPY);
        Network fromJson = Network.fromJson(JSON.readTree(JSON.writeValueAsString(built.toJson())));
        assertThat(built).isEqualTo(fromCli).isEqualTo(fromJson);
        assertThat(LayerList.format(cli)).isEqualTo(LENET);
        assertThat(fromCli.describe()).isEqualTo("1x28x28 -> conv2d(20,5) -> relu -> maxpool2d(2) -> conv2d(50,5) -> relu"
                + " -> maxpool2d(2) -> flatten -> dense(500) -> relu -> dense(10) softmax (loss cross-entropy, 431080"
                + " parameters)");
        // LeNet's shapes, layer by layer (PyTorch's: 20x24x24, 20x12x12, 50x8x8, 50x4x4, 800, 500, 10).
        assertThat(fromCli.nodes().stream().map(n -> n.out().toString()).toList()).containsExactly("20x24x24",
                "20x24x24", "20x12x12", "50x8x8", "50x8x8", "50x4x4", "800", "500", "500", "10");
        assertThat(fromCli.parametersByKind()).containsEntry("conv2d", 20 * 25 + 20 + 50 * 20 * 25 + 50)
                .containsEntry("dense", 800 * 500 + 500 + 500 * 10 + 10);
    }

    @Test
    void namedArgumentsDefaultsAndBlocks() {
        List<LayerSpec> layers = LayerList.parse(" conv2d(16, 3, padding=1) , leakyrelu(0.1), dropout,"
                + " add(conv2d(16,3,padding=1),relu), globalavgpool, embeddingbag(8) ");
        assertThat(layers.get(0).intValue("stride")).isEqualTo(1);
        assertThat(layers.get(0).intValue("padding")).isEqualTo(1);
        assertThat(layers.get(1).floatValue("slope")).isEqualTo(0.1f);
        assertThat(layers.get(2).floatValue("rate")).isEqualTo(0.5f);
        assertThat(layers.get(3).block()).hasSize(2);
        assertThat(layers.get(5).word("mode")).isEqualTo("mean");
        assertThat(LayerList.format(layers)).isEqualTo("conv2d(16,3,padding=1),leakyrelu(slope=0.1),dropout,"
                + "add(conv2d(16,3,padding=1),relu),globalavgpool,embeddingbag(8)");
        assertThat(LayerList.parse("maxpool2d(3)").get(0).intValue("stride")).as("stride defaults to the size")
                .isEqualTo(3);
        assertThat(LayerList.parse("maxpool2d(3,stride=2)").get(0).format()).isEqualTo("maxpool2d(3,stride=2)");
    }

    @Test
    void badLayersAreNamedByPosition() {
        String[][] cases = {
            {"conv2d(20,5),relu,maxpool2d(2),conv2d(50,5)", "1x8x8",
                "layers[3] conv2d(50,5): input 20x2x2 is smaller than the kernel 5x5"},
            {"conv2d(20,5),relu,maxpool2d(2),conv2d(50,5),relu,maxpool2d(2),conv2d(50,5)", "1x28x28",
                "layers[6] conv2d(50,5): input 50x4x4 is smaller than the kernel 5x5"},
            {"conv2d(20,5),dense(10)", "1x28x28", "layers[1] dense(10): input 20x24x24 is not a vector (expected: flatten"
                + " before it)"},
            {"dense(10)", "1x28x28", "layers[0] dense(10): input 1x28x28 is not a vector (expected: flatten before it)"},
            {"conv2d(4,3)", "64", "layers[0] conv2d(4,3): input 64 is not an image (expected: channels x height x width,"
                + " e.g. input 1x28x28)"},
            {"maxpool2d(9)", "1x8x8", "layers[0] maxpool2d(9): input 1x8x8 is smaller than the window 9x9"},
            {"dense(8),embeddingbag(4)", "100", "layers[1] embeddingbag(4): not the first layer (expected: embeddingbag"
                + " first, its input is a text's token counts over the vocabulary)"},
            {"dense(8),add(dense(4))", "100", "layers[1] add(dense(4)): the block's output 4 differs from its input 8"
                + " (expected: the same shape, to add them)"},
        };
        for (String[] c : cases) {
            String[] dims = c[1].split("x");
            int[] shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = Integer.parseInt(dims[i]);
            }
            assertThatThrownBy(() -> Network.of(Shape.of(shape), LayerList.parse(c[0]), 10, Loss.CROSS_ENTROPY))
                    .as(c[0]).isInstanceOf(IllegalArgumentException.class).hasMessage(c[2]);
        }
        assertThatThrownBy(() -> Network.of(Shape.of(1, 28, 28), LayerList.parse("conv2d(4,3)"), 10, Loss.CROSS_ENTROPY))
                .hasMessage("output dense(10): input 4x26x26 is not a vector (expected: flatten before it)");
    }

    @Test
    void badValuesAndSyntaxAreNamed() {
        String[][] cases = {
            {"conv2d(0,5)", "layers[0] conv2d: filters 0 (expected: an integer >= 1)"},
            {"conv2d(20)", "layers[0] conv2d: kernel missing (expected: conv2d(filters,kernel,stride,padding), the"
                + " kernel's height and width)"},
            {"dropout(1)", "layers[0] dropout: rate 1 (expected: a number from 0 up to but not including 1)"},
            {"dense(10),conv3d(4)", "layers[1]: layer 'conv3d' unknown (expected: one of dense, conv2d, maxpool2d,"
                + " avgpool2d, globalavgpool, flatten, dropout, batchnorm, layernorm, embeddingbag, relu, leakyrelu,"
                + " gelu, tanh, sigmoid, add)"},
            {"dense(10,relu)", "layers[0] dense: 2 values (expected: at most 1)"},
            {"dense(units=4,units=5)", "layers[0] dense: units given twice"},
            {"dense(size=4)", "layers[0] dense: parameter 'size' unknown (expected: units)"},
            {"embeddingbag(8,max)", "layers[0] embeddingbag: mode max (expected: one of mean, sum)"},
            {"dense(10", "layers[0]: end of text at character 9 of 'dense(10' (expected: ')')"},
            {"dense(10) relu", "layers[1]: unexpected 'r' at character 11 of 'dense(10) relu' (expected: ',' between"
                + " layers)"},
            {"", "layers[0]: end of text at character 1 of '' (expected: a layer name such as dense(128) or relu)"},
            {"add", "layers[0] add: an empty block (expected: add(layer, ...), the layers whose output is added to"
                + " the input)"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> LayerList.parse(c[0])).as(c[0]).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(c[1]);
        }
    }

    @Test
    void jsonFilesAreCheckedLikeTheCommandLine() throws Exception {
        assertThatThrownBy(() -> Network.layersFromJson(JSON.readTree("[{\"type\": \"conv2d\", \"filters\": 20}]")))
                .hasMessage("layers[0] conv2d: kernel missing (expected: conv2d(filters,kernel,stride,padding), the"
                        + " kernel's height and width)");
        assertThatThrownBy(() -> Network.layersFromJson(JSON.readTree("[{\"type\": \"dense\", \"units\": 2.5}]")))
                .hasMessage("layers[0] dense: units 2.5 (expected: an integer >= 1)");
        assertThatThrownBy(() -> Network.layersFromJson(JSON.readTree("[{\"units\": 4}]")))
                .hasMessage("layers[0]: type missing (expected: a layer name such as \"dense\")");
        assertThatThrownBy(() -> Network.layersFromJson(JSON.readTree("{\"type\": \"dense\"}")))
                .hasMessage("layers: object (expected: an array of layers)");
        assertThat(Network.layersFromJson(JSON.readTree("[{\"type\": \"add\", \"block\": [{\"type\": \"dense\","
                + " \"units\": 4}, {\"type\": \"relu\"}]}]")).get(0).format()).isEqualTo("add(dense(4),relu)");
    }

    @Test
    void parameterTensorsKeepTheDenseNames() {
        Network net = Network.builder().input(3, 8, 8).conv2d(4, 3).batchnorm().relu().flatten().dense(16)
                .layernorm().output(2, Loss.CROSS_ENTROPY);
        assertThat(net.parameterTensors().stream().map(Network.ParameterTensor::name).toList()).containsExactly(
                "conv2d_0/weight", "conv2d_0/bias", "batchnorm_0/gamma", "batchnorm_0/beta", "batchnorm_0/running_mean",
                "batchnorm_0/running_var", "dense_0/weight", "dense_0/bias", "layernorm_0/gamma", "layernorm_0/beta",
                "dense_1/weight", "dense_1/bias");
        boolean[] buffers = net.bufferMask();
        int trues = 0;
        for (boolean b : buffers) {
            trues += b ? 1 : 0;
        }
        assertThat(trues).isEqualTo(8);
        float[] p = net.initialParameters(7);
        int gamma = 4 * 3 * 3 * 3 + 4; // after conv2d_0's 4x3x3x3 weights and 4 biases
        assertThat(p[gamma]).as("batch norm gamma starts at 1").isEqualTo(1f);
        assertThat(p[gamma + 4]).as("batch norm beta starts at 0").isEqualTo(0f);
        assertThat(p[gamma + 8 + 4]).as("running variance starts at 1").isEqualTo(1f);
    }

    @Test
    void gaussianCdfMatchesKnownValues() {
        // Phi from tables (Abramowitz and Stegun 26.2), to 15 digits.
        assertThat(Gaussian.cdf(0)).isEqualTo(0.5);
        assertThat(Gaussian.cdf(1)).isCloseTo(0.841344746068543, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(Gaussian.cdf(-1.96)).isCloseTo(0.024997895148220, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(Gaussian.cdf(3)).isCloseTo(0.998650101968370, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(Gaussian.cdf(-5)).isCloseTo(2.866515718791939e-7, org.assertj.core.data.Offset.offset(1e-21));
        assertThat(Gaussian.cdf(-10)).isCloseTo(7.619853024160527e-24, org.assertj.core.data.Offset.offset(1e-37));
    }
}
