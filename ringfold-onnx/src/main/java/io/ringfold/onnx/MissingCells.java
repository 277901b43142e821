package io.ringfold.onnx;

import java.util.List;

/**
 * The text cells Ringfold reads as a missing value: pandas' default {@code na_values} and {@code ?}, compared
 * as they are (after trimming, which the graph cannot do). A copy of ringfold-core's list, which that module
 * keeps package-private; MissingCellsTest checks the two agree.
 */
final class MissingCells {

    static final List<String> SPELLINGS = List.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
            "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "?");

    private MissingCells() {
    }
}
