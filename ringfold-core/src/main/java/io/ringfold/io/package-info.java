/**
 * The model file container: one versioned, checksummed binary file per model version, holding a JSON
 * header (hyperparameters, provenance) and named float32 tensors. The byte layout is specified in
 * {@code docs/model-format.md}; {@link io.ringfold.io.ModelFile} writes it atomically and reads it back
 * bit for bit, rejecting foreign, newer, truncated or corrupt files with a one-line message.
 */
package io.ringfold.io;
