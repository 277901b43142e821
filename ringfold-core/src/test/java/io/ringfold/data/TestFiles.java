package io.ringfold.data;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small test files. */
final class TestFiles {

    private TestFiles() {
    }

    static Path text(Path dir, String name, String content) {
        return bytes(dir, name, content.getBytes(StandardCharsets.UTF_8));
    }

    static Path gzipText(Path dir, String name, String content) {
        return gzip(dir, name, content.getBytes(StandardCharsets.UTF_8));
    }

    static Path bytes(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path gzip(Path dir, String name, byte[] content) {
        Path p = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
