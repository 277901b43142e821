/**
 * Data sets and where they come from: the immutable {@link io.ringfold.data.Dataset} with its
 * {@link io.ringfold.data.Schema}, strict readers for CSV, LIBSVM and IDX files that reject bad input at
 * the boundary with a {@code FILE:LINE} message, {@link io.ringfold.data.DataSpec} strings naming a source
 * (including the bundled digits), and the {@link io.ringfold.data.Preprocessor} that is fitted on training
 * data and stored with a model. Nothing here knows about models or training.
 */
package io.ringfold.data;
