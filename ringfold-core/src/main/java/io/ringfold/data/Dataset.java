package io.ringfold.data;

import io.ringfold.nn.Shape;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable table of examples: a feature matrix (dense {@link FloatMatrix} or sparse
 * {@link CsrMatrix}), one float label per row, the {@link Schema} that names the columns, and where the
 * data came from. Labels are class indices {@code 0..K-1} for classification and target values for
 * regression; every label is finite, and so is every feature value but a missing one, which is NaN
 * (only the CSV reader makes those, from the cells {@link CsvReader} lists; {@link Preprocessor} imputes
 * them). Optionally each row has a sample weight, finite and {@code >= 0} ({@link #weights()}), and the
 * line of the file it came from ({@link #where(int)}), both kept by {@link #subset} and {@link #split}.
 *
 * <p>To keep large data sets (Fashion-MNIST is 188 MB of floats) from being copied on every access,
 * {@link #features()} and {@link #labels()} return the stored objects themselves: callers must not
 * modify them. {@link #of} copies its inputs, so a data set built through it is not affected by later
 * changes to the caller's arrays.
 */
public final class Dataset {

    /** The two parts of {@link #split}: each keeps the original row order. */
    public record Split(Dataset rest, Dataset heldOut) {
    }

    private final Matrix features;
    private final float[] labels;
    private final Schema schema;
    private final String source;
    private final String[] documents; // of the text column, one per row; null without one
    private final Shape exampleShape;
    // Row of the first label that is not a non-negative integer, or -1; and 1 + the largest label.
    private final int firstNonClassRow;
    private final int maxLabelPlusOne;
    private final float[] weights; // one per row; null: unweighted
    private final int[] lines; // the source line of each row (1-based); null when the source is not line-based
    private volatile String fingerprint;
    private volatile Boolean missingValues;

    /** Takes ownership of the arrays (no copy): for readers and preprocessing in this package; rows are vectors. */
    Dataset(Matrix features, float[] labels, Schema schema, String source) {
        this(features, labels, schema, source, null, null);
    }

    /**
     * As above, with the documents of the schema's text column (one per row; null without a text column;
     * ownership taken), each row an example of shape {@code exampleShape} (null: a vector of the row's width).
     */
    Dataset(Matrix features, float[] labels, Schema schema, String source, String[] documents, Shape exampleShape) {
        this(features, labels, schema, source, documents, exampleShape, null, null);
    }

    /**
     * As above, with one sample weight per row ({@code weights}, finite and {@code >= 0}; null: unweighted)
     * and the 1-based line each row starts on in {@code source} ({@code lines}; null when not line-based);
     * ownership of both taken.
     */
    Dataset(Matrix features, float[] labels, Schema schema, String source, String[] documents, Shape exampleShape,
            float[] weights, int[] lines) {
        this.features = Objects.requireNonNull(features, "features");
        if (exampleShape != null && exampleShape.size() != features.cols()) {
            throw new IllegalArgumentException("exampleShape: " + exampleShape + " (expected: " + features.cols()
                    + " values, the row width)");
        }
        this.exampleShape = exampleShape != null ? exampleShape : Shape.vector(Math.max(1, features.cols()));
        this.labels = Objects.requireNonNull(labels, "labels");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.source = Objects.requireNonNull(source, "source");
        if (features.rows() != labels.length) {
            throw new IllegalArgumentException("labels: " + labels.length + " (expected: one per row, "
                    + features.rows() + ")");
        }
        if (schema.textColumns().isEmpty() != (documents == null)
                || documents != null && documents.length != labels.length) {
            throw new IllegalArgumentException("documents: " + (documents == null ? "none" : documents.length)
                    + " (expected: " + (schema.textColumns().isEmpty() ? "none without a text column" : "one per row, "
                    + labels.length + ", for text column " + schema.textColumns().keySet()) + ")");
        }
        this.documents = documents;
        if (features.cols() != schema.numFeatures()) {
            throw new IllegalArgumentException("schema: " + schema.numFeatures() + " feature names (expected: "
                    + features.cols() + ", one per column)");
        }
        int bad = -1;
        float max = -1f;
        for (int i = 0; i < labels.length; i++) {
            float y = labels[i];
            if (!Float.isFinite(y)) {
                throw new IllegalArgumentException("labels[" + i + "]: " + y + " (expected: finite)");
            }
            if (bad < 0 && (y < 0f || y != Math.rint(y))) {
                bad = i;
            }
            max = Math.max(max, y);
        }
        this.firstNonClassRow = bad;
        this.maxLabelPlusOne = bad < 0 ? (int) max + 1 : -1;
        if (bad < 0 && !schema.classNames().isEmpty() && maxLabelPlusOne > schema.classNames().size()) {
            throw new IllegalArgumentException("labels: largest " + (maxLabelPlusOne - 1) + " (expected: < "
                    + schema.classNames().size() + " class names)");
        }
        if (weights != null) {
            if (weights.length != labels.length) {
                throw new IllegalArgumentException("weights: " + weights.length + " (expected: one per row, "
                        + labels.length + ")");
            }
            for (int i = 0; i < weights.length; i++) {
                if (!(weights[i] >= 0f) || weights[i] == Float.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException("weights[" + i + "]: " + weights[i] + " (expected: finite, >= 0)");
                }
            }
        }
        if (lines != null && lines.length != labels.length) {
            throw new IllegalArgumentException("lines: " + lines.length + " (expected: one per row, " + labels.length
                    + ")");
        }
        this.weights = weights;
        this.lines = lines;
    }

    /** A data set over copies of {@code features} and {@code labels}; every value must be finite. */
    public static Dataset of(Matrix features, float[] labels, Schema schema, String source) {
        if (features instanceof FloatMatrix dense) {
            checkFinite(dense.data(), dense.cols(), source);
        } else if (features instanceof CsrMatrix sparse) {
            for (int r = 0; r < sparse.rows(); r++) {
                for (int p = sparse.rowStart(r); p < sparse.rowStart(r + 1); p++) {
                    if (!Float.isFinite(sparse.valueAt(p))) {
                        throw new IllegalArgumentException(source + ": feature (" + r + ", " + sparse.columnAt(p)
                                + ") is " + sparse.valueAt(p) + " (expected: finite)");
                    }
                }
            }
        }
        int[] all = new int[features.rows()];
        Arrays.setAll(all, i -> i);
        return new Dataset(features.gatherRows(all, 0, all.length), labels.clone(), schema, source);
    }

    /**
     * As {@link #of(Matrix, float[], Schema, String)}, for a schema with a text column: {@code documents}
     * holds its raw text, one per row (copied).
     */
    public static Dataset of(Matrix features, float[] labels, Schema schema, String source,
                             java.util.List<String> documents) {
        Dataset d = of(features, labels, new Schema(schema.featureNames(), schema.classNames(),
                schema.categoricalVocabularies(), schema.labelName()), source);
        String[] docs = documents.toArray(new String[0]);
        for (int i = 0; i < docs.length; i++) {
            Objects.requireNonNull(docs[i], "documents[" + i + "]");
        }
        return new Dataset(d.features, d.labels, schema, source, docs, null);
    }

    private static void checkFinite(float[] x, int cols, String source) {
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException(source + ": feature (" + i / cols + ", " + i % cols + ") is " + x[i]
                        + " (expected: finite)");
            }
        }
    }

    /**
     * The shape of one example: {@code [1, 28, 28]} for the IDX images, {@code [1, 8, 8]} for the digits, a
     * vector of the row's width for tables. A row stores the example row-major.
     */
    public Shape exampleShape() {
        return exampleShape;
    }

    /** The same data set, each row an example of {@code shape} (as many values as a row has). */
    public Dataset withExampleShape(Shape shape) {
        return new Dataset(features, labels, schema, source, documents, shape, weights, lines);
    }

    /**
     * The same rows with a copy of {@code rowWeights} as their sample weights: one per row, finite, {@code >= 0},
     * at least one {@code > 0}.
     */
    public Dataset withWeights(float[] rowWeights) {
        float[] w = rowWeights.clone();
        boolean positive = false;
        for (float v : w) {
            positive |= v > 0f;
        }
        if (!positive && w.length > 0) {
            throw new IllegalArgumentException("weights: all " + w.length + " are 0 (expected: at least one > 0)");
        }
        return new Dataset(features, labels, schema, source, documents, exampleShape, w, lines);
    }

    /**
     * The sample weight of each row, the array itself (do not modify), or null when the rows are unweighted
     * (each weighs 1). From a CSV file's weight column ({@code csv:PATH?weight=COL}).
     */
    public float[] weights() {
        return weights;
    }

    /**
     * Where row {@code row} (0-based) came from, for messages: {@code FILE:LINE} when the source is line-based
     * (CSV, LIBSVM), else {@code FILE, row N} with N 1-based.
     */
    public String where(int row) {
        return lines != null ? source + ":" + lines[row] : source + ", row " + (row + 1);
    }

    /** The 1-based line row {@code row} starts on in the source, or 0 when the source is not line-based. */
    long line(int row) {
        return lines == null ? 0 : lines[row];
    }

    /** True when some feature value is missing (NaN; only dense CSV data have them). Computed once. */
    public boolean hasMissingValues() {
        Boolean m = missingValues;
        if (m == null) {
            m = false;
            if (features instanceof FloatMatrix dense) {
                for (float v : dense.data()) {
                    if (v != v) {
                        m = true;
                        break;
                    }
                }
            }
            missingValues = m;
        }
        return m;
    }

    /**
     * Checks that the labels are numbers, as a regression needs: a label column of class names (the CSV reader
     * makes those when the first row's label is not a number) is refused.
     *
     * @param purpose what needs numbers, for the message: {@code "regression (model linear)"}
     * @throws DataFormatException naming the file, the line (or row) and the label column of the first label
     *                             that is not a number
     */
    public void requireNumericLabels(String purpose) {
        List<String> names = schema.classNames();
        if (names.isEmpty()) {
            return;
        }
        int row = 0;
        for (int i = 0; i < labels.length; i++) {
            if (Float.isNaN(NumberCells.parseOrNaN(names.get((int) labels[i])))) {
                row = i;
                break;
            }
        }
        String label = labels.length == 0 ? "" : names.get((int) labels[row]);
        String where = lines != null ? "" : "row " + (row + 1) + ": ";
        throw new DataFormatException(source, line(row), where + "label " + DataFormatException.quote(label)
                + " in column '" + schema.labelName() + "' is not a number", "numbers for " + purpose);
    }

    /** The feature matrix itself, not a copy: do not modify. */
    public Matrix features() {
        return features;
    }

    /** The label array itself, not a copy: do not modify. See {@link #label(int)} for one value. */
    public float[] labels() {
        return labels;
    }

    public float label(int row) {
        return labels[row];
    }

    public Schema schema() {
        return schema;
    }

    /**
     * The raw text of each row's text column (see {@link Schema#textColumns()}), in row order; empty when
     * the schema has no text column.
     */
    public java.util.List<String> documents() {
        return documents == null ? java.util.List.of()
                : java.util.Collections.unmodifiableList(Arrays.asList(documents));
    }

    /** Where the rows came from: a file path, {@code "digits"}, ... */
    public String source() {
        return source;
    }

    public int size() {
        return labels.length;
    }

    public int numFeatures() {
        return features.cols();
    }

    public boolean isSparse() {
        return features instanceof CsrMatrix;
    }

    /** True when every label is a non-negative integer, so the data can be used for classification. */
    public boolean integralLabels() {
        return firstNonClassRow < 0;
    }

    /**
     * Number of classes: the number of class names when the schema has them, else 1 + the largest label.
     *
     * @throws IllegalStateException naming the first row whose label is negative or not an integer
     */
    public int numClasses() {
        if (firstNonClassRow >= 0) {
            throw new IllegalStateException(source + ": row " + firstNonClassRow + " has label "
                    + labels[firstNonClassRow] + " (expected: integer class index >= 0 for classification)");
        }
        return schema.classNames().isEmpty() ? Math.max(maxLabelPlusOne, 0) : schema.classNames().size();
    }

    /** The given rows, in the given order (repeats allowed), as a new data set. */
    public Dataset subset(int[] rows) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= size()) {
                throw new IndexOutOfBoundsException("rows[" + i + "]: " + rows[i] + " (expected: in [0, " + size()
                        + "))");
            }
        }
        float[] y = new float[rows.length];
        String[] docs = documents == null ? null : new String[rows.length];
        float[] w = weights == null ? null : new float[rows.length];
        int[] l = lines == null ? null : new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            int r = rows[i];
            y[i] = labels[r];
            if (docs != null) {
                docs[i] = documents[r];
            }
            if (w != null) {
                w[i] = weights[r];
            }
            if (l != null) {
                l[i] = lines[r];
            }
        }
        return new Dataset(features.gatherRows(rows, 0, rows.length), y, schema, source, docs, exampleShape, w, l);
    }

    /**
     * A seeded random split: {@code round(heldOutFraction * size())} rows go to {@code heldOut}, the rest to
     * {@code rest}. The rows are chosen by a Fisher-Yates permutation of {@code 0..size()-1} driven by
     * SplitMix64 seeded with {@code seed} (see {@code SplitMix64.permutation}): the first rows of the
     * permutation are held out. Both parts keep the original row order, so the result depends only on the
     * data and the seed.
     */
    public Split split(double heldOutFraction, long seed) {
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("heldOutFraction: " + heldOutFraction + " (expected: 0 < f < 1)");
        }
        int n = size();
        int held = (int) Math.round(heldOutFraction * n);
        if (held < 1 || held > n - 1) {
            throw new IllegalArgumentException("heldOutFraction: " + heldOutFraction + " of " + n + " rows holds out "
                    + held + " (expected: between 1 and " + (n - 1) + " rows)");
        }
        int[] perm = new SplitMix64(seed).permutation(n);
        boolean[] isHeld = new boolean[n];
        for (int i = 0; i < held; i++) {
            isHeld[perm[i]] = true;
        }
        int[] restRows = new int[n - held];
        int[] heldRows = new int[held];
        int r = 0;
        int h = 0;
        for (int i = 0; i < n; i++) {
            if (isHeld[i]) {
                heldRows[h++] = i;
            } else {
                restRows[r++] = i;
            }
        }
        return new Split(subset(restRows), subset(heldRows));
    }

    /**
     * Hex SHA-256 of shape, storage kind, feature values in row order and labels (the exact bytes are
     * described in {@code DatasetFingerprint}), the text column's documents when there is one, and the
     * sample weights when there are.
     * Identical data gives an identical fingerprint; the same values stored dense and sparse give
     * different fingerprints. Schema and source are not included.
     */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            f = DatasetFingerprint.of(features, labels, documents, weights);
            fingerprint = f;
        }
        return f;
    }

    /**
     * The same rows with other features (after preprocessing; documents kept if the schema has a text column):
     * the example keeps its shape when the width is unchanged (standardisation), and becomes a vector otherwise
     * (one-hot columns, token counts).
     */
    Dataset withFeatures(Matrix newFeatures, Schema newSchema) {
        String[] docs = newSchema.textColumns().isEmpty() ? null : documents;
        return new Dataset(newFeatures, labels, newSchema, source, docs,
                newFeatures.cols() == exampleShape.size() ? exampleShape : null, weights, lines);
    }

    @Override
    public String toString() {
        return "Dataset[" + source + ", " + size() + "x" + numFeatures() + (isSparse() ? " sparse" : " dense")
                + schema.textColumn().map(t -> ", text column '" + t + "'").orElse("")
                + (weights == null ? "" : ", weighted") + "]";
    }
}
