/**
 * The inference server: {@link io.ringfold.serving.InferenceServer} ties the model repository, the
 * batchers, the metrics and the HTTP front together and owns the lifecycle (starting, ready, draining).
 * Subpackages hold one concept each: repository, batching, inference, http, metrics.
 */
package io.ringfold.serving;
