/**
 * The ONNX backend: {@code model.onnx} files served through ONNX Runtime's Java API on the CPU.
 * {@link io.ringfold.serving.backend.onnx.OnnxModelFile} reads a file within the server's model limits and
 * refuses hostile ones before ONNX Runtime sees them; {@link io.ringfold.serving.backend.onnx.OnnxServable}
 * serves the graph with its own tensor names, datatypes and shapes, batching requests along a dynamic first
 * dimension; {@link io.ringfold.serving.backend.onnx.OnnxOptions} are the session options of a model's
 * {@code config.json}.
 */
package io.ringfold.serving.backend.onnx;
