package io.ringfold.onnx;

import io.ringfold.data.CsvReader;
import io.ringfold.data.DataSpec;
import io.ringfold.model.Model;
import io.ringfold.model.ModelType;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Linear, logistic, softmax and MLP models trained on the tabular fixtures, exported and run in ONNX Runtime on
 * the raw rows of their test files: every output within 1e-5 of Ringfold's and the same classes.
 */
class TabularExportTest {

    /** Numeric rows: the test file's, then the same rows with one value missing in each (imputed in the graph). */
    private static float[][] numericRowsWithGaps(String set, String label) throws Exception {
        float[][] rows = TrainedModels.numbers(TrainedModels.cells(TrainedModels.TABULAR.resolve(set + "-test.csv"), label));
        float[][] out = new float[rows.length * 2][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[r];
            out[rows.length + r] = rows[r].clone();
            out[rows.length + r][r % rows[r].length] = Float.NaN;
        }
        return out;
    }

    /** Trains on {@code set}'s training file and checks the export on its test rows, with and without gaps. */
    private static void assertExportAgreesOn(String set, String label, TrainingConfig config) throws Exception {
        Model m = TrainedModels.train(TrainedModels.tabular(set, label), config);
        Predictions.assertExportAgrees(m, numericRowsWithGaps(set, label));
    }

    @Test
    void linearRegressionOnDiabetes() throws Exception {
        assertExportAgreesOn("diabetes", "progression", TrainedModels.config(Hyperparameters.MODEL, ModelType.LINEAR));
    }

    @Test
    void logisticRegressionAppliesTheModelsThreshold() throws Exception {
        Model m = TrainedModels.train(TrainedModels.tabular("breast-cancer", "diagnosis"),
                TrainedModels.config(Hyperparameters.MODEL, ModelType.LOGISTIC, Hyperparameters.THRESHOLD, 0.9));
        assertThat(m.threshold()).isEqualTo(0.9);
        float[][] rows = numericRowsWithGaps("breast-cancer", "diagnosis");
        Predictions ringfold = Predictions.ringfold(m, rows);
        // The threshold must matter on these rows: some P(class 1) lies between 0.5 and 0.9.
        assertThat(java.util.Arrays.stream(ringfold.probabilities()).filter(p -> p[1] > 0.5f && p[1] <= 0.9f)).isNotEmpty();
        Predictions.assertExportAgrees(m, rows);
    }

    @Test
    void softmaxRegressionOnWine() throws Exception {
        assertExportAgreesOn("wine", "cultivar", TrainedModels.config(Hyperparameters.MODEL, ModelType.SOFTMAX));
    }

    @Test
    void mlpOnWine() throws Exception {
        assertExportAgreesOn("wine", "cultivar", TrainedModels.config(Hyperparameters.MODEL, ModelType.MLP,
                Hyperparameters.HIDDEN, new int[] {16, 8}, Hyperparameters.EPOCHS, 5));
    }

    /**
     * Penguins: categorical island and sex (sex missing in some rows, the empty category), numbers missing in
     * two rows; strings in, as the server takes them, with other missing spellings and an unseen category.
     */
    @Test
    void categoricalColumnsWithMissingValuesTakeTheServersStrings() throws Exception {
        Model m = TrainedModels.train(TrainedModels.tabular("penguins", "species", "island", "sex"),
                TrainedModels.config(Hyperparameters.MODEL, ModelType.SOFTMAX));
        List<String[]> rows = new java.util.ArrayList<>(TrainedModels.cells(
                TrainedModels.TABULAR.resolve("penguins-test.csv"), "species"));
        rows.add(new String[] {"Biscoe", "NA", "17.1", "?", "4200", "NA"});
        rows.add(new String[] {"Atlantis", "45.2", "", "210", "null", "FEMALE"});
        rows.add(new String[] {"Dream", "1e1", "20", "190.5", "3900", "MALE"});
        assertThat(rows).anySatisfy(r -> assertThat(r).contains(""));
        Predictions.ringfold(m, rows).assertAgreesWith(Predictions.onnx(OnnxExport.toBytes(m), rows));
    }

    /** Only categorical columns: penguins' island and sex, no numbers at all. */
    @Test
    void onlyCategoricalColumns(@TempDir Path tmp) throws Exception {
        Path csv = tmp.resolve("islands.csv");
        StringBuilder b = new StringBuilder("island,sex,species\n");
        for (String line : Files.readAllLines(TrainedModels.TABULAR.resolve("penguins-train.csv"))
                .subList(1, 276)) {
            String[] c = line.split(",", -1);
            b.append(c[0]).append(',').append(c[5]).append(',').append(c[6]).append('\n');
        }
        Files.writeString(csv, b);
        Model m = TrainedModels.train(new DataSpec.Csv(csv, new CsvReader()
                .withLabelColumn("species").withCategorical(List.of("island", "sex")), Optional.empty()),
                TrainedModels.config(Hyperparameters.MODEL, ModelType.SOFTMAX));
        List<String[]> rows = List.of(new String[] {"Biscoe", "MALE"}, new String[] {"Dream", ""},
                new String[] {"Torgersen", "FEMALE"}, new String[] {"Nowhere", "NA"});
        Predictions.ringfold(m, rows).assertAgreesWith(Predictions.onnx(OnnxExport.toBytes(m), rows));
    }

    /** A regressor with a categorical column and missing numbers: auto-mpg's origin and horsepower. */
    @Test
    void regressionWithACategoricalColumn() throws Exception {
        Model m = TrainedModels.train(TrainedModels.tabular("auto-mpg", "mpg", "origin"), TrainedModels.config(
                Hyperparameters.MODEL, ModelType.MLP, Hyperparameters.HIDDEN, new int[] {8}, Hyperparameters.EPOCHS, 5,
                Hyperparameters.LOSS, io.ringfold.nn.Loss.MSE));
        List<String[]> rows = new java.util.ArrayList<>(TrainedModels.cells(
                TrainedModels.TABULAR.resolve("auto-mpg-test.csv"), "mpg"));
        rows.add(new String[] {"4", "97", "", "2130", "14.5", "1975", "Japan"});
        Predictions.ringfold(m, rows).assertAgreesWith(Predictions.onnx(OnnxExport.toBytes(m), rows));
    }

    /** Four categorical columns among numbers: the one-hot blocks put back in the input columns' order. */
    @Test
    void categoricalColumnsInterleavedWithNumbers() throws Exception {
        Model m = TrainedModels.train(TrainedModels.tabular("cps-wages", "wage", "gender", "race", "occupation", "sector"),
                TrainedModels.config(Hyperparameters.MODEL, ModelType.LINEAR));
        List<String[]> rows = TrainedModels.cells(TrainedModels.TABULAR.resolve("cps-wages-test.csv"), "wage");
        Predictions.ringfold(m, rows).assertAgreesWith(Predictions.onnx(OnnxExport.toBytes(m), rows));
    }
}
