/**
 * The HTTP face of the server on one Netty port: TensorFlow Serving's REST API ({@code /v1}), the Open
 * Inference Protocol v2 ({@code /v2}, with the model repository extension), health probes and Prometheus
 * {@code /metrics}. Handlers decode and validate a request completely before it reaches a batcher, and map
 * every failure to a status and an {@code {"error": "..."}} body.
 */
package io.ringfold.serving.http;
