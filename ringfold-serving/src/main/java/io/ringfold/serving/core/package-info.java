/**
 * The protocol-neutral serving core: one {@link io.ringfold.serving.core.Tensor} type that every front end
 * decodes into and every backend computes on, the {@link io.ringfold.serving.core.ModelSignature} that the
 * protocols' metadata reports, and one mapping of failures to HTTP statuses and gRPC codes
 * ({@link io.ringfold.serving.core.Failure}). Depends on nothing else of the server.
 */
package io.ringfold.serving.core;
