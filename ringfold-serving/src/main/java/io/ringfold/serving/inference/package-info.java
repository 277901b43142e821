/**
 * What the server knows of a model: its tensor signature (one input tensor of raw rows, outputs for
 * classifiers or regressors), the decoding of request values into validated, preprocessed rows, and the
 * shaping of the model's outputs. Shared by both protocols so that they validate and answer alike.
 */
package io.ringfold.serving.inference;
