package io.ringfold.data;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The per-row arithmetic of a {@link Preprocessor}: one raw row (numbers, category codes, NaN for a missing
 * value) to its output columns, dense or as sparse entries, with the same float operations either way so
 * that every path gives the same bits. Holds the preprocessor's arrays, which neither side modifies.
 */
final class RowEncoder {

    private final List<String> inputColumns;
    private final Map<String, List<String>> vocabularies;
    private final float[] shift;
    private final float[] scale;
    private final float[] fill; // NaN: a missing value is an error
    private final boolean[] dropped;
    private final int[] vocabSize; // 0 for numeric columns
    private final int[] missingCode; // per categorical column: the code of "" (missing), or -1
    private final UnseenCategories unseen;
    private final int textIndex; // -1: none
    private final Vocabulary vocabulary; // of the text column; null without one

    RowEncoder(List<String> inputColumns, Map<String, List<String>> vocabularies, float[] shift, float[] scale,
               float[] fill, boolean[] dropped, int[] vocabSize, int[] missingCode, UnseenCategories unseen,
               int textIndex, Vocabulary vocabulary) {
        this.inputColumns = inputColumns;
        this.vocabularies = vocabularies;
        this.shift = shift;
        this.scale = scale;
        this.fill = fill;
        this.dropped = dropped;
        this.vocabSize = vocabSize;
        this.missingCode = missingCode;
        this.unseen = unseen;
        this.textIndex = textIndex;
        this.vocabulary = vocabulary;
    }

    /**
     * Appends one row's non-zero outputs to {@code out}, in column order, and ends the row: the same values
     * as {@link #transformInto}, with the text column's bag of words from {@code document}.
     */
    void encode(float[] raw, String document, SparseRows out, Dataset data, int row) {
        int o = 0;
        for (int c = 0; c < raw.length; c++) {
            if (dropped[c]) {
                continue;
            }
            int v = vocabSize[c];
            if (c == textIndex) {
                Vocabulary.TokenCounts counts = vocabulary.count(document);
                for (int i = 0; i < counts.size(); i++) {
                    out.add(o + counts.ids()[i], counts.counts()[i]);
                }
            } else if (v == 0) {
                out.add(o, numeric(raw[c], c, data, row));
                v = 1;
            } else {
                int k = code(raw[c], v, data, row, c);
                if (k >= 0) {
                    out.add(o + k, 1f);
                }
            }
            o += v;
        }
        out.endRow();
    }

    /**
     * One raw row to output columns {@code [offset, offset + outputWidth())} of {@code out}; {@code data} and
     * {@code row} name the row in messages (null, -1: a single row).
     */
    void transformInto(float[] raw, float[] out, int offset, Dataset data, int row) {
        int o = offset;
        for (int c = 0; c < raw.length; c++) {
            if (dropped[c]) {
                continue;
            }
            int v = vocabSize[c];
            if (v == 0) {
                out[o++] = numeric(raw[c], c, data, row);
            } else {
                Arrays.fill(out, o, o + v, 0f);
                int k = code(raw[c], v, data, row, c);
                if (k >= 0) {
                    out[o + k] = 1f;
                }
                o += v;
            }
        }
    }

    /** Numeric column {@code c}'s output for raw value {@code x}: imputed if missing, then shifted and scaled. */
    private float numeric(float x, int c, Dataset data, int row) {
        if (x != x) {
            x = fill[c];
            if (x != x) {
                throw noImputation(data, row, c);
            }
        }
        return (x - shift[c]) / scale[c];
    }

    /**
     * The category code {@code value} of column {@code c}, checked to be an integer in [0, v); -1 for an
     * unseen category (code -1, or NaN without a missing category) when those map to zeros.
     */
    private int code(float value, int v, Dataset data, int row, int c) {
        if (value != value) {
            value = missingCode[c];
        }
        int k = (int) value;
        if (k == -1 && value == -1f) {
            if (unseen == UnseenCategories.ZERO) {
                return -1;
            }
            throw unseenCategory(data, row, c);
        }
        if (k != value || k < 0 || k >= v) {
            throw badCode(data, row, c, value, v);
        }
        return k;
    }

    // The throw paths, kept out of the loops above so that those stay small.
    private IllegalArgumentException badCode(Dataset data, int row, int c, float code, int v) {
        return new IllegalArgumentException(where(data, row) + "column '" + inputColumns.get(c) + "': category code "
                + code + " (expected: integer in [0, " + v + "))");
    }

    private IllegalArgumentException unseenCategory(Dataset data, int row, int c) {
        String name = inputColumns.get(c);
        return new IllegalArgumentException(where(data, row) + "column '" + name + "': a category not seen in"
                + " training (expected: one of " + abbreviate(vocabularies.get(name)) + ", or --unseen-categories zero"
                + " at training)");
    }

    private IllegalArgumentException noImputation(Dataset data, int row, int c) {
        return new IllegalArgumentException(where(data, row) + "column '" + inputColumns.get(c) + "': missing value"
                + " (expected: a finite number; this model has no imputation value for the column)");
    }

    /** The start of a message about a row: {@code "FILE:LINE: "} for a data set's row, {@code "row, "} for a single one. */
    private static String where(Dataset data, int row) {
        return data == null ? "row, " : data.where(row) + ": ";
    }

    private static String abbreviate(List<String> names) {
        return RawCells.abbreviate(names);
    }
}
