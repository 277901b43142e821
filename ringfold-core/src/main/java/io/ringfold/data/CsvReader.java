package io.ringfold.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a delimited text table (gzip recognised by its magic bytes) into a dense {@link Dataset}.
 * Immutable configuration; {@code with...} methods return a changed copy.
 *
 * <ul>
 *   <li>Header row on by default; without one, columns are named {@code c0, c1, ...}.</li>
 *   <li>Label column by name or 0-based index, by default the last column.</li>
 *   <li>Labels: if the first data row's label is a number, all labels must be numbers and are kept as
 *       they are; otherwise every label is a class name, the sorted distinct names become
 *       {@link Schema#classNames()} and each label is its index there.</li>
 *   <li>Columns declared categorical hold arbitrary strings; the sorted distinct values become the
 *       column's vocabulary and the feature value is the value's index there. A column declared text holds
 *       raw text (any string, empty included), kept as the data set's {@link Dataset#documents()} with 0 in
 *       the feature matrix; at most one column is text. All other cells must be finite numbers in plain
 *       decimal notation, or missing.</li>
 *   <li>Missing values: a cell that is empty or one of pandas' default missing-value spellings
 *       ({@code NA}, {@code NaN}, {@code null}, ... and {@code ?}; the list is {@code NumberCells.MISSING}).
 *       In a numeric column it becomes NaN, which the {@link Preprocessor} imputes; in a categorical column
 *       it becomes the empty category {@code ""}, a category of its own. A feature column that is missing
 *       in every row of a training file is an error. Labels and weights must not be missing.</li>
 *   <li>An optional weight column ({@link #withWeightColumn}) holds each row's sample weight, a finite
 *       number {@code >= 0} (at least one {@code > 0}); it is not a feature.</li>
 *   <li>Records and quoting as RFC 4180 has them ({@link CsvRecords}): quoted cells may hold delimiters,
 *       quotes ({@code ""}) and line breaks. Blank lines are ignored; every other record must have as many
 *       cells as the header (first record). A line number in a message is the line the record starts
 *       on.</li>
 *   <li>With a reference schema (the training set's, when reading a test file), feature names, class
 *       names and vocabularies are taken from it; a class it does not know is an error, and a category it
 *       does not know gets the code -1, which the preprocessor maps to all-zero one-hot columns or refuses,
 *       as its {@link UnseenCategories} says.</li>
 * </ul>
 */
public final class CsvReader {

    private final boolean header;
    private final String labelColumn; // null: last column
    private final char delimiter;
    private final List<String> categorical;
    private final String textColumn; // null: no text column
    private final TextOptions textOptions;
    private final Schema reference; // null: learn names from the file
    private final String weightColumn; // null: unweighted
    private final ColumnMasks masks;

    public CsvReader() {
        this(true, null, ',', List.of(), null, TextOptions.DEFAULTS, null, null, ColumnMasks.NONE);
    }

    private CsvReader(boolean header, String labelColumn, char delimiter, List<String> categorical, String textColumn,
                      TextOptions textOptions, Schema reference, String weightColumn, ColumnMasks masks) {
        this.header = header;
        this.labelColumn = labelColumn;
        this.delimiter = delimiter;
        this.categorical = List.copyOf(categorical);
        this.textColumn = textColumn;
        this.textOptions = Objects.requireNonNull(textOptions, "textOptions");
        this.reference = reference;
        this.weightColumn = weightColumn;
        this.masks = Objects.requireNonNull(masks, "masks");
    }

    public CsvReader withHeader(boolean hasHeader) {
        return new CsvReader(hasHeader, labelColumn, delimiter, categorical, textColumn, textOptions, reference,
                weightColumn, masks);
    }

    /** The label column: a column name, or a 0-based index when no column has that name. */
    public CsvReader withLabelColumn(String nameOrIndex) {
        return new CsvReader(header, Objects.requireNonNull(nameOrIndex, "labelColumn"), delimiter, categorical,
                textColumn, textOptions, reference, weightColumn, masks);
    }

    /**
     * The column (name, or 0-based index when no column has that name) holding each row's sample weight: a
     * finite number {@code >= 0}, at least one {@code > 0}; not a feature (see {@link Dataset#weights()}).
     */
    public CsvReader withWeightColumn(String nameOrIndex) {
        return new CsvReader(header, labelColumn, delimiter, categorical, textColumn, textOptions, reference,
                Objects.requireNonNull(nameOrIndex, "weightColumn"), masks);
    }

    public CsvReader withLabelColumn(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("labelColumn: " + index + " (expected: >= 0)");
        }
        return withLabelColumn(Integer.toString(index));
    }

    public CsvReader withDelimiter(char d) {
        if (d == '"' || d == '\n' || d == '\r') {
            throw new IllegalArgumentException("delimiter: '" + d + "' (expected: not a quote or line break)");
        }
        return new CsvReader(header, labelColumn, d, categorical, textColumn, textOptions, reference, weightColumn, masks);
    }

    /** Columns (names, or 0-based indices when no column has that name) holding categories, not numbers. */
    public CsvReader withCategorical(List<String> columns) {
        return new CsvReader(header, labelColumn, delimiter, columns, textColumn, textOptions, reference, weightColumn, masks);
    }

    /** The column (name, or 0-based index when no column has that name) holding raw text. */
    public CsvReader withTextColumn(String nameOrIndex) {
        return new CsvReader(header, labelColumn, delimiter, categorical,
                Objects.requireNonNull(nameOrIndex, "textColumn"), textOptions, reference, weightColumn, masks);
    }

    /** How the text column's vocabulary is to be fitted (kept in the schema); default {@link TextOptions#DEFAULTS}. */
    public CsvReader withTextOptions(TextOptions options) {
        return new CsvReader(header, labelColumn, delimiter, categorical, textColumn, options, reference, weightColumn, masks);
    }

    /** Read against the training set's schema: same features, class names, vocabularies and text column. */
    public CsvReader withReferenceSchema(Schema schema) {
        return new CsvReader(header, labelColumn, delimiter, categorical, textColumn, textOptions,
                Objects.requireNonNull(schema, "schema"), weightColumn, masks);
    }

    /**
     * Masks applied to named columns' raw cells as they are read (see {@link ColumnMask}): a dropped column is no
     * feature, a {@code redact}, {@code hmac} or {@code date} column becomes categorical, a {@code bucket} column
     * stays numeric. The masks must be {@link ColumnMasks#ready() ready} (their key bound) before reading.
     */
    public CsvReader withMasks(ColumnMasks columnMasks) {
        return new CsvReader(header, labelColumn, delimiter, categorical, textColumn, textOptions, reference,
                weightColumn, Objects.requireNonNull(columnMasks, "masks"));
    }

    /** The masks of {@link #withMasks}; {@link ColumnMasks#NONE} by default. */
    public ColumnMasks masks() {
        return masks;
    }

    public boolean header() {
        return header;
    }

    public char delimiter() {
        return delimiter;
    }

    /** The configured label column, or empty for the default (the last column). */
    public java.util.Optional<String> labelColumn() {
        return java.util.Optional.ofNullable(labelColumn);
    }

    public List<String> categorical() {
        return categorical;
    }

    /** The configured weight column, or empty without one. */
    public java.util.Optional<String> weightColumn() {
        return java.util.Optional.ofNullable(weightColumn);
    }

    /** The configured text column, or empty without one. */
    public java.util.Optional<String> textColumn() {
        return java.util.Optional.ofNullable(textColumn);
    }

    public TextOptions textOptions() {
        return textOptions;
    }

    public Dataset read(Path path) {
        try (InputStream in = DataFiles.openRaw(path)) {
            return read(in, path.toString());
        } catch (IOException e) {
            throw DataFiles.unreadable(path.toString(), e);
        }
    }

    /** Reads from {@code in} (not closed; gzip recognised), naming it {@code source} in messages. */
    public Dataset read(InputStream in, String source) {
        CsvRecords records = null;
        try {
            records = new CsvRecords(new InputStreamReader(DataFiles.decompressIfGzip(in), StandardCharsets.UTF_8),
                    delimiter, source);
            return parse(records, source);
        } catch (IOException e) {
            throw DataFiles.unreadable(source, records == null ? 0 : records.recordLine(), e);
        }
    }

    private Dataset parse(CsvRecords records, String source) throws IOException {
        String[] firstCells = records.next();
        if (firstCells == null) {
            throw new DataFormatException(source, 0, "empty file", header ? "a header row and data rows" : "data rows");
        }
        long headerLine = records.recordLine();
        int width = firstCells.length;
        List<String> names = header ? Arrays.asList(firstCells) : Schema.generatedNames("c", width);
        checkHeader(names, source, headerLine);
        records.nameColumns(names);
        int labelIdx = resolveLabel(names, source, headerLine);
        int weightIdx = weightColumn == null ? -1
                : featureColumn("weight", weightColumn, names, labelIdx, source, headerLine);
        if (weightIdx >= 0 && width < 3) {
            throw new DataFormatException(source, headerLine, width + " columns with a label and a weight column",
                    "at least 3 (features, a label and the weights)");
        }
        boolean[] isCat = new boolean[width];
        for (String c : categorical) {
            isCat[featureColumn("categorical", c, names, labelIdx, source, headerLine)] = true;
        }
        int textIdx = textColumn == null ? -1 : featureColumn("text", textColumn, names, labelIdx, source, headerLine);
        if (textIdx >= 0 && isCat[textIdx]) {
            throw new DataFormatException(source, headerLine, "column '" + names.get(textIdx) + "' declared both"
                    + " categorical and text", "one or the other");
        }
        if (weightIdx >= 0 && (isCat[weightIdx] || weightIdx == textIdx)) {
            throw new DataFormatException(source, headerLine, "weight column '" + names.get(weightIdx) + "' declared "
                    + (isCat[weightIdx] ? "categorical" : "text"), "a column of numbers, not a feature");
        }
        ColumnMask[] mask = masks(names, labelIdx, weightIdx, textIdx, isCat, source, headerLine);
        if (reference != null) {
            for (String name : reference.categoricalVocabularies().keySet()) {
                int idx = names.indexOf(name);
                if (idx >= 0 && idx != labelIdx && idx != weightIdx) {
                    isCat[idx] = true;
                }
            }
            // The training set's text column, which a reader naming another cannot change.
            java.util.Optional<String> refText = reference.textColumn();
            if (textIdx >= 0 && !refText.equals(java.util.Optional.of(names.get(textIdx)))) {
                throw new DataFormatException(source, headerLine, "text column '" + names.get(textIdx) + "'",
                        "the training set's " + refText.map(t -> "'" + t + "'").orElse("none"));
            }
            textIdx = refText.map(names::indexOf).orElse(-1);
        }
        List<String> featureNames = new ArrayList<>(names);
        featureNames.remove(labelIdx);
        if (weightIdx >= 0) {
            featureNames.remove(names.get(weightIdx));
        }
        featureNames.removeAll(masks.droppedColumns());
        if (reference != null && !reference.featureNames().equals(featureNames)) {
            throw new DataFormatException(source, headerLine, "feature columns " + featureNames,
                    "the training set's " + reference.featureNames());
        }

        CsvTable rows = new CsvTable(new CsvTable.Layout(names, labelIdx, weightIdx, isCat, textIdx, mask), reference,
                textOptions, masks, source);
        if (!header) {
            rows.add(firstCells, headerLine);
        }
        String[] cells;
        while ((cells = records.next()) != null) {
            long line = records.recordLine();
            if (cells.length != width) {
                throw new DataFormatException(source, line, "row has " + cells.length + " cells",
                        width + " as in " + (header ? "the header" : "the first row"));
            }
            rows.add(cells, line);
        }
        if (rows.count() == 0) {
            throw new DataFormatException(source, headerLine, "header only, no data rows", "data rows after the header");
        }
        return rows.finish(featureNames, headerLine);
    }

    /**
     * Per raw column, its mask or null; a masked column must be a feature column by name, neither text nor (for
     * {@code bucket}) categorical. A mask whose output is a category makes its column categorical.
     */
    private ColumnMask[] masks(List<String> names, int labelIdx, int weightIdx, int textIdx, boolean[] isCat,
                               String source, long headerLine) {
        ColumnMask[] out = new ColumnMask[names.size()];
        if (!masks.ready()) {
            throw new IllegalStateException("masks " + masks + ": no key for the hmac columns (expected: a key bound"
                    + " before reading)");
        }
        for (Map.Entry<String, ColumnMask> e : masks.columns().entrySet()) {
            String column = e.getKey();
            ColumnMask m = e.getValue();
            int idx = names.indexOf(column);
            String role = idx < 0 ? "not found" : idx == labelIdx ? "is the label" : idx == weightIdx
                    ? "is the weight column" : idx == textIdx ? "is the text column"
                    : isCat[idx] && m.output() == ColumnMask.Output.NUMBER ? "is declared categorical" : null;
            if (role != null) {
                throw new DataFormatException(source, headerLine, "masked column '" + column + "' (" + m.id() + ") "
                        + role, idx < 0 ? "a column name among " + RawCells.abbreviate(names)
                        : m.output() == ColumnMask.Output.NUMBER ? "a numeric feature column for bucket(W)"
                        : "a feature column; the label, weight and text columns are not masked");
            }
            out[idx] = m;
            isCat[idx] |= m.output() == ColumnMask.Output.CATEGORY;
        }
        return out;
    }

    /** The index of a categorical, text or weight column, which must exist and not be the label. */
    private static int featureColumn(String kind, String column, List<String> names, int labelIdx, String source,
                                     long headerLine) {
        int idx = resolveColumn(column, names);
        if (idx < 0) {
            throw new DataFormatException(source, headerLine, kind + " column '" + column + "' not found",
                    "a column name among " + names + " or a 0-based index < " + names.size());
        }
        if (idx == labelIdx) {
            throw new DataFormatException(source, headerLine, kind + " column '" + column + "' is the label",
                    kind.equals("weight") ? "a column other than the label" : kind + " columns among the features");
        }
        return idx;
    }

    private static void checkHeader(List<String> names, String source, long line) {
        if (names.size() < 2) {
            throw new DataFormatException(source, line, names.size() + " column", "at least 2 (features and a label)");
        }
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new DataFormatException(source, line, "duplicate column name '" + n + "'", "distinct names");
            }
        }
    }

    private int resolveLabel(List<String> names, String source, long line) {
        if (labelColumn == null) {
            return names.size() - 1;
        }
        int idx = resolveColumn(labelColumn, names);
        if (idx < 0) {
            throw new DataFormatException(source, line, "label column '" + labelColumn + "' not found",
                    "a column name among " + names + " or a 0-based index < " + names.size());
        }
        return idx;
    }

    /** Index of the column with this name, else the 0-based index it denotes if in range, else -1. */
    private static int resolveColumn(String nameOrIndex, List<String> names) {
        int idx = names.indexOf(nameOrIndex);
        if (idx >= 0) {
            return idx;
        }
        if (!nameOrIndex.isEmpty() && nameOrIndex.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                && nameOrIndex.length() < 10) {
            int i = Integer.parseInt(nameOrIndex);
            return i < names.size() ? i : -1;
        }
        return -1;
    }
}
