/**
 * The model repository: a directory {@code REPO/<model>/<version>/model.rfm} with an optional
 * {@code REPO/<model>/config.json}, scanned at start and on every poll. Versions are loaded, warmed and
 * only then published; a version that fails to load leaves the ones serving untouched; a retired version
 * is released once its in-flight requests have finished.
 */
package io.ringfold.serving.repository;
