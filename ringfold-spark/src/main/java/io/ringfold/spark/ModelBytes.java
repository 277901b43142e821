package io.ringfold.spark;

import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model as the bytes of its Ringfold model file, for broadcasting and for storing inside a Spark ML
 * path (which may be on HDFS or S3). The model file format is written and read through a local path
 * (atomic rename, checksum verification), so this goes through a temporary directory rather than a
 * second, stream-based codec that could drift from it.
 */
final class ModelBytes {

    private ModelBytes() {
    }

    static byte[] encode(Model model) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("ringfold-model");
            return Files.readAllBytes(ModelCodec.save(model, dir, null));
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + model + ": " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    static Model decode(byte[] bytes) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("ringfold-model");
            Path file = dir.resolve(ModelCodec.FILE_NAME);
            Files.write(file, bytes);
            return ModelCodec.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("decoding a Ringfold model file of " + bytes.length + " bytes: "
                    + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("removing the temporary directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
