/**
 * The Open Inference Protocol v2 over gRPC ({@code inference.GRPCInferenceService} of KServe's
 * {@code grpc_predict_v2.proto}, generated into {@code io.ringfold.serving.grpc.v2}): a service on the
 * same model repository, tensor validation and batched inference path as the HTTP front end, so both
 * answer the same rows with the same bits and refuse bad ones with the same messages. TensorFlow Serving's
 * {@code tensorflow.serving.PredictionService} and {@code ModelService} (generated from its own protos into
 * {@code tensorflow.serving}) share the port and that path.
 */
package io.ringfold.serving.grpc;
