package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSpecTest {

    @TempDir
    Path dir;

    @Test
    void parsesEveryForm() {
        assertThat(DataSpec.parse("digits")).isEqualTo(new DataSpec.Digits());
        assertThat(DataSpec.parse("fashion-mnist"))
                .isEqualTo(new DataSpec.FashionMnist(Path.of("/usr/share/datasets/fashion-mnist")));
        assertThat(DataSpec.parse("fashion-mnist:/data/fm")).isEqualTo(new DataSpec.FashionMnist(Path.of("/data/fm")));
        DataSpec.Csv csv = (DataSpec.Csv) DataSpec.parse(
                "csv:data/t.csv?label=kind&header=false&delimiter=;&categorical=a,b&test=data/u.csv");
        assertThat(csv.path()).isEqualTo(Path.of("data/t.csv"));
        assertThat(csv.test()).contains(Path.of("data/u.csv"));
        assertThat(csv.reader().header()).isFalse();
        assertThat(csv.reader().delimiter()).isEqualTo(';');
        assertThat(csv.reader().labelColumn()).contains("kind");
        assertThat(csv.reader().categorical()).containsExactly("a", "b");
        assertThat(((DataSpec.Csv) DataSpec.parse("csv:x.tsv?delimiter=tab")).reader().delimiter()).isEqualTo('\t');
        assertThat(DataSpec.parse("libsvm:a.svm?features=300"))
                .isEqualTo(new DataSpec.LibSvm(Path.of("a.svm"), 300, Optional.empty()));
        assertThat(DataSpec.parse("libsvm:a.svm")).isEqualTo(new DataSpec.LibSvm(Path.of("a.svm"), 0, Optional.empty()));
        assertThat(DataSpec.parse("idx:i.gz,l.gz?test=ti.gz,tl.gz")).isEqualTo(new DataSpec.Idx(Path.of("i.gz"),
                Path.of("l.gz"), Optional.of(Path.of("ti.gz")), Optional.of(Path.of("tl.gz"))));
    }

    @Test
    void rejectsBadSpecsListingTheAcceptedForms() {
        for (String bad : List.of("", "mnist", "digits:x", "csv:", "csv:?label=y", "csv:a.csv?lable=y",
                "csv:a.csv?header=yes", "csv:a.csv?delimiter=ab", "csv:a.csv?label=", "csv:a.csv?label=a&label=b",
                "libsvm:a?features=0", "libsvm:a?features=x", "idx:images-only", "idx:a,b,c", "fashion-mnist:")) {
            assertThatThrownBy(() -> DataSpec.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("data spec '" + bad + "': ")
                    .hasMessageEndingWith("(expected: " + DataSpec.FORMS + ")");
        }
        assertThatThrownBy(() -> DataSpec.parse("mnist")).hasMessageContaining("unknown kind 'mnist'");
        assertThatThrownBy(() -> DataSpec.parse("csv:a.csv?lable=y"))
                .hasMessageContaining("option 'lable=y' (options here: [categorical, delimiter, header, label, test, text, weight]");
    }

    @Test
    void loadsBundledDigits() {
        DataSpec.LoadedData data = DataSpec.parse("digits").load();
        Dataset d = data.train();
        assertThat(data.test()).isEmpty();
        assertThat(d.size()).isEqualTo(1797);
        assertThat(d.numFeatures()).isEqualTo(64);
        assertThat(d.numClasses()).isEqualTo(10);
        assertThat(d.source()).isEqualTo("digits");
        assertThat(d.schema().featureNames()).startsWith("px0").endsWith("px63");
        // First row of the file, as printed by `zcat digits.csv.gz | head -1`: 0,0,5,13,9,1,0,0,... label 0.
        assertThat(d.features().get(0, 2)).isEqualTo(5f);
        assertThat(d.features().get(0, 3)).isEqualTo(13f);
        assertThat(d.label(0)).isZero();
        float max = 0;
        for (int r = 0; r < d.size(); r++) {
            for (int c = 0; c < 64; c++) {
                max = Math.max(max, d.features().get(r, c));
            }
        }
        assertThat(max).isEqualTo(16f);
        assertThat(DataSpec.parse("digits").describe()).contains("1797").contains("CC BY 4.0");
    }

    @Test
    void csvSpecReadsTestFileAgainstTrainingSchema() {
        Path train = TestFiles.text(dir, "train.csv", "color;x;y\nred;1;b\nblue;2;a\n");
        Path test = TestFiles.text(dir, "test.csv", "color;x;y\nred;3;a\n");
        DataSpec spec = DataSpec.parse("csv:" + train + "?delimiter=;&categorical=color&test=" + test);
        DataSpec.LoadedData data = spec.load();
        assertThat(data.train().schema().classNames()).containsExactly("a", "b");
        Dataset t = data.test().orElseThrow();
        assertThat(t.schema()).isEqualTo(data.train().schema());
        assertThat(t.features().get(0, 0)).isEqualTo(1f); // red
        assertThat(t.label(0)).isZero(); // a
        assertThat(spec.describe()).isEqualTo("csv: " + train + " (header, delimiter ';', label column last,"
                + " categorical [color]), test " + test);
    }

    @Test
    void libsvmSpecGivesTestTheTrainingWidth() {
        Path train = TestFiles.text(dir, "train.svm", "1 1:1 5:2\n0 2:1\n");
        Path test = TestFiles.text(dir, "test.svm", "1 3:1\n");
        DataSpec.LoadedData data = DataSpec.parse("libsvm:" + train + "?test=" + test).load();
        assertThat(data.train().numFeatures()).isEqualTo(5);
        assertThat(data.test().orElseThrow().numFeatures()).isEqualTo(5);
        Path wide = TestFiles.text(dir, "wide.svm", "1 6:1\n");
        assertThatThrownBy(() -> DataSpec.parse("libsvm:" + train + "?test=" + wide).load())
                .isInstanceOf(DataFormatException.class)
                .hasMessage(wide + ":1: index 6 (expected: at most 5 (the set number of features))");
    }

    @Test
    void idxSpecLoadsTrainAndTest() {
        Path img = TestFiles.gzip(dir, "img.gz", IdxReaderTest.images(4, 2, 2));
        Path lab = TestFiles.gzip(dir, "lab.gz", IdxReaderTest.labels(0, 1, 2, 1));
        DataSpec.LoadedData data = DataSpec.parse("idx:" + img + "," + lab + "?test=" + img + "," + lab).load();
        assertThat(data.train().size()).isEqualTo(4);
        assertThat(data.test().orElseThrow().fingerprint()).isEqualTo(data.train().fingerprint());
    }

    @Test
    void missingFashionMnistNamesThePackage() {
        assertThatThrownBy(() -> DataSpec.parse("fashion-mnist:" + dir).load())
                .isInstanceOf(DataFormatException.class)
                .hasMessage(dir.resolve("train-images-idx3-ubyte.gz") + ": Fashion-MNIST file not found (expected: the"
                        + " files of Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist), or"
                        + " fashion-mnist:DIR naming their directory)");
    }

    @Test
    void csvTextColumnWithItsOptionsAndATestFile() {
        Path train = TestFiles.text(dir, "mail.csv", "label,text\nspam,\"WIN\r\nnow\"\nham,\"lunch, at noon\"\n");
        Path test = TestFiles.text(dir, "mail-test.csv", "label,text\nham,\"win\nlunch\"\n");
        DataSpec spec = DataSpec.parse("csv:" + train + "?label=label&text=text&test=" + test)
                .withTextOptions(new TextOptions(300, 2));
        assertThat(spec.describe()).isEqualTo("csv: " + train + " (header, delimiter ',', label column 'label', text"
                + " column 'text' (vocabulary of 300 unigrams and bigrams)), test " + test);
        DataSpec.LoadedData data = spec.load();
        assertThat(data.train().documents()).containsExactly("WIN\r\nnow", "lunch, at noon");
        assertThat(data.train().schema().textColumns()).containsExactly(java.util.Map.entry("text", new TextOptions(300, 2)));
        assertThat(data.test().orElseThrow().documents()).containsExactly("win\nlunch");
        assertThat(data.test().orElseThrow().schema()).isEqualTo(data.train().schema());
        assertThatThrownBy(() -> DataSpec.parse("csv:a.csv?text=a,b"))
                .hasMessageStartingWith("data spec 'csv:a.csv?text=a,b': text=a,b names several columns (one text column"
                        + " at most: join the texts into one column)");
        assertThatThrownBy(() -> DataSpec.parse("csv:a.csv").withTextOptions(TextOptions.DEFAULTS))
                .hasMessage("data: no text column (expected: csv:PATH?text=COLUMN)");
        assertThatThrownBy(() -> DataSpec.parse("digits").withTextOptions(TextOptions.DEFAULTS))
                .hasMessage("data: no text column (expected: csv:PATH?text=COLUMN)");
    }
}
