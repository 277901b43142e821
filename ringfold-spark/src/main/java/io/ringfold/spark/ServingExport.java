package io.ringfold.spark;

import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * Writes a model as one version of a serving repository, {@code REPO/NAME/VERSION/model.rfm}, which
 * {@code ringfold serve --models REPO} loads unchanged. The name and version rules repeat those of
 * ringfold-serving's {@code RepositoryNames} (keep them in step): this module cannot depend on
 * ringfold-serving, whose Netty line clashes with Spark's. The version directory is staged under a
 * hidden name and renamed into place, so a server polling the repository never sees half a version.
 */
final class ServingExport {

    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final long MAX_VERSION = 999_999_999_999_999_999L; // 18 digits

    private ServingExport() {
    }

    static Path write(Model model, Path repository, String name, long version) throws IOException {
        if (name == null || !MODEL.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: 1-128 letters, digits, '_', '-' or "
                    + "'.', starting with a letter or digit, no '..')");
        }
        if (version < 0 || version > MAX_VERSION) {
            throw new IllegalArgumentException("version: " + version + " (expected: 0.." + MAX_VERSION + ")");
        }
        Path modelDir = repository.resolve(name);
        Path target = modelDir.resolve(Long.toString(version));
        if (Files.exists(target)) {
            throw new IllegalArgumentException("version: " + version + " (expected: a new version; " + target
                    + " exists)");
        }
        Files.createDirectories(modelDir);
        Path staging = modelDir.resolve(".staging-" + version + "-" + ProcessHandle.current().pid());
        ModelCodec.save(model, staging, null);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        return target.resolve(ModelCodec.FILE_NAME);
    }
}
