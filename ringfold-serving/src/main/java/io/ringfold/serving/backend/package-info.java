/**
 * Backends: what computes a served model. {@link io.ringfold.serving.backend.Servable} is the contract between
 * the protocol front ends and a loaded version; {@code backend.ringfold} serves Ringfold's model files and
 * {@code backend.onnx} ONNX graphs through ONNX Runtime.
 */
package io.ringfold.serving.backend;
