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
 * <p>Missing values (NaN in the raw row; see {@link CsvReader}) of a numeric column become the column's
 * imputation value ({@link #imputedValues()}: the training mean, median or most frequent value, see
 * {@link ImputeStrategy}) before the shift and scale. A missing category is the empty category {@code ""}
 * when training had one, else an unseen category. An unseen category (code -1, or a name not in the
 * vocabulary) gives all-zero one-hot columns or an error, as {@link #unseenCategories()} says. Columns
 * that held one value in every training row ({@link #droppedColumns()}) have no output column; the input
 * row keeps them, so rows are laid out as at training.
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

    /**
     * What {@link #fit(Dataset, Options)} learns beyond one-hot encoding and the text vocabulary.
     *
     * @param standardize      shift and scale numeric columns to mean 0 and standard deviation 1
     * @param impute           what a missing numeric value becomes
     * @param unseenCategories what a category unseen in training becomes at evaluation and prediction
     * @param masks            the masks the training data was read with ({@link DataSpec#withMasks}), which the
     *                         preprocessor applies to raw rows at prediction
     */
    public record Options(boolean standardize, ImputeStrategy impute, UnseenCategories unseenCategories,
                          ColumnMasks masks) {
        public Options {
            java.util.Objects.requireNonNull(impute, "impute");
            java.util.Objects.requireNonNull(unseenCategories, "unseenCategories");
            java.util.Objects.requireNonNull(masks, "masks");
        }

        /** Without masks. */
        public Options(boolean standardize, ImputeStrategy impute, UnseenCategories unseenCategories) {
            this(standardize, impute, unseenCategories, ColumnMasks.NONE);
        }

        /** These options with {@code columnMasks}. */
        public Options withMasks(ColumnMasks columnMasks) {
            return new Options(standardize, impute, unseenCategories, columnMasks);
        }

        /** Mean imputation, unseen categories to zeros: the training defaults. */
        public static Options defaults(boolean standardize) {
            return new Options(standardize, ImputeStrategy.MEAN, UnseenCategories.ZERO);
        }
    }

    /**
     * How missing numeric values are filled: {@code values} holds one float per input column, NaN where the
     * column has none (categorical and text columns, sparse data, files written before imputation); the
     * strategy is null when no column has a value.
     */
    record Imputation(ImputeStrategy strategy, float[] values) {
        static Imputation none(int columns) {
            float[] nan = new float[columns];
            Arrays.fill(nan, Float.NaN);
            return new Imputation(null, nan);
        }
    }

    private static final String UNKNOWN_TOKEN = "<unknown>";

    private final List<String> inputColumns;
    private final Map<String, List<String>> vocabularies;
    private final float[] shift;
    private final float[] scale;
    private final int textIndex; // input column holding text; -1: none
    private final TextInput text; // null: no text column
    private final List<String> outputColumns;
    private final ImputeStrategy imputeStrategy; // null: no imputation values
    private final float[] fill; // per input column; NaN: a missing value is an error
    private final boolean[] dropped; // per input column: constant in training, no output column
    private final List<String> droppedColumns;
    private final UnseenCategories unseen;
    private final RowEncoder encoder;
    private final ColumnMasks masks;
    private final ColumnMask.Bucket[] buckets; // per input column, its bucket mask or null
    private final Vocabulary vocabulary; // of the text column; null without one

    /** Without a text column, imputation or dropped columns; unseen categories are errors (as before version 3). */
    Preprocessor(List<String> inputColumns, Map<String, List<String>> vocabularies, float[] shift, float[] scale) {
        this(inputColumns, vocabularies, shift, scale, null, null, Imputation.none(inputColumns.size()), List.of(),
                UnseenCategories.ERROR);
    }

    /**
     * @param textColumn the input column holding text, with its {@code vocabulary}; both null without one
     * @param imputation what missing numeric values become
     * @param dropped    input columns (numeric or categorical) that have no output column
     * @param unseen     what an unseen category becomes
     */
    Preprocessor(List<String> inputColumns, Map<String, List<String>> vocabularies, float[] shift, float[] scale,
                 String textColumn, Vocabulary vocabulary, Imputation imputation, List<String> dropped,
                 UnseenCategories unseen) {
        this(inputColumns, vocabularies, shift, scale, textColumn, vocabulary, imputation, dropped, unseen,
                ColumnMasks.NONE);
    }

    /** @param masks the masks of raw cells, each on an input column whose kind its output is, or dropped */
    Preprocessor(List<String> inputColumns, Map<String, List<String>> vocabularies, float[] shift, float[] scale,
                 String textColumn, Vocabulary vocabulary, Imputation imputation, List<String> dropped,
                 UnseenCategories unseen, ColumnMasks masks) {
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
        int[] vocabSize = new int[n]; // per input column; 0 for numeric
        this.unseen = java.util.Objects.requireNonNull(unseen, "unseen");
        this.imputeStrategy = imputation.strategy();
        this.fill = imputation.values().clone();
        this.dropped = new boolean[n];
        int[] missingCode = new int[n]; // per categorical input column: the code of "" (missing), or -1
        Arrays.fill(missingCode, -1);
        if (fill.length != n) {
            throw new IllegalArgumentException("imputation: " + fill.length + " values (expected: " + n
                    + ", one per input column)");
        }
        for (String d : dropped) {
            int c = this.inputColumns.indexOf(d);
            if (c < 0 || this.dropped[c] || d.equals(textColumn)) {
                throw new IllegalArgumentException("dropped: '" + d + "' (expected: distinct input columns among "
                        + abbreviate(this.inputColumns) + ", not the text column)");
            }
            this.dropped[c] = true;
        }
        this.droppedColumns = List.copyOf(dropped);
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
            boolean numericColumn = vocab == null && c != textIndex;
            if (numericColumn ? Float.isInfinite(fill[c]) : !Float.isNaN(fill[c])) {
                throw new IllegalArgumentException("column '" + name + "': imputation value " + fill[c]
                        + " (expected: finite or NaN for a numeric column, NaN for others)");
            }
            if (numericColumn && !Float.isNaN(fill[c]) && imputeStrategy == null) {
                throw new IllegalArgumentException("column '" + name + "': imputation value " + fill[c]
                        + " without a strategy (expected: mean, median or most-frequent)");
            }
            if (vocab != null) {
                int m = Collections.binarySearch(vocab, "");
                missingCode[c] = m >= 0 ? m : -1;
            }
            if (this.dropped[c]) {
                vocabSize[c] = vocab == null ? 0 : vocab.size();
                continue;
            }
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
        this.encoder = new RowEncoder(this.inputColumns, this.vocabularies, this.shift, this.scale, fill, this.dropped,
                vocabSize, missingCode, unseen, textIndex, vocabulary);
        this.vocabulary = vocabulary;
        this.masks = java.util.Objects.requireNonNull(masks, "masks");
        this.buckets = new ColumnMask.Bucket[n];
        for (Map.Entry<String, ColumnMask> e : masks.columns().entrySet()) {
            int c = this.inputColumns.indexOf(e.getKey());
            ColumnMask m = e.getValue();
            boolean fits = switch (m.output()) {
                case NONE -> c < 0;
                case CATEGORY -> c >= 0 && this.vocabularies.containsKey(e.getKey());
                case NUMBER -> c >= 0 && c != textIndex && !this.vocabularies.containsKey(e.getKey());
            };
            if (!fits) {
                throw new IllegalArgumentException("mask " + e.getKey() + "=" + m.id() + " (expected: " + switch (m.output()) {
                    case NONE -> "a column that is no input column";
                    case CATEGORY -> "a categorical input column";
                    case NUMBER -> "a numeric input column";
                } + ")");
            }
            if (m instanceof ColumnMask.Bucket b) {
                buckets[c] = b;
            }
        }
    }

    /**
     * This preprocessor with {@code key} bound for its {@code hmac} columns, so that raw rows can be masked; itself
     * when no column is {@code hmac}.
     *
     * @throws IllegalArgumentException for a key other than the one the model was trained with (by fingerprint)
     */
    public Preprocessor withMaskKey(MaskKey key) {
        if (!masks.needsKey()) {
            return this;
        }
        return new Preprocessor(inputColumns, vocabularies, shift, scale, text == null ? null : text.column(),
                vocabulary, new Imputation(imputeStrategy, fill), droppedColumns, unseen, masks.withKey(key));
    }

    /**
     * The masks raw rows go through before anything else ({@link ColumnMask}); {@link ColumnMasks#NONE} for
     * data read without them.
     */
    public ColumnMasks masks() {
        return masks;
    }

    /** Passes {@code columns} through unchanged. */
    public static Preprocessor identity(List<String> columns) {
        float[] zeros = new float[columns.size()];
        float[] ones = new float[columns.size()];
        Arrays.fill(ones, 1f);
        return new Preprocessor(columns, Map.of(), zeros, ones);
    }

    /**
     * Standardises {@code columns} with moments fitted elsewhere (a federated statistics round, which never pools
     * the rows): shift {@code (float) mean[c]} and scale by {@link #fit}'s rule, so that the same moments give the
     * same preprocessor. No column is dropped: a constant column is scaled by 1, as an image's pixel is by
     * {@link #fit}. Unseen categories are errors and nothing is imputed (there are no categorical columns and no
     * imputation values).
     */
    public static Preprocessor standardisation(List<String> columns, double[] mean, double[] variance) {
        int d = columns.size();
        if (mean.length != d || variance.length != d) {
            throw new IllegalArgumentException("mean/variance: lengths " + mean.length + "/" + variance.length
                    + " (expected: " + d + ", one per column)");
        }
        float[] shift = new float[d];
        float[] scale = new float[d];
        for (int c = 0; c < d; c++) {
            if (!(variance[c] >= 0) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("column '" + columns.get(c) + "': mean " + mean[c] + ", variance "
                        + variance[c] + " (expected: finite, variance >= 0)");
            }
            shift[c] = (float) mean[c];
            scale[c] = scale(variance[c]);
        }
        return new Preprocessor(columns, Map.of(), shift, scale);
    }

    /** The scale of a column of population variance {@code variance}: its standard deviation, or 1 when that is 0. */
    static float scale(double variance) {
        float std = (float) Math.sqrt(variance);
        return std > 0f && Float.isFinite(std) ? std : 1f;
    }

    /** Passes {@code width} columns named {@code f0..} through unchanged. */
    public static Preprocessor identity(int width) {
        return identity(Schema.generatedNames("f", width));
    }

    /** {@link #fit(Dataset, Options)} with the {@link Options#defaults defaults}. */
    public static Preprocessor fit(Dataset train, boolean standardize) {
        return fit(train, Options.defaults(standardize));
    }

    /**
     * Learns, from {@code train} only: the imputation value of each numeric column (dense data), the columns
     * that hold one value in every row (dropped; tables only, see {@link #droppedColumns()}), one-hot
     * expansion of the schema's categorical columns, the vocabulary of its text column (with the schema's
     * {@link TextOptions}) and, if {@code options.standardize()}, per-column standardisation of the imputed
     * numeric columns.
     *
     * @throws DataFormatException naming the data set and the column when a column is missing in every row,
     *                             or when every column is constant
     */
    public static Preprocessor fit(Dataset train, Options options) {
        return PreprocessorFit.fit(train, options);
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

    /**
     * Per input column, the value a missing cell becomes before the shift and scale (copy); NaN where a
     * missing cell is an error: categorical and text columns, sparse training data, and model files written
     * before imputation.
     */
    public float[] imputedValues() {
        return fill.clone();
    }

    /** How the {@link #imputedValues()} were learnt; empty when there are none. */
    public java.util.Optional<ImputeStrategy> imputeStrategy() {
        return java.util.Optional.ofNullable(imputeStrategy);
    }

    /**
     * Input columns that held one value in every training row (after imputation) and so have no output
     * column; rows still carry them. {@code train} prints them.
     */
    public List<String> droppedColumns() {
        return droppedColumns;
    }

    /**
     * What a category unseen in training becomes: all-zero one-hot columns, or an error. Model files written
     * before this setting existed read as {@link UnseenCategories#ERROR}, as they behaved.
     */
    public UnseenCategories unseenCategories() {
        return unseen;
    }

    /**
     * The schema of the raw rows this preprocessor takes, with {@code classNames}: what data to evaluate is read
     * against ({@link DataSpec#readAgainst}), so that its categories get the codes they had in training.
     */
    public Schema inputSchema(List<String> classNames) {
        Map<String, TextOptions> textColumns = text == null ? Map.of() : Map.of(text.column(),
                new TextOptions(Math.max(1, text.vocabulary().size() - 1), text.vocabulary().ngrams()));
        return new Schema(inputColumns, classNames, vocabularies, "label", textColumns);
    }

    /** The text column and where its bag of words lies in the output; empty without a text column. */
    public java.util.Optional<TextInput> text() {
        return java.util.Optional.ofNullable(text);
    }

    /** True when every input column is a number: none is categorical or text, so {@link #transformRow} applies. */
    public boolean numeric() {
        return vocabularies.isEmpty() && text == null;
    }

    /** True when the output equals the input, for rows without missing values (and no column to bucket). */
    public boolean isIdentity() {
        if (!numeric() || !droppedColumns.isEmpty() || bucketed(shift) != shift) {
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
        if (!numeric() || !droppedColumns.isEmpty()) {
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
        if (isIdentity() && !data.hasMissingValues()) {
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
                encoder.transformInto(row, o, r * outW, data, r);
            }
        } else {
            CsrMatrix sparse = (CsrMatrix) data.features();
            for (int r = 0; r < n; r++) {
                Arrays.fill(row, 0f);
                for (int p = sparse.rowStart(r), end = sparse.rowStart(r + 1); p < end; p++) {
                    row[sparse.columnAt(p)] = sparse.valueAt(p);
                }
                encoder.transformInto(row, o, r * outW, data, r);
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
            encoder.encode(row, docs.get(r), out, data, r);
        }
        return out.build();
    }

    /**
     * One raw row (categorical columns as codes; numbers as they are, {@code bucket} columns bucketed here) to a
     * new output row.
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
        encoder.transformInto(bucketed(raw), out, 0, null, -1);
        return out;
    }

    /** {@code raw} with its {@code bucket} columns masked (a copy), or itself without such columns. */
    private float[] bucketed(float[] raw) {
        float[] out = raw;
        for (int c = 0; c < buckets.length; c++) {
            if (buckets[c] != null) {
                out = out == raw ? raw.clone() : out;
                out[c] = buckets[c].apply(raw[c]);
            }
        }
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
            encoder.transformInto(raw, out, 0, null, -1);
        } else {
            SparseRows row = new SparseRows(outputWidth());
            encoder.encode(raw, cells[textIndex], row, null, -1);
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
                    encoder.transformInto(raw, dense.data(), r * outputWidth(), null, -1);
                } else {
                    encoder.encode(raw, cells[textIndex], sparse, null, -1);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + (r + 1) + ": " + e.getMessage(), e);
            }
        }
        return text == null ? dense : sparse.build();
    }

    private float[] parse(String[] cells) {
        return RawCells.parse(cells, inputColumns, vocabularies, textIndex, fill, unseen, masks);
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
                && java.util.Objects.equals(p.text, text) && p.imputeStrategy == imputeStrategy
                && Arrays.equals(p.fill, fill) && p.droppedColumns.equals(droppedColumns) && p.unseen == unseen
                && p.masks.equals(masks);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * inputColumns.hashCode() + vocabularies.hashCode()) + Arrays.hashCode(shift)
                + 7 * Arrays.hashCode(scale) + java.util.Objects.hashCode(text) + 11 * Arrays.hashCode(fill)
                + 13 * droppedColumns.hashCode() + unseen.hashCode() + 17 * masks.hashCode();
    }

    @Override
    public String toString() {
        return "Preprocessor[" + inputWidth() + " -> " + outputWidth() + " columns, categorical "
                + vocabularies.keySet() + (text == null ? "" : ", text '" + text.column() + "' " + text.vocabulary())
                + (imputeStrategy == null ? "" : ", impute " + imputeStrategy.id())
                + (droppedColumns.isEmpty() ? "" : ", dropped " + abbreviate(droppedColumns))
                + (masks.isEmpty() ? "" : ", masked " + masks.spec())
                + (isIdentity() ? ", identity" : "") + "]";
    }
}
