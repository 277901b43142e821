package io.ringfold.data;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One row of text cells, as a CSV file, {@code ringfold predict} or a server request gives them, to the raw
 * values a {@link Preprocessor} transforms: numbers parsed as the CSV reader parses them, categories
 * coded by their vocabulary, 0 for the text column (whose cell the preprocessor tokenises itself).
 * Surrounding blanks are ignored, but in text. A missing cell ({@link NumberCells#MISSING}) of a numeric
 * column is NaN where the column has an imputation value; of a categorical column it is the empty
 * category, when the vocabulary has it (a cell the vocabulary holds as it is keeps its code, for models
 * trained before missing values were recognised). An unseen category is -1 where unseen categories map to
 * zeros.
 */
final class RawCells {

    private RawCells() {
    }

    /**
     * @param fill   per column, the imputation value; NaN where a missing cell is an error
     * @param unseen what an unknown category becomes
     * @param masks  applied to the raw cells of their columns first; a message about a masked column's cell
     *               names its masked value at most, never the raw one
     * @throws IllegalArgumentException naming the column, the value and what was expected (for an unknown
     *                                  category, the known ones)
     */
    static float[] parse(String[] cells, List<String> columns, Map<String, List<String>> vocabularies, int textIndex,
                         float[] fill, UnseenCategories unseen, ColumnMasks masks) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("cells: " + cells.length + " (expected: " + columns.size() + ", "
                    + abbreviate(columns) + ")");
        }
        float[] raw = new float[cells.length];
        for (int c = 0; c < cells.length; c++) {
            String name = columns.get(c);
            if (c == textIndex) {
                if (cells[c] == null) {
                    throw new IllegalArgumentException("column '" + name + "': null (expected: text)");
                }
                continue;
            }
            String cell = cells[c] == null ? "" : cells[c].trim();
            ColumnMask mask = masks.isEmpty() ? null : masks.columns().get(name);
            if (mask instanceof ColumnMask.Bucket) {
                float v = masks.maskNumber(name, cell);
                if (Float.isNaN(v) && Float.isNaN(fill[c])) {
                    throw new IllegalArgumentException("column '" + name + "' (masked " + mask.id() + "): missing"
                            + " (expected: a finite number)");
                }
                raw[c] = v;
                continue;
            }
            if (mask != null) {
                cell = masks.maskCategory(name, cell);
            }
            List<String> vocab = vocabularies.get(name);
            if (vocab != null) {
                int code = Collections.binarySearch(vocab, cell);
                if (code < 0 && NumberCells.isMissing(cell)) {
                    code = Collections.binarySearch(vocab, "");
                }
                if (code < 0 && unseen == UnseenCategories.ZERO) {
                    code = -1;
                } else if (code < 0) {
                    throw new IllegalArgumentException("column '" + name + "': unknown category "
                            + DataFormatException.quote(cell) + " (expected: one of " + abbreviate(vocab) + ")");
                }
                raw[c] = code;
            } else {
                float v = NumberCells.parseOrNaN(cell);
                if (Float.isNaN(v) && !(NumberCells.isMissing(cell) && !Float.isNaN(fill[c]))) {
                    throw new IllegalArgumentException("column '" + name + "': " + NumberCells.describeBad(cell)
                            + " (expected: a finite number)");
                }
                raw[c] = v;
            }
        }
        return raw;
    }

    /** A list for a message: in full up to 12 names, else the first ten, the last and the count. */
    static String abbreviate(List<String> names) {
        return names.size() <= 12 ? names.toString()
                : names.subList(0, 10) + " ... " + names.get(names.size() - 1) + " (" + names.size() + " in all)";
    }
}
