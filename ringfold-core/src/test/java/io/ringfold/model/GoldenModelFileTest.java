package io.ringfold.model;

import io.ringfold.io.ModelFileException;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A model file written by Ringfold 0.1.0 (format 1) must keep loading and predicting the same. The file
 * and the expected predictions were produced once, on 2026-11-28, with
 * {@code ./ringfold train --data digits --model mlp --hidden 8 --epochs 3 --seed 7} and
 * {@code ./ringfold predict --input rows.csv}; never regenerate them to make this test pass.
 * Predictions may differ from the recorded ones in the last bits with another BLAS, hence 1e-6.
 */
class GoldenModelFileTest {

    private static final String DIGEST = "c4889da2c880a0bb7969196d2378ce63458c0d6ad1cb140cd0d44a8d9b9ea88f";

    @TempDir
    Path tmp;

    @Test
    void goldenModelLoadsAndPredictsAsRecorded() throws Exception {
        Path dir = golden();
        Model m = ModelCodec.load(dir);
        assertThat(m.parameterDigest()).isEqualTo(DIGEST);
        assertThat(m.architecture().describe()).isEqualTo("mlp 64 -> 8 relu -> 10 softmax (loss cross-entropy, 610 parameters)");
        assertThat(m.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(m.provenance().seed()).isEqualTo(7);

        List<String> rows = Files.readAllLines(dir.resolve("rows.csv"));
        List<String> expected = Files.readAllLines(dir.resolve("expected-predictions.csv"));
        float[][] raw = new float[rows.size()][];
        for (int i = 0; i < raw.length; i++) {
            String[] cells = rows.get(i).split(",");
            raw[i] = new float[cells.length];
            for (int j = 0; j < cells.length; j++) {
                raw[i][j] = Float.parseFloat(cells[j]);
            }
        }
        FloatMatrix out = m.predictRaw(Blas.get(), raw);
        int[] cls = m.predictedClasses(out);
        for (int i = 0; i < raw.length; i++) {
            String[] e = expected.get(i + 1).split(",");
            assertThat(Integer.toString(cls[i])).as("class of row %d", i).isEqualTo(e[0]);
            for (int c = 0; c < 10; c++) {
                assertThat((double) out.get(i, c)).as("p[%d,%d]", i, c).isCloseTo(Double.parseDouble(e[c + 1]), within(1e-6));
            }
        }
    }

    @Test
    void savingTheLoadedModelKeepsItsDigestAndAReloadIsEqual() throws Exception {
        Model m = ModelCodec.load(golden());
        Path file = ModelCodec.save(m, tmp.resolve("copy"), null);
        Model back = ModelCodec.load(file);
        assertThat(back.parameterDigest()).isEqualTo(DIGEST);
        assertThat(back.preprocessor()).isEqualTo(m.preprocessor());
        assertThat(back.parameters()).containsExactly(m.parameters());
    }

    @Test
    void aHeaderWhoseDigestDisagreesWithTheTensorsIsRejected() throws Exception {
        Model m = ModelCodec.load(golden());
        var header = ModelCodec.header(m, null);
        header.put("parameter_digest", "00");
        Path file = tmp.resolve("bad.rfm");
        io.ringfold.io.ModelFile.write(file, header, m.tensors());
        assertThatThrownBy(() -> ModelCodec.load(file)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("parameter_digest: 00 (expected: " + DIGEST);
    }

    @Test
    void aMissingModelIsNamed() {
        assertThatThrownBy(() -> ModelCodec.load(tmp)).isInstanceOf(ModelFileException.class)
                .hasMessage(tmp.resolve("model.rfm") + ": no such model file (expected: model.rfm in " + tmp + ")");
    }

    private static Path golden() throws URISyntaxException {
        return Path.of(GoldenModelFileTest.class.getResource("golden-v1/model.rfm").toURI()).getParent();
    }
}
