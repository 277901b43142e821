package io.ringfold.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * golden-v1.rfm was written once by src/test/scripts/make_golden_v1.py, an independent Python
 * implementation of docs/model-format.md, and is never regenerated: it stands for every version-1
 * model file on disk. Every later Ringfold must read it to exactly these contents. The expected
 * values below are copied from that script (bit patterns) and its output (digest).
 */
class ModelFileGoldenTest {

    private static final String GOLDEN_DIGEST = "a745cded7f30d7a86efe845b72b04321a7d056d0878c3c846367742c01de1e66";
    private static final String GOLDEN_FILE_SHA256 = "3d11f0255095b0cafca44def1c2b284544ddc70d36bfcec9eced07aca0600927";
    private static final int GOLDEN_TENSOR_SECTION_OFFSET = 199;

    @TempDir
    Path dir;

    private static NamedTensor bits(String name, int[] shape, int... bits) {
        float[] data = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            data[i] = Float.intBitsToFloat(bits[i]);
        }
        return new NamedTensor(name, shape, data);
    }

    static List<NamedTensor> expectedTensors() {
        return List.of(
                bits("layer0.weight", new int[] {2, 3},
                        0x3F80_0000, 0x8000_0000, 0x0000_0001, 0x7F7F_FFFF, 0xC020_0000, 0x3DCC_CCCD),
                bits("layer0.bias", new int[] {3}, 0x7FC0_0123, 0xFF80_0000, 0x807F_FFFF),
                bits("step", new int[] {}, 0x4228_0000),
                bits("empty", new int[] {0, 4}),
                bits("\u00fcn\u00efcode.\u540d\u524d", new int[] {1, 1, 2}, 0x7F80_0000, 0x0080_0000));
    }

    static ObjectNode expectedHeader() {
        ObjectNode h = JsonNodeFactory.instance.objectNode();
        h.put("format", "ringfold-model");
        h.put("model", "mlp");
        h.putObject("hyperparameters").put("hidden", 3).put("epochs", 2).put("seed", 1);
        h.put("ringfold", "0.1.0-SNAPSHOT");
        h.put("note", "golden file for format version 1 \u2014 never regenerate");
        return h;
    }

    private static byte[] goldenBytes() throws IOException {
        try (InputStream in = ModelFileGoldenTest.class.getResourceAsStream("golden-v1.rfm")) {
            assertThat(in).as("test resource io/ringfold/io/golden-v1.rfm").isNotNull();
            return in.readAllBytes();
        }
    }

    private static String sha256Hex(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void goldenFileIsTheOneThatWasCommitted() throws Exception {
        // Guards against an accidental regeneration: the bytes themselves are part of the contract.
        assertThat(sha256Hex(goldenBytes())).isEqualTo(GOLDEN_FILE_SHA256);
    }

    @Test
    void goldenFileReadsToExactlyItsContents() throws IOException, URISyntaxException {
        Path golden = Path.of(ModelFileGoldenTest.class.getResource("golden-v1.rfm").toURI());

        ModelFile.Contents contents = ModelFile.read(golden);

        assertThat(contents.formatVersion()).isEqualTo(1);
        assertThat(contents.header()).isEqualTo(expectedHeader());
        assertThat(contents.tensors()).isEqualTo(expectedTensors());
        assertThat(contents.tensors().get(1).data()[0]).isNaN();
        assertThat(Float.floatToRawIntBits(contents.tensors().get(1).data()[0])).isEqualTo(0x7FC0_0123);
        assertThat(contents.parameterDigest()).isEqualTo(GOLDEN_DIGEST);
    }

    @Test
    void parameterDigestIsTheHashOfTheTensorSection() throws Exception {
        byte[] golden = goldenBytes();
        byte[] section = Arrays.copyOfRange(golden, GOLDEN_TENSOR_SECTION_OFFSET, golden.length - 32);
        assertThat(sha256Hex(section)).isEqualTo(GOLDEN_DIGEST);
        assertThat(ModelFile.parameterDigest(expectedTensors())).isEqualTo(GOLDEN_DIGEST);
    }

    @Test
    void writerReproducesTheGoldenBytes() throws IOException {
        // Compact JSON in insertion order, as the Python writer emits it. Should a later writer format
        // its header differently, this test may change; the two above must not.
        Path file = dir.resolve("again.rfm");
        ModelFile.write(file, expectedHeader(), expectedTensors());
        assertThat(Files.readAllBytes(file)).isEqualTo(goldenBytes());
    }
}
