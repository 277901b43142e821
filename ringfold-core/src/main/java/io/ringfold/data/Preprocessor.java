package io.ringfold.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The feature transformation a model was trained with, fitted on the training set only and stored with
 * the model so that prediction sees features exactly as training did. Immutable.
 *
 * <p>Each input column (as laid out in a {@link Dataset} before preprocessing) maps to output columns:
 * a categorical column with V categories (its vocabulary in the {@link Schema}) becomes V one-hot columns
 * named {@code column=category}, in vocabulary order; a numeric column becomes one column
 * {@code (x - shift) / scale}. With standardisation, shift is the training mean and scale the population
 * standard deviation (both computed in double, stored as float; a zero-variance column gets scale 1);
 * without, shift 0 and scale 1. For sparse (CSR) training data the shift stays 0, as scikit-learn's
 * {@code StandardScaler(with_mean=False)}, so that zeros stay zeros and the data stay sparse.
 *
 * <p>A text column (at most one; see {@link Schema#textColumns()}) becomes the bag of words of its
 * document over a {@link Vocabulary} fitted on the training documents: {@code vocabulary.size()} columns,
 * the first ({@code column=<unknown>}) counting tokens outside the vocabulary and the others
 * ({@code column=TOKEN}) counting each kept token, so that output column {@code offset + id} holds the
 * count of token id {@code id} (see {@link #text()}; the offset is 0 when the text is the only input
 * column). Counts are not standardised.
 *
 * <p>Sparse input stays sparse when no column is shifted and none is categorical; otherwise the output is
 * dense, except with a text column: then the output is always sparse ({@code CsrMatrix}), as a bag of
 * words is mostly zeros. The float arithmetic is the same in {@link #apply}, {@link #transformRow} and
 * {@link #parseAndTransform}, so a row gives the same bits whichever way it goes.
 */
public final class Preprocessor {

    /** Where a text column's bag of words lies in the output: columns {@code [offset, offset + vocabulary.size())}. */
    public record TextInput(String column, int offset, Vocabulary vocabulary) {
    }

    private static final String UNKNOWN_TOKEN = "<unknown>";

    private final List<String> inputColumns;
    private final Map<String, List<String>> vocabularies;
    private final float[] shift;
    private final float[] scale;
    private final int[] vocabSize; // per input column; 0 for numeric
    private final int textIndex; // input column holding text; -1: none
    private final TextInput text; // null: no text column
    private final List<String> outputColumns;

    Preprocessor(List<String> inputColumns, Map<String, List<String>> vocabularies, float[] shift, float[] scale) {
        this(inputColumns, vocabularies, shift, scale, null, null);
    }

    /** @param textColumn the input column holding text, with its {@code vocabulary}; both null without one */
    Preprocessor(List<String> inputColumns, Map<String, List<String>> vocabularies, float[] shift, float[] scale,
                 String textColumn, Vocabulary vocabulary) {
        int n = inputColumns.size();
        if (shift.length != n || scale.length != n) {
            throw new IllegalArgumentException("shift/scale: lengths " + shift.length + "/" + scale.length
                    + " (expected: " + n + ", one per input column)");
        }
        // Schema validates names and vocabularies and orders the vocabularies by column.
        Schema checked = new Schema(inputColumns, List.of(), vocabularies, "label");
        this.inputColumns = checked.featureNames();
        this.vocabularies = checked.categoricalVocabularies();
        this.shift = shift.clone();
        this.scale = scale.clone();
        this.vocabSize = new int[n];
        this.textIndex = textColumn == null ? -1 : this.inputColumns.indexOf(textColumn);
        if ((textColumn == null) != (vocabulary == null) || textColumn != null
                && (textIndex < 0 || this.vocabularies.containsKey(textColumn))) {
            throw new IllegalArgumentException("text column " + (textColumn == null ? "none" : "'" + textColumn + "'")
                    + ", vocabulary " + vocabulary + " (expected: both or neither; an input column, not categorical)");
        }
        List<String> out = new ArrayList<>();
        int textOffset = -1;
        for (int c = 0; c < n; c++) {
            String name = this.inputColumns.get(c);
            if (!Float.isFinite(shift[c]) || !Float.isFinite(scale[c]) || scale[c] == 0f) {
                throw new IllegalArgumentException("column '" + name + "': shift " + shift[c] + ", scale " + scale[c]
                        + " (expected: finite, scale non-zero)");
            }
            List<String> vocab = this.vocabularies.get(name);
            if (c == textIndex) {
                if (shift[c] != 0f || scale[c] != 1f) {
                    throw new IllegalArgumentException("text column '" + name + "': shift " + shift[c] + ", scale "
                            + scale[c] + " (expected: 0 and 1, counts are not standardised)");
                }
                vocabSize[c] = vocabulary.size();
                textOffset = out.size();
                out.add(name + "=" + UNKNOWN_TOKEN);
                for (String token : vocabulary.tokens()) {
                    out.add(name + "=" + token);
                }
            } else if (vocab != null) {
                vocabSize[c] = vocab.size();
                for (String cat : vocab) {
                    out.add(name + "=" + cat);
                }
            } else {
                out.add(name);
            }
        }
        this.outputColumns = Collections.unmodifiableList(out);
        this.text = textColumn == null ? null : new TextInput(textColumn, textOffset, vocabulary);
    }

    /** Passes {@code columns} through unchanged. */
    public static Preprocessor identity(List<String> columns) {
        float[] zeros = new float[columns.size()];
        float[] ones = new float[columns.size()];
        Arrays.fill(ones, 1f);
        return new Preprocessor(columns, Map.of(), zeros, ones);
    }

    /** Passes {@code width} columns named {@code f0..} through unchanged. */
    public static Preprocessor identity(int width) {
        return identity(Schema.generatedNames("f", width));
    }

    /**
     * Learns one-hot expansion of the schema's categorical columns, the vocabulary of its text column (with
     * the schema's {@link TextOptions}, from {@code train}'s documents only) and, if {@code standardize},
     * per-column standardisation of the numeric columns, from {@code train}.
     */
    public static Preprocessor fit(Dataset train, boolean standardize) {
        Schema schema = train.schema();
        int n = train.size();
        int d = train.numFeatures();
        if (n == 0) {
            throw new IllegalArgumentException("train: 0 rows (expected: at least 1 to fit preprocessing)");
        }
        if (train.isSparse() && !schema.categoricalVocabularies().isEmpty()) {
            throw new IllegalArgumentException("train: sparse features with categorical columns "
                    + schema.categoricalVocabularies().keySet() + " (expected: dense features for one-hot encoding)");
        }
        if (train.isSparse() && !schema.textColumns().isEmpty()) {
            throw new IllegalArgumentException("train: sparse features with text column "
                    + schema.textColumns().keySet() + " (expected: dense features, as the CSV reader gives)");
        }
        float[] shift = new float[d];
        float[] scale = new float[d];
        Arrays.fill(scale, 1f);
        if (standardize) {
            double[] mean = new double[d];
            double[] var = new double[d];
            if (train.features() instanceof FloatMatrix m) {
                ColumnMoments.dense(m, mean, var);
            } else {
                ColumnMoments.sparse((CsrMatrix) train.features(), mean, var);
            }
            for (int c = 0; c < d; c++) {
                String name = schema.featureNames().get(c);
                if (schema.isCategorical(name) || schema.isText(name)) {
                    continue;
                }
                float std = (float) Math.sqrt(var[c]);
                scale[c] = std > 0f && Float.isFinite(std) ? std : 1f;
                shift[c] = train.isSparse() ? 0f : (float) mean[c];
            }
        }
        String textColumn = schema.textColumn().orElse(null);
        Vocabulary vocabulary = textColumn == null ? null
                : Vocabulary.fit(train.documents(), schema.textColumns().get(textColumn));
        return new Preprocessor(schema.featureNames(), schema.categoricalVocabularies(), shift, scale, textColumn,
                vocabulary);
    }

    public int inputWidth() {
        return inputColumns.size();
    }

    public int outputWidth() {
        return outputColumns.size();
    }

    /** The raw columns expected as input, in order. */
    public List<String> inputColumns() {
        return inputColumns;
    }

    public List<String> outputColumns() {
        return outputColumns;
    }

    /** Categorical input columns and their categories; a code is an index into the list. */
    public Map<String, List<String>> vocabularies() {
        return vocabularies;
    }

    /** Per input column shift (copy); 0 for categorical columns. */
    public float[] shift() {
        return shift.clone();
    }

    /** Per input column scale (copy); 1 for categorical columns. */
    public float[] scale() {
        return scale.clone();
    }

    /** The text column and where its bag of words lies in the output; empty without a text column. */
    public java.util.Optional<TextInput> text() {
        return java.util.Optional.ofNullable(text);
    }

    /** True when every input column is a number: none is categorical or text, so {@link #transformRow} applies. */
    public boolean numeric() {
        return vocabularies.isEmpty() && text == null;
    }

    /** True when the output equals the input. */
    public boolean isIdentity() {
        if (!numeric()) {
            return false;
        }
        for (int c = 0; c < shift.length; c++) {
            if (shift[c] != 0f || scale[c] != 1f) {
                return false;
            }
        }
        return true;
    }

    private boolean keepsSparsity() {
        if (!numeric()) {
            return false;
        }
        for (float s : shift) {
            if (s != 0f) {
                return false;
            }
        }
        return true;
    }

    /** The transformed data set (labels, class names and source kept). */
    public Dataset apply(Dataset data) {
        if (data.numFeatures() != inputWidth()) {
            throw new IllegalArgumentException(data.source() + ": " + data.numFeatures() + " feature columns (expected: "
                    + inputWidth() + ", as at fit time: " + abbreviate(inputColumns) + ")");
        }
        if (isIdentity()) {
            return data;
        }
        Schema schema = data.schema().withFeatures(outputColumns, Map.of());
        if (text != null) {
            return data.withFeatures(applyText(data), schema);
        }
        if (data.features() instanceof CsrMatrix sparse && keepsSparsity()) {
            float[] v = new float[sparse.nonZeros()];
            int[] col = new int[v.length];
            int[] ptr = new int[sparse.rows() + 1];
            for (int r = 0; r < sparse.rows(); r++) {
                for (int p = sparse.rowStart(r), end = sparse.rowStart(r + 1); p < end; p++) {
                    int c = sparse.columnAt(p);
                    col[p] = c;
                    v[p] = sparse.valueAt(p) / scale[c];
                }
                ptr[r + 1] = sparse.rowStart(r + 1);
            }
            return data.withFeatures(new CsrMatrix(sparse.rows(), sparse.cols(), ptr, col, v), schema);
        }
        int n = data.size();
        int in = inputWidth();
        int outW = outputWidth();
        FloatMatrix out = new FloatMatrix(n, outW);
        float[] o = out.data();
        float[] row = new float[in];
        if (data.features() instanceof FloatMatrix dense) {
            float[] x = dense.data();
            for (int r = 0; r < n; r++) {
                System.arraycopy(x, r * in, row, 0, in);
                transformInto(row, o, r * outW, data.source(), r);
            }
        } else {
            CsrMatrix sparse = (CsrMatrix) data.features();
            for (int r = 0; r < n; r++) {
                Arrays.fill(row, 0f);
                for (int p = sparse.rowStart(r), end = sparse.rowStart(r + 1); p < end; p++) {
                    row[sparse.columnAt(p)] = sparse.valueAt(p);
                }
                transformInto(row, o, r * outW, data.source(), r);
            }
        }
        return data.withFeatures(out, schema);
    }

    /** The rows of {@code data}, which has this preprocessor's text column, as sparse output rows. */
    private CsrMatrix applyText(Dataset data) {
        if (!data.schema().textColumn().equals(java.util.Optional.of(text.column()))) {
            throw new IllegalArgumentException(data.source() + ": text column " + data.schema().textColumn()
                    .map(t -> "'" + t + "'").orElse("none") + " (expected: '" + text.column() + "', as at fit time;"
                    + " e.g. csv:PATH?text=" + text.column() + ")");
        }
        if (!(data.features() instanceof FloatMatrix dense)) {
            throw new IllegalArgumentException(data.source() + ": sparse features with a text column"
                    + " (expected: dense)");
        }
        int n = data.size();
        int in = inputWidth();
        List<String> docs = data.documents();
        float[] x = dense.data();
        float[] row = new float[in];
        SparseRows out = new SparseRows(outputWidth());
        for (int r = 0; r < n; r++) {
            System.arraycopy(x, r * in, row, 0, in);
            encode(row, docs.get(r), out, data.source(), r);
        }
        return out.build();
    }

    /**
     * One raw row (categorical columns as codes) to a new output row.
     *
     * @throws IllegalArgumentException for a preprocessor with a text column, whose rows are text cells
     *                                  ({@link #parseAndTransform})
     */
    public float[] transformRow(float[] raw) {
        if (text != null) {
            throw new IllegalArgumentException("row: numbers only, but column '" + text.column() + "' is text"
                    + " (expected: cells, as parseAndTransform takes)");
        }
        if (raw.length != inputWidth()) {
            throw new IllegalArgumentException("row: " + raw.length + " values (expected: " + inputWidth() + ", "
                    + abbreviate(inputColumns) + ")");
        }
        float[] out = new float[outputWidth()];
        transformInto(raw, out, 0, "row", -1);
        return out;
    }

    /**
     * One row of text cells (categorical columns as category names, a text column as its raw text, others
     * as numbers; surrounding blanks ignored but in text) to a new dense output row.
     *
     * @throws IllegalArgumentException naming the column, the value and what was expected (for an unknown
     *                                  category, the known ones)
     */
    public float[] parseAndTransform(String[] cells) {
        float[] raw = parse(cells);
        float[] out = new float[outputWidth()];
        if (text == null) {
            transformInto(raw, out, 0, "cells", -1);
        } else {
            SparseRows row = new SparseRows(outputWidth());
            encode(raw, cells[textIndex], row, "cells", -1);
            row.scatterRow(0, out, 0);
        }
        return out;
    }

    /**
     * Rows of text cells, each as {@link #parseAndTransform(String[])} takes, to a matrix of output rows:
     * sparse with a text column, else dense; the same bits per row either way.
     *
     * @throws IllegalArgumentException naming the row (1-based), the column, the value and what was expected
     */
    public Matrix parseAndTransform(List<String[]> rows) {
        int n = rows.size();
        SparseRows sparse = text == null ? null : new SparseRows(outputWidth());
        FloatMatrix dense = text == null ? new FloatMatrix(n, outputWidth()) : null;
        for (int r = 0; r < n; r++) {
            String[] cells = rows.get(r);
            try {
                float[] raw = parse(cells);
                if (text == null) {
                    transformInto(raw, dense.data(), r * outputWidth(), "cells", -1);
                } else {
                    encode(raw, cells[textIndex], sparse, "cells", -1);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + (r + 1) + ": " + e.getMessage(), e);
            }
        }
        return text == null ? dense : sparse.build();
    }

    private float[] parse(String[] cells) {
        return RawCells.parse(cells, inputColumns, vocabularies, textIndex);
    }

    /**
     * Appends one row's non-zero outputs to {@code out}, in column order, and ends the row: the same values
     * as {@link #transformInto}, with the text column's bag of words from {@code document}.
     */
    private void encode(float[] raw, String document, SparseRows out, String source, int row) {
        int o = 0;
        for (int c = 0; c < raw.length; c++) {
            int v = vocabSize[c];
            if (c == textIndex) {
                Vocabulary.TokenCounts counts = text.vocabulary().count(document);
                for (int i = 0; i < counts.size(); i++) {
                    out.add(o + counts.ids()[i], counts.counts()[i]);
                }
            } else if (v == 0) {
                out.add(o, (raw[c] - shift[c]) / scale[c]);
                v = 1;
            } else {
                out.add(o + code(raw[c], v, source, row, c), 1f);
            }
            o += v;
        }
        out.endRow();
    }

    private void transformInto(float[] raw, float[] out, int offset, String source, int row) {
        int o = offset;
        for (int c = 0; c < raw.length; c++) {
            int v = vocabSize[c];
            if (v == 0) {
                out[o++] = (raw[c] - shift[c]) / scale[c];
            } else {
                Arrays.fill(out, o, o + v, 0f);
                out[o + code(raw[c], v, source, row, c)] = 1f;
                o += v;
            }
        }
    }

    /** The category code {@code value} of column {@code c}, checked to be an integer in [0, v). */
    private int code(float value, int v, String source, int row, int c) {
        int k = (int) value;
        if (k != value || k < 0 || k >= v) {
            throw badCode(source, row, c, value, v);
        }
        return k;
    }

    // Kept out of the loop above so that it stays small.
    private IllegalArgumentException badCode(String source, int row, int c, float code, int v) {
        return new IllegalArgumentException(source + (row >= 0 ? ", row " + row : "") + ", column '"
                + inputColumns.get(c) + "': category code " + code + " (expected: integer in [0, " + v + "))");
    }

    private static String abbreviate(List<String> names) {
        return RawCells.abbreviate(names);
    }

    /** JSON form (see {@link PreprocessorJson}): floats as base64 of little-endian float32, so bit-exact. */
    public JsonNode toJson() {
        return PreprocessorJson.write(this);
    }

    /** @throws IllegalArgumentException for another format, an unknown version or inconsistent content */
    public static Preprocessor fromJson(JsonNode node) {
        return PreprocessorJson.read(node);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessor p && p.inputColumns.equals(inputColumns) && p.vocabularies.equals(vocabularies)
                && Arrays.equals(p.shift, shift) && Arrays.equals(p.scale, scale)
                && java.util.Objects.equals(p.text, text);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * inputColumns.hashCode() + vocabularies.hashCode()) + Arrays.hashCode(shift)
                + 7 * Arrays.hashCode(scale) + java.util.Objects.hashCode(text);
    }

    @Override
    public String toString() {
        return "Preprocessor[" + inputWidth() + " -> " + outputWidth() + " columns, categorical "
                + vocabularies.keySet() + (text == null ? "" : ", text '" + text.column() + "' " + text.vocabulary())
                + (isIdentity() ? ", identity" : "") + "]";
    }
}
