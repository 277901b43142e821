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
 * Model files written by earlier Ringfold versions must keep loading and predicting the same, one golden file
 * per model format, each produced once and never regenerated to make this test pass:
 * <ul>
 *   <li>{@code golden-v1} (format 1, {@code ringfold.dense}), Ringfold 0.1.0 on 2026-11-28:
 *       {@code ./ringfold train --data digits --model mlp --hidden 8 --epochs 3 --seed 7};</li>
 *   <li>{@code golden-v2} (format 2, {@code ringfold.network}), on 2026-12-07: {@code ./ringfold train --data digits
 *       --layers 'conv2d(4,3,padding=1),batchnorm,relu,maxpool2d(2),add(conv2d(4,3,padding=1),relu),
 *       avgpool2d(2,stride=1),flatten,dropout(0.1),dense(16),layernorm,gelu' --epochs 2 --batch-size 32 --seed 7}
 *       (the layer kinds with parameters or buffers, a residual block, pooling of both kinds);</li>
 * </ul>
 * then {@code ./ringfold predict --input rows.csv}. Predictions may differ from the recorded ones in the last
 * bits with another BLAS, hence 1e-6.
 */
class GoldenModelFileTest {

    private static final String DIGEST = "c4889da2c880a0bb7969196d2378ce63458c0d6ad1cb140cd0d44a8d9b9ea88f";
    private static final String DIGEST_V2 = "fa47e9e33d00c44a21de0a0616e61c5183fc717c74a15c203d38b7bdbcc37911";

    @TempDir
    Path tmp;

    @Test
    void goldenModelLoadsAndPredictsAsRecorded() throws Exception {
        checkGolden(golden(), DIGEST, "64 -> dense(8) -> relu -> dense(10) softmax (loss cross-entropy, 610 parameters)");
    }

    @Test
    void goldenNetworkOfLayersLoadsAndPredictsAsRecorded() throws Exception {
        checkGolden(Path.of(GoldenModelFileTest.class.getResource("golden-v2/model.rfm").toURI()).getParent(), DIGEST_V2,
                "1x8x8 -> conv2d(4,3,padding=1) -> batchnorm -> relu -> maxpool2d(2) -> add(conv2d(4,3,padding=1),relu)"
                        + " -> avgpool2d(2,stride=1) -> flatten -> dropout(rate=0.1) -> dense(16) -> layernorm -> gelu"
                        + " -> dense(10) softmax (loss cross-entropy, 998 parameters)");
    }

    private static void checkGolden(Path dir, String digest, String describe) throws Exception {
        Model m = ModelCodec.load(dir);
        assertThat(m.parameterDigest()).isEqualTo(digest);
        assertThat(m.network().describe()).isEqualTo(describe);
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
