/**
 * The backend of Ringfold's own model files: the one-input signature of raw rows
 * ({@link io.ringfold.serving.backend.ringfold.RingfoldSignature}), their decoding and preprocessing
 * ({@link io.ringfold.serving.backend.ringfold.RowDecoder}) and batched prediction.
 */
package io.ringfold.serving.backend.ringfold;
