package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsNumericTableWithHeaderAndLastColumnLabel() {
        Path f = TestFiles.text(dir, "a.csv", "x,y,target\n1,2.5,0\n-3,4e-1,2\n\n0,0,1\n");
        Dataset d = new CsvReader().read(f);
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.numFeatures()).isEqualTo(2);
        assertThat(((FloatMatrix) d.features()).data()).containsExactly(1f, 2.5f, -3f, 0.4f, 0f, 0f);
        assertThat(d.labels()).containsExactly(0f, 2f, 1f);
        assertThat(d.numClasses()).isEqualTo(3);
        assertThat(d.schema().featureNames()).containsExactly("x", "y");
        assertThat(d.schema().labelName()).isEqualTo("target");
        assertThat(d.schema().classNames()).isEmpty();
        assertThat(d.source()).isEqualTo(f.toString());
    }

    @Test
    void labelByNameOrIndexAndOtherDelimiter() {
        Path f = TestFiles.text(dir, "b.csv", "price;rooms;area\n100.5;3;70\n80;2;50\n");
        Dataset byName = new CsvReader().withDelimiter(';').withLabelColumn("price").read(f);
        Dataset byIndex = new CsvReader().withDelimiter(';').withLabelColumn(0).read(f);
        assertThat(byName.labels()).containsExactly(100.5f, 80f);
        assertThat(byName.schema().featureNames()).containsExactly("rooms", "area");
        assertThat(byIndex.fingerprint()).isEqualTo(byName.fingerprint());
        assertThat(byName.integralLabels()).isFalse();
    }

    @Test
    void stringClassesAreSortedAndCategoricalColumnsCoded() {
        Path f = TestFiles.text(dir, "c.csv", "color,size,kind\nred,1,\"yes\"\nblue,2,no\ngreen,3,yes\nred,4,maybe\n");
        Dataset d = new CsvReader().withCategorical(List.of("color")).read(f);
        assertThat(d.schema().classNames()).containsExactly("maybe", "no", "yes");
        assertThat(d.labels()).containsExactly(2f, 1f, 2f, 0f);
        assertThat(d.schema().categoricalVocabularies()).containsExactly(
                java.util.Map.entry("color", List.of("blue", "green", "red")));
        assertThat(((FloatMatrix) d.features()).data()).containsExactly(2f, 1f, 0f, 2f, 1f, 3f, 2f, 4f);
        assertThat(d.numClasses()).isEqualTo(3);
    }

    @Test
    void referenceSchemaFixesNamesForATestFile() {
        Path train = TestFiles.text(dir, "train.csv", "color,size,kind\nred,1,yes\nblue,2,no\n");
        Path test = TestFiles.text(dir, "test.csv", "color,size,kind\nblue,5,yes\n");
        CsvReader reader = new CsvReader().withCategorical(List.of("color"));
        Dataset tr = reader.read(train);
        Dataset te = reader.withReferenceSchema(tr.schema()).read(test);
        assertThat(te.schema()).isEqualTo(tr.schema());
        assertThat(((FloatMatrix) te.features()).data()).containsExactly(0f, 5f);
        assertThat(te.labels()).containsExactly(1f);
        // A category the training set lacks (a missing one included) is coded -1, for the preprocessor to map.
        Path unknown = TestFiles.text(dir, "unknown.csv", "color,size,kind\nblue,5,yes\npink,1,no\n,2,no\n");
        Dataset un = reader.withReferenceSchema(tr.schema()).read(unknown);
        assertThat(((FloatMatrix) un.features()).data()).containsExactly(0f, 5f, -1f, 1f, -1f, 2f);
        // A class the training set lacks is still an error.
        Path unknownClass = TestFiles.text(dir, "unknown-class.csv", "color,size,kind\nblue,5,maybe\n");
        assertThatThrownBy(() -> reader.withReferenceSchema(tr.schema()).read(unknownClass))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(unknownClass + ":2: unknown class 'maybe' in label column 'kind' (expected: one of the"
                        + " training set's [no, yes])");
    }

    @Test
    void noHeaderGzipAndQuotedCells() {
        Path f = TestFiles.gzipText(dir, "d.data", "\"1,5\",2,a\n3 , 4 ,b\n");
        Dataset d = new CsvReader().withHeader(false).withCategorical(List.of("0")).read(f);
        assertThat(d.schema().featureNames()).containsExactly("c0", "c1");
        assertThat(d.schema().categoricalVocabularies().get("c0")).containsExactly("1,5", "3");
        assertThat(d.schema().classNames()).containsExactly("a", "b");
        assertThat(((FloatMatrix) d.features()).data()).containsExactly(0f, 2f, 1f, 4f);
    }

    private void assertBad(String content, String message, long line) {
        Path f = TestFiles.text(dir, "bad.csv", content);
        assertBad(f, new CsvReader(), f + (line > 0 ? ":" + line : "") + ": " + message, line);
    }

    private static void assertBad(Path f, CsvReader reader, String message, long line) {
        assertThatThrownBy(() -> reader.read(f))
                .isInstanceOfSatisfying(DataFormatException.class, e -> {
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.source()).isEqualTo(f.toString());
                })
                .hasMessage(message);
    }

    @Test
    void rejectsRaggedRows() {
        assertBad("a,b,y\n1,2,0\n1,2\n", "row has 2 cells (expected: 3 as in the header)", 3);
    }

    @Test
    void rejectsNonNumericCells() {
        assertBad("a,b,y\n1,x2,0\n",
                "non-numeric value 'x2' in column 'b' (expected: a finite number, or declare the column categorical or text)", 2);
        assertBad("a,b,y\n1,0x10,0\n",
                "non-numeric value '0x10' in column 'b' (expected: a finite number, or declare the column categorical or text)",
                2);
    }

    @Test
    void rejectsNanAndInfinity() {
        // NaN and nan are missing values (pandas' spellings); other spellings of non-finite numbers are errors.
        assertBad("a,b,y\n1,2,0\n1,inf,0\n",
                "non-finite value 'inf' in column 'b' (expected: a finite number, or declare the column categorical or text)", 3);
        assertBad("a,b,y\n1,2,0\n-Infinity,2,1\n", "non-finite value '-Infinity' in column 'a' (expected: a finite"
                + " number, or declare the column categorical or text)", 3);
        assertBad("a,b,y\n1,1e39,0\n",
                "value '1e39' overflows float in column 'b' (expected: a finite number, or declare the column categorical or text)",
                2);
        assertBad("a,b,y\n1,2,nan\n", "non-finite value 'nan' in label column 'y' (expected: a finite number or a class name)", 2);
        assertBad("a,b,y\n1,2,0\n1,2,-Inf\n",
                "non-finite value '-Inf' in label column 'y' (expected: a finite number or a class name)", 3);
    }

    @Test
    void rejectsEmptyAndHeaderOnlyFiles() {
        assertBad("", "empty file (expected: a header row and data rows)", 0);
        assertBad("\n  \n", "empty file (expected: a header row and data rows)", 0);
        assertBad("a,b,y\n", "header only, no data rows (expected: data rows after the header)", 1);
    }

    @Test
    void rejectsMissingLabelColumnAndOutOfRangeIndex() {
        Path f = TestFiles.text(dir, "l.csv", "a,b,y\n1,2,0\n");
        assertBad(f, new CsvReader().withLabelColumn("target"),
                f + ":1: label column 'target' not found (expected: a column name among [a, b, y] or a 0-based index"
                        + " < 3)", 1);
        assertBad(f, new CsvReader().withLabelColumn(3),
                f + ":1: label column '3' not found (expected: a column name among [a, b, y] or a 0-based index < 3)", 1);
        assertBad(f, new CsvReader().withCategorical(List.of("z")),
                f + ":1: categorical column 'z' not found (expected: a column name among [a, b, y] or a 0-based index"
                        + " < 3)", 1);
        Path one = TestFiles.text(dir, "one.csv", "y\n1\n");
        assertBad(one, new CsvReader(), one + ":1: 1 column (expected: at least 2 (features and a label))", 1);
    }

    @Test
    void rejectsLabelTypeChangeAndDuplicateHeader() {
        assertBad("a,y\n1,0\n2,cat\n", "non-numeric value 'cat' in label column 'y' (expected: a finite number, as the first"
                + " row's label was)", 3);
        assertBad("a,a,y\n1,2,0\n", "duplicate column name 'a' (expected: distinct names)", 1);
    }

    @Test
    void rejectsUnreadableFile() {
        Path missing = dir.resolve("missing.csv");
        assertBad(missing, new CsvReader(), missing + ": cannot read file: no such file (expected: a readable,"
                + " complete data file)", 0);
    }

    @Test
    void rejectsTruncatedGzip() {
        Path full = TestFiles.gzipText(dir, "full.csv.gz", "a,y\n" + "1,0\n".repeat(2000));
        byte[] bytes = TestFiles.readAll(full);
        Path cut = TestFiles.bytes(dir, "cut.csv.gz", java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> new CsvReader().read(cut))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(cut + ":")
                .hasMessageContaining("cannot read file: unexpected end of file");
    }

    @Test
    void quotedCellsHoldDelimitersQuotesAndLineBreaksAsRfc4180Has() {
        // A comma, an escaped quote, an LF and a CRLF inside quotes; records end with CRLF, LF or a lone CR.
        String content = "id,text,y\r\n"
                + "1,\"a, b\",0\r\n"
                + "2,\"say \"\"hi\"\"\",1\n"
                + "3,\"two\nlines\",0\r"
                + "4,\"crlf\r\ninside\"  ,1\r\n"
                + "\r\n"
                + "5,\"\",0\n"
                + "6,  \"lead\"\t,1";
        Path f = TestFiles.text(dir, "q.csv", content);
        Dataset d = new CsvReader().withTextColumn("text").read(f);
        assertThat(d.documents()).containsExactly("a, b", "say \"hi\"", "two\nlines", "crlf\r\ninside", "", "lead");
        assertThat(d.labels()).containsExactly(0f, 1f, 0f, 1f, 0f, 1f);
        assertThat(((FloatMatrix) d.features()).data()).containsExactly(1f, 0f, 2f, 0f, 3f, 0f, 4f, 0f, 5f, 0f, 6f, 0f);
        assertThat(d.schema().textColumns()).containsOnlyKeys("text");
    }

    @Test
    void aLineNumberIsTheLineTheRecordStartsOn() {
        // The record of id 2 spans lines 3 to 5; the bad label of id 3 is on line 6.
        assertBad("id,text,y\n1,one,0\n2,\"a\nb\r\nc\",1\n3,x,oops\n", "non-numeric value 'oops' in label column 'y'"
                + " (expected: a finite number, as the first row's label was)", 6, "text");
        assertBad("id,text,y\n1,\"a\nb\",0\n2,x\n", "row has 2 cells (expected: 3 as in the header)", 4, "text");
        assertBad("id,text,y\n1,\"a\nb\" c,0\n", "text after the closing quote of cell 2 ('text') (expected: the"
                + " delimiter ',' or the end of the line right after a quoted cell)", 2, "text");
    }

    @Test
    void anUnclosedQuoteNamesWhereItOpened() {
        assertBad("a,y\n\"1,0\n", "the quote opening cell 1 ('a') is not closed before the end of the file (expected:"
                + " a closing '\"', and \"\" for a quote inside the cell)", 2);
        // Opened on line 4, in a record starting on line 3; the quote before it was closed.
        assertBad("id,text,y\n1,a,0\n\"2\n\",\"b\nc,1\n4,d,0\n", "the quote opening cell 2 ('text') of the record"
                + " starting on line 3 is not closed before the end of the file (expected: a closing '\"', and \"\" for"
                + " a quote inside the cell)", 4, "text");
        assertBad("\"a,y\n1,0\n", "the quote opening cell 1 is not closed before the end of the file (expected: a"
                + " closing '\"', and \"\" for a quote inside the cell)", 1);
    }

    @Test
    void textColumnAmongOtherColumnsAndAgainstTheTrainingSchema() {
        Path train = TestFiles.text(dir, "train.csv", "size,colour,body,y\n1,red,\"Hello, world\",a\n2,blue,bye,b\n");
        CsvReader reader = new CsvReader().withCategorical(List.of("colour")).withTextColumn("2")
                .withTextOptions(new TextOptions(7, 2));
        Dataset tr = reader.read(train);
        assertThat(tr.schema().featureNames()).containsExactly("size", "colour", "body");
        assertThat(tr.schema().textColumns()).containsExactly(java.util.Map.entry("body", new TextOptions(7, 2)));
        assertThat(tr.documents()).containsExactly("Hello, world", "bye");
        assertThat(((FloatMatrix) tr.features()).data()).containsExactly(1f, 1f, 0f, 2f, 0f, 0f);
        // A test file read against the training schema gets its text column without naming it.
        Path test = TestFiles.text(dir, "test.csv", "size,colour,body,y\n3,red,\"x\ny\",b\n");
        Dataset te = new CsvReader().withReferenceSchema(tr.schema()).read(test);
        assertThat(te.schema()).isEqualTo(tr.schema());
        assertThat(te.documents()).containsExactly("x\ny");
        assertBad(test, new CsvReader().withTextColumn("colour").withReferenceSchema(tr.schema()),
                test + ":1: text column 'colour' (expected: the training set's 'body')", 1);
    }

    @Test
    void rejectsBadTextColumns() {
        Path f = TestFiles.text(dir, "t.csv", "a,body,y\n1,hi,0\n");
        assertBad(f, new CsvReader().withTextColumn("nope"), f + ":1: text column 'nope' not found (expected: a column"
                + " name among [a, body, y] or a 0-based index < 3)", 1);
        assertBad(f, new CsvReader().withTextColumn("y"), f + ":1: text column 'y' is the label (expected: text columns"
                + " among the features)", 1);
        assertBad(f, new CsvReader().withTextColumn("body").withCategorical(List.of("body")), f + ":1: column 'body'"
                + " declared both categorical and text (expected: one or the other)", 1);
        // Without text=, a text column reads as a number and fails so.
        assertBad(f, new CsvReader(), f + ":2: non-numeric value 'hi' in column 'body' (expected: a finite number, or"
                + " declare the column categorical or text)", 2);
    }

    private void assertBad(String content, String message, long line, String textColumn) {
        Path f = TestFiles.text(dir, "bad.csv", content);
        assertBad(f, new CsvReader().withTextColumn(textColumn), f + ":" + line + ": " + message, line);
    }
}
