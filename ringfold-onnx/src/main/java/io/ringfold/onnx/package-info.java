/**
 * Export of a trained Ringfold model to ONNX: the network's layers, its preprocessing (imputation, dropped
 * columns, one-hot encoding, standardisation) and its decision rule become one graph, so that any ONNX runtime
 * takes the raw rows Ringfold's server takes and gives the outputs it gives. {@link io.ringfold.onnx.OnnxExport}
 * is the entry point; the other classes each write one part of the graph.
 */
package io.ringfold.onnx;
