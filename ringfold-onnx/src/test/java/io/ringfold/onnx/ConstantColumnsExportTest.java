package io.ringfold.onnx;

import io.ringfold.data.CsvReader;
import io.ringfold.data.DataSpec;
import io.ringfold.model.Model;
import io.ringfold.model.ModelType;
import io.ringfold.random.SplitMix64;
import io.ringfold.train.Hyperparameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Columns that held one value in every training row have no feature: the graph leaves them out of the raw rows
 * (which still carry them), numeric and categorical, with missing values around them.
 */
class ConstantColumnsExportTest {

    private static final long SEED = 20261207L;

    @TempDir
    Path tmp;

    /** Rows of x (numeric, some missing), k (always 3), colour (categorical), shape (always "round"), label. */
    private Path table(boolean categorical) throws Exception {
        System.out.println("ConstantColumnsExportTest seed " + SEED);
        SplitMix64 rng = new SplitMix64(SEED);
        StringBuilder csv = new StringBuilder(categorical ? "x,k,colour,shape,label\n" : "x,k,z,label\n");
        String[] colours = {"red", "green", "blue"};
        for (int r = 0; r < 120; r++) {
            double x = rng.nextGaussian();
            String xs = r % 17 == 5 ? "" : Double.toString(x);
            if (categorical) {
                String colour = colours[(int) (rng.nextDouble() * 3)];
                csv.append(xs).append(",3,").append(colour).append(",round,").append(x + (colour.equals("red") ? 1 : 0) > 0.5
                        ? "yes" : "no").append('\n');
            } else {
                double z = rng.nextGaussian();
                csv.append(xs).append(",3,").append(z).append(',').append(x + z > 0 ? "yes" : "no").append('\n');
            }
        }
        Path file = tmp.resolve(categorical ? "categorical.csv" : "numeric.csv");
        Files.writeString(file, csv);
        return file;
    }

    private Model train(Path csv, String... categorical) {
        DataSpec spec = new DataSpec.Csv(csv, new CsvReader().withLabelColumn("label").withCategorical(List.of(categorical)),
                Optional.empty());
        Model m = TrainedModels.train(spec, TrainedModels.config(Hyperparameters.MODEL, ModelType.LOGISTIC,
                Hyperparameters.TEST_SPLIT, 0.0));
        assertThat(m.preprocessor().droppedColumns()).isNotEmpty();
        return m;
    }

    @Test
    void numericRowsKeepTheirConstantColumn() throws Exception {
        Path csv = table(false);
        Model m = train(csv);
        assertThat(m.preprocessor().droppedColumns()).containsExactly("k");
        List<String[]> cells = TrainedModels.cells(csv, "label");
        Predictions.assertExportAgrees(m, TrainedModels.numbers(cells));
    }

    @Test
    void stringRowsKeepTheirConstantColumns() throws Exception {
        Path csv = table(true);
        Model m = train(csv, "colour", "shape");
        assertThat(m.preprocessor().droppedColumns()).containsExactlyInAnyOrder("k", "shape");
        List<String[]> rows = new ArrayList<>(TrainedModels.cells(csv, "label"));
        rows.add(new String[] {"0.7", "3", "NA", "round"});
        Predictions.ringfold(m, rows).assertAgreesWith(Predictions.onnx(OnnxExport.toBytes(m), rows));
    }
}
