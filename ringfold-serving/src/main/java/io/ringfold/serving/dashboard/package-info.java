/**
 * What the results dashboard shows, as JSON trees: the repository's models with their state, provenance
 * and evaluation ({@link io.ringfold.serving.dashboard.ModelsView}), the training runs recorded next to them
 * ({@link io.ringfold.serving.dashboard.RunsView}) and the server's own metrics
 * ({@link io.ringfold.serving.dashboard.ServerView}). Independent of HTTP: the {@code http} package serves
 * these trees, and the page, under {@code /ui}.
 */
package io.ringfold.serving.dashboard;
