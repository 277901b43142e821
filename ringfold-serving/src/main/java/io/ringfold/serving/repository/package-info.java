/**
 * The model repository: a directory {@code REPO/<model>/<version>/model.rfm} with an optional
 * {@code REPO/<model>/config.json}, scanned at start and on every poll. Versions are loaded within the
 * server's {@link io.ringfold.io.ModelLimits}, warmed and only then published; a version that fails to
 * load, for any reason an error included, leaves the ones serving untouched, and so does a directory
 * that cannot be listed; links leading out of the repository are refused; a retired version is released
 * once its in-flight requests have finished.
 */
package io.ringfold.serving.repository;
