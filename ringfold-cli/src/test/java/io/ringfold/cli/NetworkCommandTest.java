package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Networks of layers through the real command line: {@code --layers} and an {@code --architecture} file train the
 * same model; {@code inspect} shows the layer table; bad architectures fail before training, naming the layer.
 */
class NetworkCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CNN = "conv2d(8,3,padding=1),relu,maxpool2d(2),flatten,dense(32),relu";

    @TempDir
    Path tmp;

    @Test
    void layersAndAnArchitectureFileTrainTheSameCnn() throws Exception {
        CliRunner flags = CliRunner.run("train", "--data", "digits", "--layers", CNN, "--epochs", "6", "--batch-size",
                "32", "--seed", "3", "--json", "--out", tmp.resolve("a").toString());
        assertThat(flags.status()).as(flags.err()).isZero();
        JsonNode a = JSON.readTree(flags.lastLine());
        assertThat(a.get("test_accuracy").asDouble()).isGreaterThan(0.9);

        Path file = Files.writeString(tmp.resolve("cnn.json"), """
                {"input": [1, 8, 8],
                 "layers": [{"type": "conv2d", "filters": 8, "kernel": 3, "padding": 1}, {"type": "relu"},
                            {"type": "maxpool2d", "size": 2}, {"type": "flatten"},
                            {"type": "dense", "units": 32}, {"type": "relu"}]}
                """);
        CliRunner arch = CliRunner.run("train", "--data", "digits", "--architecture", file.toString(), "--epochs", "6",
                "--batch-size", "32", "--seed", "3", "--json", "--out", tmp.resolve("b").toString());
        assertThat(arch.status()).as(arch.err()).isZero();
        assertThat(JSON.readTree(arch.lastLine()).get("parameter_digest").asText())
                .isEqualTo(a.get("parameter_digest").asText());

        CliRunner inspect = CliRunner.run("inspect", tmp.resolve("a").toString());
        assertThat(inspect.out()).contains("model:            1x8x8 -> conv2d(8,3,padding=1) -> relu")
                .containsPattern("layers\\[0\\] +conv2d\\(8,3,padding=1\\) +8x8x8 +80\\n")
                .containsPattern("layers\\[2\\] +maxpool2d\\(2\\) +8x4x4 +0\\n")
                .containsPattern("output +dense\\(10\\) +10 +330\\n")
                .containsPattern("total +4,538");
        JsonNode json = JSON.readTree(CliRunner.run("inspect", tmp.resolve("a").toString(), "--json").lastLine());
        assertThat(json.get("input_shape").toString()).isEqualTo("[1,8,8]");
        assertThat(json.get("layers").get(3).toString()).isEqualTo("{\"where\":\"layers[3]\",\"layer\":\"flatten\","
                + "\"output_shape\":[128],\"parameters\":0}");
        // The model's provenance keeps the layers with the other hyperparameters.
        assertThat(json.get("provenance").get("hyperparameters").get("layers").get(0).toString())
                .isEqualTo("{\"type\":\"conv2d\",\"filters\":8,\"kernel\":3,\"stride\":1,\"padding\":1}");
    }

    @Test
    void aResidualTextOrImageNetworkNeedsTheRightData() throws Exception {
        CliRunner embed = CliRunner.run("train", "--data", "digits", "--layers", "embeddingbag(8)", "--out",
                tmp.toString());
        assertThat(embed.status()).isEqualTo(1);
        assertThat(embed.err()).startsWith("ringfold: error: layers[0] embeddingbag(8): input 1x8x8 is not a vector"
                + " (expected: token counts over a vocabulary, from a text column)");
        Path csv = tmp.resolve("rows.csv");
        StringBuilder b = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < 40; i++) {
            b.append(i % 3).append(',').append(i % 5).append(',').append(i % 7).append(',').append(i % 2).append(',')
                    .append(i % 2).append('\n');
        }
        Files.writeString(csv, b);
        CliRunner numbers = CliRunner.run("train", "--data", "csv:" + csv + "?label=label", "--layers", "embeddingbag(8)",
                "--out", tmp.resolve("e").toString());
        assertThat(numbers.status()).isEqualTo(1);
        assertThat(numbers.err()).startsWith("ringfold: error: layers[0] embeddingbag(8): the data has no text column"
                + " (expected: csv:PATH?label=LABEL&text=COLUMN, whose token counts it embeds)");
        CliRunner shaped = CliRunner.run("train", "--data", "csv:" + csv + "?label=label", "--input-shape", "1x2x2",
                "--layers", "conv2d(2,2,padding=1),relu,globalavgpool", "--epochs", "2", "--json", "--out",
                tmp.resolve("shaped").toString());
        assertThat(shaped.status()).as(shaped.err()).isZero();
        assertThat(shaped.out()).contains("model: 1x2x2 -> conv2d(2,2,padding=1) -> relu -> globalavgpool -> dense(2)");
        CliRunner wrong = CliRunner.run("train", "--data", "csv:" + csv + "?label=label", "--input-shape", "1x28x28",
                "--layers", "flatten", "--out", tmp.resolve("w").toString());
        assertThat(wrong.status()).isEqualTo(1);
        assertThat(wrong.err()).startsWith("ringfold: error: inputShape: 1x28x28 (784 values) (expected: as many values"
                + " as an example has, 4)");
    }

    @Test
    void badArchitecturesFailBeforeTrainingNamingTheLayer() throws Exception {
        CliRunner small = CliRunner.run("train", "--data", "digits", "--layers",
                "conv2d(20,5),relu,maxpool2d(2),conv2d(50,5)", "--out", tmp.toString());
        assertThat(small.status()).isEqualTo(1);
        assertThat(small.err()).startsWith("ringfold: error: layers[3] conv2d(50,5): input 20x2x2 is smaller than the"
                + " kernel 5x5").doesNotContain("epoch");
        assertThat(small.out()).doesNotContain("epoch 1");
        CliRunner syntax = CliRunner.run("train", "--data", "digits", "--layers", "conv2d(20)", "--out", tmp.toString());
        assertThat(syntax.status()).isEqualTo(2);
        assertThat(syntax.err()).startsWith("ringfold: layers[0] conv2d: kernel missing (expected: conv2d(filters,"
                + "kernel,stride,padding), the kernel's height and width)");
        CliRunner both = CliRunner.run("train", "--data", "digits", "--layers", "dense(8)", "--hidden", "8", "--out",
                tmp.toString());
        assertThat(both.status()).isEqualTo(2);
        assertThat(both.err()).startsWith("ringfold: --hidden: 8 (expected: none when layers are given");

        Path file = Files.writeString(tmp.resolve("bad.json"), "{\"layers\": [{\"type\": \"conv2d\", \"filters\": 4,"
                + " \"kernel\": 3}, {\"type\": \"dense\", \"units\": \"many\"}]}");
        CliRunner badFile = CliRunner.run("train", "--data", "digits", "--architecture", file.toString(), "--out",
                tmp.toString());
        assertThat(badFile.status()).isEqualTo(2);
        assertThat(badFile.err()).startsWith("ringfold: --architecture " + file + ": layers[1] dense: units many (expected: an"
                + " integer >= 1)");
        Path extra = Files.writeString(tmp.resolve("extra.json"), "{\"layers\": [], \"output\": 3}");
        CliRunner unknown = CliRunner.run("train", "--data", "digits", "--architecture", extra.toString(), "--out",
                tmp.toString());
        assertThat(unknown.err()).startsWith("ringfold: --architecture " + extra + ": field 'output' unknown (expected:"
                + " layers, input)");
        CliRunner missing = CliRunner.run("train", "--data", "digits", "--architecture", tmp.resolve("no.json").toString(),
                "--out", tmp.toString());
        assertThat(missing.err()).startsWith("ringfold: --architecture " + tmp.resolve("no.json") + ": no such file");
        CliRunner withLayers = CliRunner.run("train", "--data", "digits", "--architecture", file.toString(), "--layers",
                "relu", "--out", tmp.toString());
        assertThat(withLayers.err()).startsWith("ringfold: --architecture with --layers (expected: one of them");
    }
}
