/**
 * The path of one inference through a held model version ({@link io.ringfold.serving.inference.InferenceCall}),
 * shared by every protocol front end so that they route, count and fail alike. Stands above the repository and
 * below the front ends: it speaks only {@link io.ringfold.serving.core.Tensor}s.
 */
package io.ringfold.serving.inference;
