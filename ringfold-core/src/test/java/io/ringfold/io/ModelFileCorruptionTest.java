package io.ringfold.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a file can be damaged must end in a {@link ModelFileException} with a one-line message
 * naming the file, never in another exception, a huge allocation or wrong contents.
 */
class ModelFileCorruptionTest {

    @TempDir
    Path dir;

    private Path file;
    private byte[] good;
    /** Offsets in {@link #good}: the header JSON starts at 16; the tensor section follows it. */
    private int headerStart = 16;
    private int tensorSection;

    @BeforeEach
    void writeGoodFile() throws IOException {
        Path source = dir.resolve("source.rfm");
        // The golden contents: small (404 bytes), so that damaging every single byte stays quick.
        ModelFile.write(source, ModelFileGoldenTest.expectedHeader(), ModelFileGoldenTest.expectedTensors());
        good = Files.readAllBytes(source);
        tensorSection = headerStart + (good[12] & 0xff) + ((good[13] & 0xff) << 8);
        file = dir.resolve("damaged.rfm");
    }

    private ModelFileException readFails(byte[] bytes) throws IOException {
        Files.write(file, bytes);
        ModelFileException e = catchThrowableOfType(ModelFileException.class, () -> ModelFile.read(file));
        assertThat(e).as("reading a damaged file must fail").isNotNull();
        assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain("\n");
        assertThat(e.file()).isEqualTo(file);
        return e;
    }

    private static byte[] flip(byte[] bytes, int offset) {
        byte[] copy = bytes.clone();
        copy[offset] ^= 0x10;
        return copy;
    }

    @Test
    void flippedPayloadBytesAreChecksumMismatches() throws IOException {
        // The first tensor's data starts 33 bytes into the tensor section; the last tensor's 8 data bytes
        // sit right before the 32-byte checksum.
        int[] offsets = {headerStart, headerStart + 5, tensorSection + 35, good.length - 40, good.length - 33,
            good.length - 32, good.length - 16, good.length - 1};
        for (int offset : offsets) {
            assertThat(readFails(flip(good, offset))).as("byte %d flipped", offset)
                    .hasMessage(file + ": checksum mismatch (file corrupt)");
        }
    }

    @Test
    void everySingleFlippedByteIsDetected() throws IOException {
        for (int offset = 0; offset < good.length; offset++) {
            readFails(flip(good, offset));
        }
    }

    @Test
    void everyTruncationIsReportedAsSuch() throws IOException {
        for (int length = 0; length < good.length; length++) {
            assertThat(readFails(Arrays.copyOf(good, length))).as("cut at %d", length)
                    .hasMessageStartingWith(file + ": truncated at byte " + length + " (expected at least ");
        }
        assertThat(readFails(Arrays.copyOf(good, good.length - 1)))
                .hasMessage(file + ": truncated at byte " + (good.length - 1) + " (expected at least " + good.length
                        + " bytes)");
    }

