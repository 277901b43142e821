package io.ringfold.jobs.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Publishes a trained model directory as the next version of a model in a serving repository
 * ({@code REPO/MODEL/N}): copied beside it under a hidden name first, then renamed into place, so the server,
 * which polls the repository, sees either no version or the whole of it, never a half-copied one.
 */
final class ModelPublisher {

    private ModelPublisher() {
    }

    /** Copies {@code modelDir} into {@code repository/model/(last version + 1)}; returns that version. */
    static synchronized long publish(Path modelDir, Path repository, String model) throws IOException {
        Path dir = repository.resolve(model);
        Files.createDirectories(dir);
        long version = 1;
        try (Stream<Path> versions = Files.list(dir)) {
            version += versions.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]{1,18}"))
                    .mapToLong(Long::parseLong).max().orElse(0);
        }
        Path staging = dir.resolve("." + version + ".publishing");
        copyTree(modelDir, staging);
        Files.move(staging, dir.resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
        return version;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
