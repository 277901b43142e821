package io.ringfold.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code ringfold export --format onnx MODEL OUT}: the file it writes, run in ONNX Runtime on the rows {@code predict}
 * takes, gives {@code predict}'s classes and probabilities; bad arguments fail in one line naming the problem.
 */
class ExportCommandTest {

    @TempDir
    Path tmp;

    private Path penguins() throws Exception {
        Path dir = Path.of(getClass().getResource("/tabular/penguins-train.csv").toURI()).getParent();
        Path model = tmp.resolve("penguins");
        CliRunner t = CliRunner.run("train", "--data", "csv:" + dir.resolve("penguins-train.csv")
                + "?label=species&categorical=island,sex", "--model", "softmax", "--seed", "1", "--out", model.toString());
        assertThat(t.status()).as(t.err()).isZero();
        return model;
    }

    /** The penguins' test rows as predict and the server take them: strings, the label left out. */
    private static List<String[]> testCells(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            rows.add(java.util.Arrays.copyOf(c, c.length - 1)); // species is the last column
        }
        return rows;
    }

    @Test
    void exportedGraphGivesPredictsOutputsOnTheSameRows() throws Exception {
        Path model = penguins();
        Path onnx = tmp.resolve("penguins.onnx");
        CliRunner e = CliRunner.run("export", "--format", "onnx", model.toString(), onnx.toString());
        assertThat(e.status()).as(e.err()).isZero();
        assertThat(e.out()).startsWith("wrote " + onnx + ": ONNX opset 17, input 'input' STRING [N, 6], outputs"
                + " probabilities, class (");

        Path test = Path.of(getClass().getResource("/tabular/penguins-test.csv").toURI());
        CliRunner p = CliRunner.run("predict", "--model", model.toString(), "--input", test.toString());
        assertThat(p.status()).as(p.err()).isZero();
        List<String> predicted = p.out().strip().lines().toList();
        assertThat(predicted.get(0)).isEqualTo("prediction,p_Adelie,p_Chinstrap,p_Gentoo");

        List<String[]> cells = testCells(test);
        String[] flat = cells.stream().flatMap(java.util.Arrays::stream).toArray(String[]::new);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, flat, new long[] {cells.size(), 6});
             OrtSession.Result r = s.run(Map.of("input", in))) {
            float[][] prob = (float[][]) r.get("probabilities").orElseThrow().getValue();
            String[] cls = (String[]) r.get("class").orElseThrow().getValue();
            assertThat(cls).hasSize(predicted.size() - 1);
            for (int i = 0; i < cls.length; i++) {
                String[] row = predicted.get(i + 1).split(",");
                assertThat(cls[i]).as("class of row %d", i).isEqualTo(row[0]);
                for (int k = 0; k < 3; k++) {
                    assertThat((double) prob[i][k]).as("p[%d][%d]", i, k).isCloseTo(Float.parseFloat(row[k + 1]),
                            within(1e-5));
                }
            }
        }
    }

    @Test
    void refusesAnUnknownFormatAMissingModelAnExistingFileAndATextColumn() throws Exception {
        Path model = penguins();
        Path onnx = tmp.resolve("m.onnx");

        CliRunner format = CliRunner.run("export", "--format", "tflite", model.toString(), onnx.toString());
        assertThat(format.status()).isEqualTo(2);
        assertThat(format.err()).startsWith("ringfold: --format: tflite (expected: onnx)\n");

        CliRunner missing = CliRunner.run("export", "--format", "onnx", tmp.resolve("none").toString(), onnx.toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).startsWith("ringfold: error: ").contains("none").contains("no such model file");
        assertThat(onnx).doesNotExist();

        Files.writeString(onnx, "not mine");
        CliRunner exists = CliRunner.run("export", "--format", "onnx", model.toString(), onnx.toString());
        assertThat(exists.status()).isEqualTo(1);
        assertThat(exists.err()).isEqualTo("ringfold: error: " + onnx
                + ": exists (expected: a new file, or --force to replace it)\n");
        assertThat(onnx).hasContent("not mine");
        CliRunner forced = CliRunner.run("export", "--format", "onnx", "--force", model.toString(), onnx.toString());
        assertThat(forced.status()).as(forced.err()).isZero();
        assertThat(Files.size(onnx)).isGreaterThan(100);

        Path sample = tmp.resolve("spam-sample.csv");
        try (InputStream in = getClass().getResourceAsStream("spam-sample.csv")) {
            Files.copy(in, sample);
        }
        CliRunner t = CliRunner.run("train", "--data", "csv:" + sample + "?label=label&text=text", "--layers",
                "embeddingbag(4),relu", "--epochs", "1", "--out", tmp.resolve("spam").toString());
        assertThat(t.status()).as(t.err()).isZero();
        CliRunner text = CliRunner.run("export", "--format", "onnx", tmp.resolve("spam").toString(),
                tmp.resolve("spam.onnx").toString());
        assertThat(text.status()).isEqualTo(1);
        assertThat(text.err()).startsWith("ringfold: error: text column 'text': not exportable to ONNX (")
                .hasLineCount(1);
        assertThat(tmp.resolve("spam.onnx")).doesNotExist();
    }
}
