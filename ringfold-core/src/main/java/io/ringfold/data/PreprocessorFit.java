package io.ringfold.data;

import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fits a {@link Preprocessor} on training rows, in the order scikit-learn's
 * {@code make_pipeline(SimpleImputer(), StandardScaler())} has it: imputation values from the present
 * values, then constant columns, then the moments of the imputed columns.
 */
final class PreprocessorFit {

    private PreprocessorFit() {
    }

    static Preprocessor fit(Dataset train, Preprocessor.Options options) {
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
        List<String> names = schema.featureNames();
        boolean[] numeric = new boolean[d];
        for (int c = 0; c < d; c++) {
            numeric[c] = !schema.isCategorical(names.get(c)) && !schema.isText(names.get(c));
        }
        float[] fill = new float[d];
        Arrays.fill(fill, Float.NaN);
        FloatMatrix dense = train.features() instanceof FloatMatrix m ? m : null;
        // Sparse data (LIBSVM) has no missing values: an absent entry is a zero.
        ImputeStrategy strategy = dense == null ? null : options.impute();
        if (dense != null) {
            fill = ColumnImputer.values(dense, numeric, strategy);
            for (int c = 0; c < d; c++) {
                if (numeric[c]) {
                    if (Float.isNaN(fill[c])) {
                        throw new DataFormatException(train.source(), 0, "column '" + names.get(c) + "' is missing"
                                + " (empty, NA, ...) in all " + n + " training rows", "at least one value to learn"
                                + " from; drop the column");
                    }
                }
            }
            if (train.hasMissingValues()) {
                dense = ColumnImputer.impute(dense, fill);
            }
        }
        boolean[] constant = dense != null && train.exampleShape().rank() == 1
                ? constantColumns(dense, schema) : new boolean[d];
        List<String> dropped = new ArrayList<>();
        for (int c = 0; c < d; c++) {
            if (constant[c]) {
                dropped.add(names.get(c));
            }
        }
        if (dropped.size() == d) {
            throw new DataFormatException(train.source(), 0, "every feature column is constant in the " + n
                    + " training rows " + RawCells.abbreviate(names), "at least one column whose value varies");
        }
        float[] shift = new float[d];
        float[] scale = new float[d];
        Arrays.fill(scale, 1f);
        if (options.standardize()) {
            double[] mean = new double[d];
            double[] var = new double[d];
            if (dense != null) {
                ColumnMoments.dense(dense, mean, var);
            } else {
                ColumnMoments.sparse((CsrMatrix) train.features(), mean, var);
            }
            for (int c = 0; c < d; c++) {
                if (!numeric[c] || constant[c]) {
                    continue;
                }
                scale[c] = Preprocessor.scale(var[c]);
                shift[c] = train.isSparse() ? 0f : (float) mean[c];
            }
        }
        String textColumn = schema.textColumn().orElse(null);
        Vocabulary vocabulary = textColumn == null ? null
                : Vocabulary.fit(train.documents(), schema.textColumns().get(textColumn));
        return new Preprocessor(names, schema.categoricalVocabularies(), shift, scale, textColumn, vocabulary,
                new Preprocessor.Imputation(strategy, fill), dropped, options.unseenCategories(), options.masks());
    }

    /**
     * The numeric and categorical columns holding one value in every training row (after imputation). Only
     * for tables: an image keeps every pixel, since a convolution needs the grid, and sparse data keep their
     * columns, since an all-zero sparse column costs nothing.
     */
    private static boolean[] constantColumns(FloatMatrix x, Schema schema) {
        int n = x.rows();
        int d = x.cols();
        float[] v = x.data();
        boolean[] constant = new boolean[d];
        for (int c = 0; c < d; c++) {
            if (schema.isText(schema.featureNames().get(c))) {
                continue;
            }
            float first = v[c];
            boolean same = true;
            // == rather than bits: -0.0 and 0.0 are one value, and no NaN is left after imputation.
            for (int r = 1; r < n && same; r++) {
                same = v[r * d + c] == first;
            }
            constant[c] = same;
        }
        return constant;
    }
}
