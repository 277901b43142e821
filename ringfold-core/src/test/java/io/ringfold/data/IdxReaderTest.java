package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.tensor.FloatMatrix;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    /** An IDX images file (magic 0x00000803, big-endian dims) of n images rows×cols, pixel i = i mod 256. */
    static byte[] images(int n, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols);
        b.putInt(0x00000803).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < n * rows * cols; i++) {
            b.put((byte) (i % 256));
        }
        return b.array();
    }

    static byte[] labels(int... values) {
        ByteBuffer b = ByteBuffer.allocate(8 + values.length);
        b.putInt(0x00000801).putInt(values.length);
        for (int v : values) {
            b.put((byte) v);
        }
        return b.array();
    }

    @Test
    void readsPlainAndGzippedFiles() {
        Path img = TestFiles.bytes(dir, "img", images(3, 2, 50));
        Path lab = TestFiles.gzip(dir, "lab.gz", labels(9, 0, 255));
        Dataset d = IdxReader.read(img, lab);
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.numFeatures()).isEqualTo(100);
        float[] x = ((FloatMatrix) d.features()).data();
        assertThat(x[0]).isZero();
        assertThat(x[255]).isEqualTo(255f); // unsigned bytes
        assertThat(x[256]).isZero();
        assertThat(x[299]).isEqualTo(43f);
        assertThat(d.labels()).containsExactly(9f, 0f, 255f);
        assertThat(d.schema().featureNames()).startsWith("px0", "px1").endsWith("px99");

        Path gzImg = TestFiles.gzip(dir, "img.gz", images(3, 2, 50));
        assertThat(IdxReader.read(gzImg, lab).fingerprint()).isEqualTo(d.fingerprint());
    }

    @Test
    void rejectsBadMagic() {
        Path lab = TestFiles.bytes(dir, "lab", labels(1));
        Path img = TestFiles.bytes(dir, "img", images(1, 2, 2));
        assertThatThrownBy(() -> IdxReader.read(lab, lab))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(lab + ": magic number 0x00000801 (expected: 0x00000803 for IDX unsigned-byte images, 3"
                        + " dimensions)");
        assertThatThrownBy(() -> IdxReader.readLabels(img))
                .hasMessage(img + ": magic number 0x00000803 (expected: 0x00000801 for IDX unsigned-byte labels, 1"
                        + " dimension)");
        Path empty = TestFiles.bytes(dir, "empty", new byte[0]);
        assertThatThrownBy(() -> IdxReader.readLabels(empty))
                .hasMessage(empty + ": empty file (expected: an IDX file of unsigned-byte labels, 1 dimension)");
    }

    @Test
    void rejectsTruncatedAndOverlongFiles() {
        byte[] full = images(2, 3, 3);
        Path cut = TestFiles.bytes(dir, "cut", Arrays.copyOf(full, full.length - 1));
        assertThatThrownBy(() -> IdxReader.readImages(cut))
                .isInstanceOfSatisfying(DataFormatException.class, e -> assertThat(e.line()).isZero())
                .hasMessage(cut + ": truncated after 0 of 18 pixel bytes (expected: 2 images of 3x3)");
        Path header = TestFiles.bytes(dir, "header", Arrays.copyOf(full, 10));
        assertThatThrownBy(() -> IdxReader.readImages(header))
                .hasMessage(header + ": truncated header, no rows (expected: a complete IDX header)");
        Path longer = TestFiles.bytes(dir, "longer", Arrays.copyOf(labels(1, 2), 11));
        assertThatThrownBy(() -> IdxReader.readLabels(longer))
                .hasMessage(longer + ": extra bytes after the declared content (expected: exactly 2 labels)");
        byte[] gz = TestFiles.readAll(TestFiles.gzip(dir, "big.gz", images(50, 28, 28)));
        Path cutGz = TestFiles.bytes(dir, "cut.gz", Arrays.copyOf(gz, gz.length / 2));
        assertThatThrownBy(() -> IdxReader.readImages(cutGz))
                .hasMessageStartingWith(cutGz + ": cannot read file: unexpected end of file");
    }

    @Test
    void rejectsCountMismatch() {
        Path img = TestFiles.bytes(dir, "img", images(3, 2, 2));
        Path lab = TestFiles.bytes(dir, "lab", labels(1, 2));
        assertThatThrownBy(() -> IdxReader.read(img, lab))
                .hasMessage(lab + ": 2 labels (expected: 3 as there are images in " + img + ")");
    }

    @Test
    void rejectsUnreadableFile() {
        Path missing = dir.resolve("none");
        assertThatThrownBy(() -> IdxReader.readImages(missing))
                .hasMessage(missing + ": cannot read file: no such file (expected: a readable, complete data file)");
    }
}
