package io.ringfold.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.data.DataFormatException;
import io.ringfold.data.DataSpec;
import io.ringfold.data.ImputeStrategy;
import io.ringfold.data.UnseenCategories;
import io.ringfold.model.ModelType;
import io.ringfold.tensor.Blas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a training run does with rough tabular data: missing cells, constant columns, unseen categories, bad targets. */
class TrainingRunDataTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    /** 40 rows: x varies, k is constant, m has empty cells, colour is categorical with some cells missing. */
    private Path train() throws Exception {
        StringBuilder csv = new StringBuilder("x,k,m,colour,y\n");
        for (int i = 0; i < 40; i++) {
            csv.append(i % 10).append(",3,").append(i % 3 == 0 ? "" : String.valueOf(i % 5)).append(',')
                    .append(i % 4 == 0 ? "NA" : i % 2 == 0 ? "red" : "blue").append(',').append(i % 2).append('\n');
        }
        return write("train.csv", csv.toString());
    }

    @Test
    void aCsvWithEmptyCellsTrainsWithTheDefaultsAndUnseenCategoriesGiveZeros() throws Exception {
        Path test = write("test.csv", "x,k,m,colour,y\n1,3,,green,1\n2,,4,red,0\n");
        DataSpec.LoadedData data = DataSpec.parse("csv:" + train() + "?label=y&categorical=colour&test=" + test).load();
        TrainingConfig config = TrainingConfig.of(Map.of(Hyperparameters.MODEL, ModelType.LOGISTIC,
                Hyperparameters.EPOCHS, 2));
        TrainingRun.Outcome o = TrainingRun.run(data, config, Blas.get(), TrainingListener.NONE);
        assertThat(o.model().preprocessor().droppedColumns()).containsExactly("k");
        assertThat(o.model().preprocessor().imputeStrategy()).contains(ImputeStrategy.MEAN);
        assertThat(o.model().preprocessor().unseenCategories()).isEqualTo(UnseenCategories.ZERO);
        assertThat(o.testRows()).isEqualTo(2);
        assertThat(o.evaluation().get("accuracy")).isNotNull();

        TrainingConfig refusing = config.with(Hyperparameters.UNSEEN_CATEGORIES, UnseenCategories.ERROR)
                .with(Hyperparameters.IMPUTE, ImputeStrategy.MEDIAN);
        assertThatThrownBy(() -> TrainingRun.run(data, refusing, Blas.get(), TrainingListener.NONE))
                .hasMessage(test + ":2: column 'colour': a category not seen in training (expected: one of [, blue,"
                        + " red], or --unseen-categories zero at training)");
    }

    @Test
    void classNamesAsARegressionTargetAreOneLineNamingFileLineAndColumn() throws Exception {
        Path f = write("r.csv", "a,price\n1,cheap\n2,12.5\n3,dear\n4,7\n5,cheap\n");
        DataSpec.LoadedData data = DataSpec.parse("csv:" + f + "?label=price").load();
        TrainingConfig linear = TrainingConfig.of(Map.of(Hyperparameters.MODEL, ModelType.LINEAR,
                Hyperparameters.TEST_SPLIT, 0.0));
        assertThatThrownBy(() -> TrainingRun.run(data, linear, Blas.get(), TrainingListener.NONE))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(f + ":2: label 'cheap' in column 'price' is not a number (expected: numbers for"
                        + " regression (model linear))");
        // A label that turns non-numeric after numeric ones is caught by the reader, on its line.
        Path later = write("later.csv", "a,price\n1,3\n2,12.5\n3,dear\n");
        assertThatThrownBy(() -> DataSpec.parse("csv:" + later + "?label=price").load())
                .hasMessage(later + ":4: non-numeric value 'dear' in label column 'price' (expected: a finite number,"
                        + " as the first row's label was)");
    }
}