    @Test
    void foreignFileIsNotARingfoldModel() throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
        assertThat(readFails(png))
                .hasMessage(file + ": not a Ringfold model (expected: the 8 bytes \"RINGFOLD\" at its start)");
        assertThat(readFails("RING".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .hasMessage(file + ": truncated at byte 4 (expected at least 12 bytes)");
        assertThat(readFails("RINGFOOD and more".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .hasMessageContaining("not a Ringfold model");
    }

    /**
     * The reason reaches clients (a version's status, the repository index), and a file in the repository
     * may be anything, a secret included: the message says what was expected, never what was found.
     */
    @Test
    void aForeignFilesBytesAreNotEchoed() throws IOException {
        String secret = "token=s3cr3t-Value\n";
        String message = readFails(secret.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).getMessage();
        String problem = message.substring((file + ": ").length());
        assertThat(problem).doesNotContain("token").doesNotContain("s3")
                .isEqualTo("not a Ringfold model (expected: the 8 bytes \"RINGFOLD\" at its start)");
    }

    @Test
    void newerVersionIsNamed() throws IOException {
        byte[] v2 = good.clone();
        v2[8] = 2;
        assertThat(readFails(v2))
                .hasMessage(file + ": unknown format version 2 (expected: 1; written by a newer Ringfold?)");
        assertThat(readFails(new RawContainer().ascii("RINGFOLD").u32(0xFFFF_FFFFL).bytes(new byte[100]).sealed()))
                .hasMessageContaining("unknown format version 4294967295");
    }

    @Test
    void headerMustBeAJsonObject() throws IOException {
        assertThat(readFails(RawContainer.v1().utf8("{\"a\":").u32(0).sealed()))
                .hasMessageStartingWith(file + ": header not valid JSON (");
        assertThat(readFails(RawContainer.v1().utf8("{\"a\":1}{\"b\":2}").u32(0).sealed()))
                .hasMessageStartingWith(file + ": header not valid JSON (");
        assertThat(readFails(RawContainer.v1().utf8("{\"a\":1,\"a\":2}").u32(0).sealed()))
                .hasMessageStartingWith(file + ": header not valid JSON (");
        assertThat(readFails(RawContainer.v1().utf8("[1,2]").u32(0).sealed()))
                .hasMessage(file + ": header not valid JSON (expected: an object, found: ARRAY)");
        assertThat(readFails(RawContainer.v1().utf8("").u32(0).sealed()))
                .hasMessage(file + ": header not valid JSON (expected: an object, found: MISSING)");
        assertThat(readFails(RawContainer.v1().u32(3).bytes(new byte[] {'{', (byte) 0xC3, '}'}).u32(0).sealed()))
                .hasMessageStartingWith(file + ": header not valid UTF-8");
    }

    @Test
    void tensorInconsistenciesAreNamed() throws IOException {
        RawContainer dup = RawContainer.v1().utf8("{}").u32(2)
                .utf8("w").u32(1).u32(1).floatBits(0)
                .utf8("w").u32(1).u32(1).floatBits(0);
        assertThat(readFails(dup.sealed()))
                .hasMessage(file + ": duplicate tensor name \"w\" (tensors 0 and 1; expected: unique names)");
        assertThat(readFails(RawContainer.v1().utf8("{}").u32(1).u32(0).u32(1).u32(1).floatBits(0).sealed()))
                .hasMessage(file + ": tensor 0: name length 0 (expected: > 0)");
        assertThat(readFails(RawContainer.v1().utf8("{}").u32(1).u32(1).bytes(new byte[] {(byte) 0xFF})
                .u32(0).floatBits(0).sealed()))
                .hasMessageStartingWith(file + ": tensor 0 name not valid UTF-8");
        assertThat(readFails(RawContainer.v1().utf8("{}").u32(1).utf8("w").u32(2).u32(65536).u32(65536)
                .floatBits(0).sealed()))
                .hasMessage(file + ": tensor 0: shape [65536, 65536] is absurd (expected: at most 2147483639"
                        + " elements; file corrupt)");
        assertThat(readFails(RawContainer.v1().utf8("{}").u32(1).utf8("w").u32(1).u32(0x8000_0000L)
                .floatBits(0).sealed()))
                .hasMessage(file + ": tensor 0: dim 0 2147483648 is absurd (expected: at most 2147483647;"
                        + " file corrupt)");
        // One float fewer than the shape needs, then the checksum: the data runs into the checksum.
        assertThat(readFails(RawContainer.v1().utf8("{}").u32(1).utf8("w").u32(1).u32(3).floatBits(0, 0)
                .sealed()))
                .hasMessageStartingWith(file + ": truncated at byte ");
        // One float more than the shape needs: left over before the checksum.
        assertThat(readFails(RawContainer.v1().utf8("{}").u32(1).utf8("w").u32(1).u32(1).floatBits(0, 0)
                .sealed()))
                .hasMessage(file + ": 4 unexpected bytes after the last tensor at byte 39 (expected the 32-byte"
                        + " checksum there; file corrupt)");
    }

    @Test
    void absurdLengthsAreRejectedBeforeAnyAllocation() throws IOException {
        assertThat(readFails(RawContainer.v1().u32(0x7FFF_FFF0L).utf8("{}").sealed()))
                .hasMessage(file + ": header length 2147483632 is absurd (expected: at most 67108864; file corrupt)");
        // Within the format's limits but far beyond the file: must not allocate 32 MiB, let alone more.
        assertThat(readFails(RawContainer.v1().u32(32 << 20).utf8("{}").sealed()))
                .hasMessageStartingWith(file + ": truncated at byte ");
        assertThat(readFails(RawContainer.v1().utf8("{}").u32(1_000_000).sealed()))
                .hasMessage(file + ": truncated at byte 54 (expected at least 13000054 bytes)");
        assertThat(readFails(RawContainer.v1().utf8("{}").u32(1).u32(1 << 20).ascii("w").u32(0).floatBits(0)
                .sealed()))
                .hasMessage(file + ": tensor 0: name length 1048576 is absurd (expected: at most 4096; file corrupt)");
        assertThat(readFails(RawContainer.v1().utf8("{}").u32(1).utf8("w").u32(1000).floatBits(0).sealed()))
                .hasMessage(file + ": tensor 0: rank 1000 is absurd (expected: at most 32; file corrupt)");
        // 46340^2 floats is 8 GiB: a valid shape that this small file cannot hold.
        assertThat(readFails(RawContainer.v1().utf8("{}").u32(1).utf8("w").u32(2).u32(46340).u32(46340)
                .floatBits(0).sealed()))
                .hasMessage(file + ": truncated at byte 75 (expected at least 8589582471 bytes)");
    }

    @Test
    void goodFileStillReads() throws IOException {
        Files.write(file, good);
        assertThat(ModelFile.read(file).tensors()).isEqualTo(ModelFileGoldenTest.expectedTensors());
        assertThatThrownBy(() -> ModelFile.read(dir.resolve("missing.rfm")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
