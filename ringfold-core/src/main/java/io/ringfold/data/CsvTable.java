package io.ringfold.data;

import io.ringfold.tensor.FloatMatrix;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The cells of a CSV file gathered row by row into a {@link Dataset}, for {@link CsvReader}: categories and
 * string labels get their codes once all are seen. A missing cell (one of {@link NumberCells#MISSING}) of a
 * numeric column becomes NaN, of a categorical column the empty category {@code ""} (a category of its own,
 * as scikit-learn's {@code OneHotEncoder} treats missing values). Read against a reference schema, a
 * category the training set does not have becomes {@link #UNSEEN}, for the {@link Preprocessor} to map
 * as its {@link UnseenCategories} says.
 */
final class CsvTable {

    /** The code of a category that the training set does not have. */
    static final float UNSEEN = -1f;

    /**
     * Where the columns are: the label, the weight column (-1: none), categorical and text (-1: none), and each
     * column's mask (null: none).
     */
    record Layout(List<String> names, int labelIdx, int weightIdx, boolean[] isCat, int textIdx, ColumnMask[] mask) {
        int features() {
            int dropped = 0;
            for (ColumnMask m : mask) {
                dropped += m != null && m.output() == ColumnMask.Output.NONE ? 1 : 0;
            }
            return names.size() - 1 - (weightIdx >= 0 ? 1 : 0) - dropped;
        }

        boolean dropped(int c) {
            return mask[c] != null && mask[c].output() == ColumnMask.Output.NONE;
        }
    }

    private final Layout layout;
    private final int width;
    private final int[] featureOf; // raw column to feature column; -1 for the label and weight columns
    private final Schema reference; // null: learn names from the file
    private final TextOptions textOptions;
    private final ColumnMasks masks;
    private final String source;
    private final GrowableArrays.Floats values = new GrowableArrays.Floats();
    private final GrowableArrays.Floats labels = new GrowableArrays.Floats();
    private final GrowableArrays.Floats weights = new GrowableArrays.Floats();
    private final GrowableArrays.Ints lines = new GrowableArrays.Ints();
    private final int[] present; // per raw column, the cells that are not missing
    private final List<List<String>> catCells = new ArrayList<>();
    private final List<String> labelCells = new ArrayList<>();
    private final List<String> documents = new ArrayList<>();
    private Boolean numericLabels; // decided by the first data row
    private boolean positiveWeight;
    private int count;

    CsvTable(Layout layout, Schema reference, TextOptions textOptions, ColumnMasks masks, String source) {
        this.layout = layout;
        this.masks = masks;
        this.width = layout.names().size();
        this.reference = reference;
        this.textOptions = textOptions;
        this.source = source;
        this.present = new int[width];
        this.featureOf = new int[width];
        for (int c = 0, f = 0; c < width; c++) {
            featureOf[c] = c == layout.labelIdx() || c == layout.weightIdx() || layout.dropped(c) ? -1 : f++;
            catCells.add(layout.isCat()[c] ? new ArrayList<>() : null);
        }
    }

    int count() {
        return count;
    }

    void add(String[] cells, long line) {
        for (int c = 0; c < width; c++) {
            String cell = cells[c];
            ColumnMask mask = layout.mask()[c];
            if (mask != null) {
                if (mask.output() == ColumnMask.Output.NONE) {
                    continue;
                }
                try {
                    if (mask.output() == ColumnMask.Output.NUMBER) {
                        float v = masks.maskNumber(name(c), cell);
                        values.add(v);
                        present[c] += Float.isNaN(v) ? 0 : 1;
                        continue;
                    }
                    cell = masks.maskCategory(name(c), cell);
                } catch (IllegalArgumentException e) {
                    // The mask's message names the column and never the value.
                    throw new DataFormatException(source, line, e.getMessage(), null);
                }
            }
            if (c == layout.labelIdx()) {
                addLabel(cell, line);
            } else if (c == layout.weightIdx()) {
                addWeight(cell, line);
            } else if (c == layout.textIdx()) {
                documents.add(cell);
                values.add(0f); // the documents hold the text
                present[c]++;
            } else if (layout.isCat()[c]) {
                boolean missing = NumberCells.isMissing(cell);
                catCells.get(c).add(missing ? "" : cell);
                values.add(0f); // placeholder for the category code
                present[c] += missing ? 0 : 1;
            } else {
                float v = NumberCells.parseOrNaN(cell);
                if (Float.isNaN(v) && !NumberCells.isMissing(cell)) {
                    throw new DataFormatException(source, line, NumberCells.describeBad(cell) + " in column '"
                            + name(c) + "'", "a finite number, or declare the column categorical or text");
                }
                values.add(v);
                present[c] += Float.isNaN(v) ? 0 : 1;
            }
        }
        lines.add((int) Math.min(line, Integer.MAX_VALUE));
        count++;
    }

    private String name(int c) {
        return layout.names().get(c);
    }

    private void addWeight(String cell, long line) {
        float w = NumberCells.parseOrNaN(cell);
        if (!(w >= 0f)) {
            throw new DataFormatException(source, line, (Float.isNaN(w) ? NumberCells.describeBad(cell) : "negative"
                    + " weight " + DataFormatException.quote(cell)) + " in weight column '" + name(layout.weightIdx())
                    + "'", "a finite number >= 0");
        }
        positiveWeight |= w > 0f;
        weights.add(w);
    }

    private void addLabel(String cell, long line) {
        String column = " in label column '" + name(layout.labelIdx()) + "'";
        if (NumberCells.isNonFiniteSpelling(cell)) {
            throw new DataFormatException(source, line, "non-finite value " + DataFormatException.quote(cell)
                    + column, "a finite number or a class name");
        }
        if (numericLabels == null) {
            numericLabels = reference != null ? reference.classNames().isEmpty()
                    : !Float.isNaN(NumberCells.parseOrNaN(cell));
        }
        if (numericLabels) {
            float v = NumberCells.parseOrNaN(cell);
            if (Float.isNaN(v)) {
                throw new DataFormatException(source, line, NumberCells.describeBad(cell) + column,
                        "a finite number, as " + (reference != null ? "in the training set" : "the first row's label was"));
            }
            labels.add(v);
        } else {
            if (cell.isEmpty()) {
                throw new DataFormatException(source, line, "empty cell" + column, "a class name");
            }
            labelCells.add(cell);
            labels.add(0f);
        }
    }

    /**
     * The data set; for a training file (no reference schema) a column without a single value, and a weight
     * column without a weight above 0, are errors naming the header line.
     */
    Dataset finish(List<String> featureNames, long headerLine) {
        float[] x = values.toArray();
        float[] y = labels.toArray();
        int f = layout.features();
        if (reference == null) {
            for (int c = 0; c < width; c++) {
                if (featureOf[c] >= 0 && present[c] == 0) {
                    throw new DataFormatException(source, headerLine, "column '" + name(c) + "' is missing (empty,"
                            + " NA, ...) in all " + count + " rows", "at least one value to learn from; drop the column");
                }
            }
        }
        if (layout.weightIdx() >= 0 && !positiveWeight) {
            throw new DataFormatException(source, headerLine, "weight column '" + name(layout.weightIdx())
                    + "' is 0 in all " + count + " rows", "at least one weight > 0");
        }
        Map<String, List<String>> vocabularies = new LinkedHashMap<>();
        for (int c = 0; c < width; c++) {
            if (!layout.isCat()[c]) {
                continue;
            }
            String name = name(c);
            List<String> cells = catCells.get(c);
            List<String> vocab = reference != null && reference.isCategorical(name)
                    ? reference.categoricalVocabularies().get(name) : new ArrayList<>(new TreeSet<>(cells));
            int[] codes = encode(cells, vocab, reference != null, "category", "column '" + name + "'");
            int col = featureOf[c];
            for (int r = 0; r < count; r++) {
                x[r * f + col] = codes[r];
            }
            vocabularies.put(name, vocab);
        }
        List<String> classNames = List.of();
        String labelName = name(layout.labelIdx());
        if (!numericLabels) {
            classNames = reference != null ? reference.classNames() : new ArrayList<>(new TreeSet<>(labelCells));
            int[] codes = encode(labelCells, classNames, false, "class", "label column '" + labelName + "'");
            for (int r = 0; r < count; r++) {
                y[r] = codes[r];
            }
        }
        int textIdx = layout.textIdx();
        Map<String, TextOptions> text = textIdx < 0 ? Map.of() : Map.of(name(textIdx),
                reference != null ? reference.textColumns().get(name(textIdx)) : textOptions);
        Schema schema = new Schema(featureNames, classNames, vocabularies, labelName, text);
        return new Dataset(new FloatMatrix(count, f, x), y, schema, source,
                textIdx < 0 ? null : documents.toArray(new String[0]), null,
                layout.weightIdx() < 0 ? null : weights.toArray(), lines.toArray());
    }

    /** Codes of {@code cells} in {@code vocab}; an unknown one is {@link #UNSEEN} if {@code unseenAllowed}, else an error. */
    private int[] encode(List<String> cells, List<String> vocab, boolean unseenAllowed, String kind, String where) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            index.put(vocab.get(i), i);
        }
        int[] codes = new int[cells.size()];
        for (int r = 0; r < codes.length; r++) {
            Integer code = index.get(cells.get(r));
            if (code == null && !unseenAllowed) {
                throw new DataFormatException(source, lines.get(r), "unknown " + kind + " "
                        + DataFormatException.quote(cells.get(r)) + " in " + where,
                        "one of the training set's " + vocab);
            }
            codes[r] = code == null ? (int) UNSEEN : code;
        }
        return codes;
    }
}
