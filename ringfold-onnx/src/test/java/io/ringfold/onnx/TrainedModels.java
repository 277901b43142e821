package io.ringfold.onnx;

import io.ringfold.data.CsvReader;
import io.ringfold.data.DataSpec;
import io.ringfold.model.Model;
import io.ringfold.nn.LayerList;
import io.ringfold.tensor.ReferenceBlas;
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingRun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Small models trained in-process as {@code ringfold train} trains them, on the tabular fixtures of ringfold-cli
 * and the bundled digits, and the raw rows of their test files.
 */
final class TrainedModels {

    static final Path TABULAR = Path.of("../ringfold-cli/src/test/resources/tabular");

    private TrainedModels() {
    }

    /** {@code csv:SET-train.csv?label=LABEL&categorical=...&test=SET-test.csv}. */
    static DataSpec tabular(String set, String label, String... categorical) {
        CsvReader reader = new CsvReader().withLabelColumn(label).withCategorical(List.of(categorical));
        return new DataSpec.Csv(TABULAR.resolve(set + "-train.csv"), reader,
                Optional.of(TABULAR.resolve(set + "-test.csv")));
    }

    static DataSpec digits() {
        return new DataSpec.Digits();
    }

    /** A config from pairs (hyperparameter, value); {@code layers} as {@code --layers} writes them. */
    static TrainingConfig config(Object... pairs) {
        Map<Hyperparameter<?>, Object> given = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            Object v = pairs[i + 1];
            given.put((Hyperparameter<?>) pairs[i], pairs[i] == Hyperparameters.LAYERS ? LayerList.parse((String) v) : v);
        }
        given.putIfAbsent(Hyperparameters.SEED, 7L);
        return TrainingConfig.of(given);
    }

    static Model train(DataSpec data, TrainingConfig config) {
        return TrainingRun.run(data.load(), config, new ReferenceBlas(), TrainingListener.NONE).model();
    }

    /** The cells of a CSV file without quoting (as the fixtures are), the {@code label} column left out. */
    static List<String[]> cells(Path csv, String label) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",", -1);
        int skip = List.of(header).indexOf(label);
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] all = line.split(",", -1);
            String[] row = new String[all.length - 1];
            for (int c = 0, o = 0; c < all.length; c++) {
                if (c != skip) {
                    row[o++] = all[c];
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /** The rows of {@code cells} as numbers, the empty cell as NaN (missing). */
    static float[][] numbers(List<String[]> cells) {
        float[][] rows = new float[cells.size()][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = new float[cells.get(r).length];
            for (int c = 0; c < rows[r].length; c++) {
                String s = cells.get(r)[c];
                rows[r][c] = s.isEmpty() ? Float.NaN : Float.parseFloat(s);
            }
        }
        return rows;
    }
}
