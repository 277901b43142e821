package io.ringfold.serving.repository;

/**
 * What the repository knows of one version directory: serving, or failed with a reason.
 *
 * @param stamp the model file's size and modification time when it was tried, so that a failed version is
 *              retried only after its file changes
 */
public record VersionState(String model, long version, boolean available, String reason, String stamp) {
}
