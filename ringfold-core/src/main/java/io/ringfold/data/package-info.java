/**
 * Data sets and where they come from: the immutable {@link io.ringfold.data.Dataset} with its
 * {@link io.ringfold.data.Schema}, strict readers for CSV (RFC 4180 records, {@link io.ringfold.data.CsvRecords}),
 * LIBSVM and IDX files that reject bad input at the boundary with a {@code FILE:LINE} message,
 * {@link io.ringfold.data.DataSpec} strings naming a source (including the bundled digits), and the
 * {@link io.ringfold.data.Preprocessor} that is fitted on training data and stored with a model: it imputes
 * missing values, drops constant columns, one-hot encodes categories (unseen ones to zeros or an error) and
 * standardises. Sensitive columns can be masked as their raw cells are read ({@link io.ringfold.data.ColumnMasks}:
 * dropped, redacted, pseudonymised with a keyed HMAC, bucketed, truncated dates), and the preprocessor masks raw
 * rows the same way at prediction. Rows may carry sample weights from a CSV weight column. A text
 * column is tokenised by the one {@link io.ringfold.data.Tokenizer} and becomes token counts over a
 * {@link io.ringfold.data.Vocabulary} fitted on the training rows. Nothing here knows about models or
 * training.
 */
package io.ringfold.data;
