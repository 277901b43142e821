/**
 * What the server knows of a model: its tensor signature (one input tensor of raw rows, outputs for
 * classifiers or regressors), the decoding of request tensors and values into validated, preprocessed rows
 * ({@link io.ringfold.serving.inference.TensorDecoder}, {@link io.ringfold.serving.inference.RowDecoder}),
 * the shaping of the model's outputs, and the path of one inference through a held model version
 * ({@link io.ringfold.serving.inference.InferenceCall}). Shared by HTTP and gRPC so that they validate and
 * answer alike.
 */
package io.ringfold.serving.inference;
