package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.tensor.CsrMatrix;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibSvmReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsSparseRowsWithComments() {
        Path f = TestFiles.text(dir, "a.svm", "# header comment\n1 1:0.5 3:2 # trailing\n\n0\t2:-1  4:0\n2 4:7e-1\n");
        Dataset d = new LibSvmReader().read(f);
        assertThat(d.isSparse()).isTrue();
        CsrMatrix x = (CsrMatrix) d.features();
        assertThat(x.rows()).isEqualTo(3);
        assertThat(x.cols()).isEqualTo(4);
        assertThat(x.nonZeros()).isEqualTo(4); // the explicit 4:0 is not stored
        assertThat(x.toDense().data()).containsExactly(
                0.5f, 0f, 2f, 0f,
                0f, -1f, 0f, 0f,
                0f, 0f, 0f, 0.7f);
        assertThat(d.labels()).containsExactly(1f, 0f, 2f);
        assertThat(d.schema().featureNames()).containsExactly("f1", "f2", "f3", "f4");
        assertThat(d.numClasses()).isEqualTo(3);
    }

    @Test
    void numFeaturesOverrideWidensAndGzipIsDetected() {
        Path f = TestFiles.gzipText(dir, "b.txt", "-2 2:1\n+1 1:1\n");
        Dataset d = new LibSvmReader().withNumFeatures(10).read(f);
        assertThat(d.numFeatures()).isEqualTo(10);
        assertThat(d.labels()).containsExactly(-2f, 1f);
        assertThat(d.integralLabels()).isFalse();
        assertThatThrownBy(d::numClasses).isInstanceOf(IllegalStateException.class)
                .hasMessage(f + ": row 0 has label -2.0 (expected: integer class index >= 0 for classification)");
    }

    @Test
    void binaryPlusMinusOneLabelsBecomeClassesZeroAndOne() {
        Path f = TestFiles.text(dir, "pm.svm", "-1 2:1\n+1 1:1\n1 1:2\n");
        Dataset d = new LibSvmReader().read(f);
        assertThat(d.labels()).containsExactly(0f, 1f, 1f);
        assertThat(d.schema().classNames()).containsExactly("-1", "+1");
        assertThat(d.numClasses()).isEqualTo(2);
        Path onlyPositive = TestFiles.text(dir, "pos.svm", "+1 1:1\n");
        assertThat(new LibSvmReader().read(onlyPositive).labels()).containsExactly(1f);
    }

    private void assertBad(String content, LibSvmReader reader, String message, long line) {
        Path f = TestFiles.text(dir, "bad.svm", content);
        assertThatThrownBy(() -> reader.read(f))
                .isInstanceOfSatisfying(DataFormatException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessage(f + (line > 0 ? ":" + line : "") + ": " + message);
    }

    @Test
    void rejectsIndicesNotIncreasingZeroOrNonInteger() {
        LibSvmReader r = new LibSvmReader();
        assertBad("1 1:1 3:1\n0 3:1 2:1\n", r, "index 2 after 3 (expected: strictly increasing indices)", 2);
        assertBad("1 2:1 2:1\n", r, "index 2 after 2 (expected: strictly increasing indices)", 1);
        assertBad("1 0:1\n", r, "index 0 (expected: 1-based indices (>= 1))", 1);
        assertBad("1 1.5:1\n", r, "index '1.5' is not an integer (expected: a 1-based integer index)", 1);
        assertBad("1 -2:1\n", r, "index '-2' is not an integer (expected: a 1-based integer index)", 1);
        assertBad("1 qid:3 1:1\n", r, "index 'qid' is not an integer (expected: a 1-based integer index)", 1);
    }

    @Test
    void rejectsBadValuesLabelsAndTokens() {
        LibSvmReader r = new LibSvmReader();
        assertBad("1 1:nan\n", r, "non-finite value 'nan' at index 1 (expected: a finite number)", 1);
        assertBad("1 1:abc\n", r, "non-numeric value 'abc' at index 1 (expected: a finite number)", 1);
        assertBad("\nyes 1:1\n", r, "non-numeric value 'yes' as label (expected: a finite number first on the line)", 2);
        assertBad("1 1:1 7\n", r, "token '7' has no ':' (expected: index:value pairs after the label)", 1);
        assertBad("1 1:1\n1 5:1\n", new LibSvmReader().withNumFeatures(4),
                "index 5 (expected: at most 4 (the set number of features))", 2);
    }

    @Test
    void rejectsEmptyInput() {
        LibSvmReader r = new LibSvmReader();
        assertBad("", r, "empty file (expected: lines of the form 'label index:value ...')", 0);
        assertBad("# only a comment\n", r, "no data lines (expected: lines of the form 'label index:value ...')", 1);
        assertBad("1\n0\n", r, "no feature appears in any row (expected: at least one index:value pair, or a set"
                + " number of features)", 2);
    }

    @Test
    void rejectsUnreadableFile() {
        Path missing = dir.resolve("nope.svm");
        assertThatThrownBy(() -> new LibSvmReader().read(missing))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(missing + ": cannot read file: no such file (expected: a readable, complete data file)");
    }
}
