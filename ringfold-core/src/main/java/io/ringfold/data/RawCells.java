package io.ringfold.data;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One row of text cells, as a CSV file, {@code ringfold predict} or a server request gives them, to the raw
 * values a {@link Preprocessor} transforms: numbers parsed as the CSV reader parses them, categories
 * coded by their vocabulary, 0 for the text column (whose cell the preprocessor tokenises itself).
 * Surrounding blanks are ignored, but in text.
 */
final class RawCells {

    private RawCells() {
    }

    /**
     * @throws IllegalArgumentException naming the column, the value and what was expected (for an unknown
     *                                  category, the known ones)
     */
    static float[] parse(String[] cells, List<String> columns, Map<String, List<String>> vocabularies, int textIndex) {
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
            List<String> vocab = vocabularies.get(name);
            if (vocab != null) {
                int code = Collections.binarySearch(vocab, cell);
                if (code < 0) {
                    throw new IllegalArgumentException("column '" + name + "': unknown category "
                            + DataFormatException.quote(cell) + " (expected: one of " + abbreviate(vocab) + ")");
                }
                raw[c] = code;
            } else {
                float v = NumberCells.parseOrNaN(cell);
                if (Float.isNaN(v)) {
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
